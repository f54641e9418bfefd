-- Analytics access. Owned by the data team; the analytics schema is theirs, the application
-- data is read through the analytics role only.
owner "team-data"

role "data-analyst" {
  description = "Analysts: dashboards and ad-hoc queries",
  github   = { "org:acme", "team:data" },
  okta     = { "group:Data" },
  postgres = { "role:analytics" },
}

-- Analysts in their first 90 days also get the read-only application role, for onboarding.
rule("analyst-onboarding", function(person)
  if has_role(person, "data-analyst") and person.start_date
     and days_between(person.start_date, today()) < 90 then
    return { postgres = { "role:app_readonly" } }
  end
end)

service_account {
  system = "postgres", account = "svc_etl", owner = "sara.khan@acme.com",
  description = "Nightly ETL from the application database into analytics",
  entitlements = { "role:app_readwrite" },
}

-- The analytics role is built on the read-only application role: that nesting is designed, so
-- access reached through it is implied (any other nesting is reported as nested_access).
nesting {
  system = "postgres", entitlement = "role:analytics", includes = { "role:app_readonly" },
  reason = "analysts read application data through the analytics role",
}
