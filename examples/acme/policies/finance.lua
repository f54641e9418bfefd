-- NetSuite and finance tooling. Owned by the controller's office: approvals happen in NetSuite,
-- so who can approve is decided here and nowhere else.
owner "team-finance"

role "finance" {
  description = "Everyone in Finance",
  okta     = { "group:Finance" },
  slack    = { "usergroup:finance" },
  netsuite = { "role:viewer" },
}

role "ap-clerk" {
  description = "Enters vendor bills",
  includes = { "finance" },
  netsuite = { "role:ap_clerk" },
}

role "approver" {
  description = "Approves vendor bills and payments",
  includes   = { "finance" },
  privileged = true,
  netsuite   = { "role:approver" },
}

-- The HR title decides the NetSuite duties.
local duties = {
  ["AP Specialist"] = "ap-clerk",
  ["Controller"]    = "approver",
}

assign(function(person)
  if person.department == "Finance" then
    return duties[person.title]
  end
end)

service_account {
  system = "postgres", account = "svc_reporting", owner = "emma.jones@acme.com",
  description = "Finance dashboards (read-only)",
  entitlements = { "role:app_readonly" },
}
