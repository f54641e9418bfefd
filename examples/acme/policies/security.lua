-- Security's file: who administers identity, what must never be combined, the exceptions we
-- have approved, and how accounts are matched to people. Changes need a SEC ticket.
owner "security"

role "security" {
  description = "Security engineering",
  privileged = true,
  github = { "org:acme", "team:security" },
  okta   = { "group:Security", "group:Okta Admins" },
  slack  = { { "workspace:acme", level = "admin" } },
}

-- Separation of duties.
sod {
  name = "deploy-vs-approve",
  description = "Who ships code to production must not approve payments",
  "github:team:deployers", "netsuite:role:approver",
}

sod {
  name = "enter-vs-approve-bills",
  description = "Whoever enters a vendor bill must not approve it",
  "netsuite:role:ap_clerk", "netsuite:role:approver",
}

-- Approved exceptions. Each has a ticket and an end date; the scanner reports it when it lapses.
exception {
  system = "postgres", account = "raj.patel@acme.com", entitlement = "role:db_admin",
  expires = "2026-12-04", ticket = "SEC-123",
  reason = "Orders table migration; access removed after cut-over",
}

exception {
  system = "netsuite", person = "jane.doe@acme.com", entitlement = "role:viewer",
  expires = "2027-01-31", ticket = "SEC-131",
  reason = "Infrastructure cost review with Finance, Q4",
}

exception {
  system = "github", account = "contractor-x",
  expires = "2026-12-31", ticket = "VEND-88",
  reason = "External payments audit (Freelance Ltd), read access to repo:payments",
}

exception {
  system = "github", account = "contractor-x", entitlement = "repo:payments",
  expires = "2026-12-31", ticket = "VEND-88",
  reason = "External payments audit (Freelance Ltd)",
}

service_account {
  system = "slack", account = "B01ALERTS", owner = "olivia.brown@acme.com",
  description = "Posts security alerts to #sec-alerts",
  entitlements = { "workspace:acme" },
}

-- Okta carries the HR employee id as externalId: trust it before any email matching.
match(function(account)
  if account.system == "okta" and account.external_id then
    local person = find_employee(account.external_id)
    if person then return person.email end
  end
end)

settings {
  dormant_days = 90,
  match = { strip_plus_tags = true, domains = { "acme.com", "acme.io" } },
  severity = {
    dormant_account = "low",
    ["postgres:attr:SUPERUSER"] = "critical",
    ["okta:group:Okta Admins"] = "critical",
  },
}
