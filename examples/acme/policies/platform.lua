-- Engineering access: GitHub, the application databases, on-call. Owned by the platform team;
-- changes need a review from #team-platform.
owner "team-platform"

role "engineer" {
  description = "Product engineers",
  github   = { "org:acme", "team:platform", "team:backend" },
  slack    = { "usergroup:eng" },
  okta     = { "group:Engineering" },
  postgres = { "role:app_readonly" },
}

-- SREs run production: they deploy, administer the org and the infra repository, and own the
-- databases.
role "sre" {
  description = "Site reliability engineers (production access)",
  includes   = { "engineer" },
  privileged = true,
  github     = {
    { "org:acme", level = "admin" },
    "team:deployers",
    { "repo:infra", level = "admin" },
  },
  postgres   = { "role:db_admin" },
}

-- Engineering managers maintain the platform team on GitHub (membership reviews).
rule("engineering-managers", function(person)
  if person.department == "Engineering" and has_role(person, "manager") then
    return { github = { { "team:platform", level = "maintainer" } } }
  end
end)

-- Whoever is on the on-call rota (the HR "oncall" column) is in the paging group.
rule("on-call", function(person)
  if person.attrs.oncall == "yes" and person.status == "active" then
    return { slack = { "usergroup:oncall" } }
  end
end)

service_account {
  system = "github", account = "acme-deploy-bot", owner = "jane.doe@acme.com",
  description = "Deploys from CI to production",
  entitlements = { "org:acme", "team:deployers" },
}

service_account {
  system = "github", account = "ci-runner", owner = "tom.becker@acme.com",
  description = "Self-hosted CI runner registration",
  entitlements = { "org:acme" },
}
