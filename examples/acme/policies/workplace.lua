-- What everyone at Acme gets, and the roles IT runs for teams without a policy file of their
-- own. Changes: open a ticket in IT-OPS; reviewed by it-ops.
owner "it-ops"

-- Every employee signs in through Okta and is in the Slack workspace. (Leavers are handled by
-- the scanner: a terminated person's accounts are findings whatever this file says.)
rule("baseline", function(person)
  return {
    okta  = { "group:Everyone" },
    slack = { "workspace:acme" },
  }
end)

role "support" {
  description = "Customer support agents and leads",
  okta  = { "group:Support" },
  slack = { "usergroup:support" },
}

-- People managers get no access of their own from being managers; other policies look at the
-- role (see platform.lua) and at the manager chain.
role "manager" {
  description = "People managers (approvals, reviews)",
}
