// The false and silent classes of the trust issue: each case a real estate hits is planted
// beside a look-alike that is not drift, and the exact findings are asserted (the planted case
// found, the control silent).
#include "tests/unit/drift/scenario.hpp"

namespace rollcall::testing {
namespace {

using reports::Severity;

Grant via(Grant g, std::string_view v) {
  g.via = std::string(v);
  return g;
}

policy::Baseline baseline(const std::string& system, std::vector<std::pair<std::string, std::string>> entries,
                          bool platform_defaults = true) {
  policy::Baseline b;
  b.system = system;
  b.platform_defaults = platform_defaults;
  for (auto& [id, level] : entries) b.entitlements.push_back({id, level, {"policies/base.lua", 3}});
  b.owner = "team-security";
  return b;
}

TEST_CASE("trust: a grant to everyone is judged once per system and entitlement, beyond the baseline", "[drift]") {
  Scenario s;
  s.system("postgres");
  for (const char* who : {"ann", "bob", "cy"}) s.person(std::string(who) + "@acme.com");
  s.policy.baselines_.push_back(baseline("postgres", {{"database:app:*", ""}}));
  std::vector<Grant> grants;
  for (const char* who : {"ann", "bob", "cy"}) {
    // PostgreSQL's own defaults: CONNECT and TEMPORARY to PUBLIC on every database.
    grants.push_back(via(grant(who, "database:crm:connect"), kViaEveryoneDefault));
    grants.push_back(via(grant(who, "database:crm:temporary"), kViaEveryoneDefault));
    // Granted to PUBLIC on purpose, inside the baseline (control) and beyond it (planted).
    grants.push_back(via(grant(who, "database:app:connect"), kViaEveryone));
    grants.push_back(via(grant(who, "table:crm.public.salaries:SELECT"), kViaEveryone));
  }
  s.snapshot("postgres", {{account("ann", "ann@acme.com"), account("bob", "bob@acme.com"), account("cy", "cy@acme.com")},
                          {},
                          grants});
  auto r = s.scan();
  INFO(kinds(r));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings.front();
  CHECK(f.kind == "everyone_access");
  CHECK(f.entitlement_id == "table:crm.public.salaries:SELECT");
  CHECK(f.account_id.empty());
  CHECK(f.facts.reach == 3);
  CHECK(f.facts.held.size() == 1);
  CHECK(f.facts.held[0].via == "everyone");
  CHECK(f.severity == Severity::high);
  CHECK(of_kind(r, "unauthorized_access").empty());
}

TEST_CASE("trust: without a baseline PostgreSQL's defaults are quiet; a baseline can opt out of them", "[drift]") {
  Scenario s;
  s.system("postgres");
  s.person("ann@acme.com");
  s.snapshot("postgres", {{account("ann", "ann@acme.com")}, {},
                          {via(grant("ann", "database:crm:connect"), kViaEveryoneDefault)}});
  CHECK(s.scan().findings.empty());

  s.policy.baselines_.push_back(baseline("postgres", {}, false));
  auto r = s.scan();
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].kind == "everyone_access");
  CHECK(r.findings[0].entitlement_id == "database:crm:connect");
}

TEST_CASE("trust: a baseline entitlement held directly is never judged per account", "[drift]") {
  Scenario s;
  s.system("ldap");
  s.person("ann@acme.com");
  s.policy.baselines_.push_back(baseline("ldap", {{"group:all-staff", ""}, {"group:wiki", "member"}}));
  s.snapshot("ldap", {{account("ann", "ann@acme.com")}, {},
                      {grant("ann", "group:all-staff"), grant("ann", "group:wiki", "admin"), grant("ann", "group:vpn")}});
  auto r = s.scan();
  INFO(kinds(r));
  // all-staff at any level: allowed; wiki only as member, so admin is judged; vpn is not in it.
  CHECK(find(r, "unauthorized_access", "group:all-staff") == nullptr);
  CHECK(find(r, "unauthorized_access", "group:wiki") != nullptr);
  CHECK(find(r, "unauthorized_access", "group:vpn") != nullptr);
  CHECK(r.findings.size() == 2);
}

TEST_CASE("trust: builtin platform accounts are never orphans; a look-alike bot is", "[drift]") {
  Scenario s;
  s.system("slack");
  s.person("ann@acme.com");
  auto slackbot = account("USLACKBOT");
  slackbot.login = "slackbot";
  slackbot.kind = AccountKind::builtin;
  slackbot.last_login = kNow - 400 * kDay;
  auto stray = account("B99");
  stray.login = "old-integration";
  stray.kind = AccountKind::bot;
  s.snapshot("slack", {{account("ann", "ann@acme.com"), slackbot, stray}, {}, {grant("USLACKBOT", "channel:general")}});
  auto r = s.scan();
  INFO(kinds(r));
  CHECK(find(r, "orphan_account", "USLACKBOT") == nullptr);
  CHECK(find(r, "orphan_account", "B99") != nullptr);
  CHECK(find(r, "dormant_account", "USLACKBOT") == nullptr);
  CHECK(r.findings.size() == 1);
}

TEST_CASE("trust: an account whose platform hides its email is unmatched, not an orphan", "[drift]") {
  Scenario s;
  s.system("jira");
  s.person("ann@acme.com");
  auto hidden = account("5b10a2844c20165700ede21g");
  hidden.attrs_json = R"({"email_hidden":true})";
  auto nobody = account("5b10ac8d82e05b22cc7d4ef5");
  s.snapshot("jira", {{account("ann", "ann@acme.com"), hidden, nobody}, {}, {}});
  auto r = s.scan();
  CHECK(find(r, "orphan_account", "5b10a2844c20165700ede21g") == nullptr);
  CHECK(find(r, "orphan_account", "5b10ac8d82e05b22cc7d4ef5") != nullptr);
  REQUIRE(r.systems.size() == 1);
  CHECK(r.systems[0].unmatched == 1);
}

TEST_CASE("trust: dormancy applies to active people and service accounts, not to people on leave", "[drift]") {
  Scenario s;
  s.system("github");
  s.person("active@acme.com");
  s.person("away@acme.com").status = roster::PersonStatus::leave;
  auto idle = [](const std::string& id, const std::string& email) {
    auto a = account(id, email);
    a.last_login = kNow - 200 * kDay;
    return a;
  };
  s.snapshot("github", {{idle("active", "active@acme.com"), idle("away", "away@acme.com")}, {}, {}});
  auto r = s.scan();
  CHECK(find(r, "dormant_account", "active") != nullptr);
  CHECK(find(r, "dormant_account", "away") == nullptr);

  s.policy.settings_.dormant_statuses = {"active", "leave"};
  auto both = s.scan();
  CHECK(find(both, "dormant_account", "away") != nullptr);
}

TEST_CASE("trust: a level inside the allowed set is in policy; outside it is privilege_mismatch", "[drift]") {
  Scenario s;
  s.system("github");
  s.person("maya@acme.com");
  s.person("omar@acme.com");
  s.person("new@acme.com");
  for (const char* who : {"maya@acme.com", "omar@acme.com", "new@acme.com"}) {
    s.policy.grant(who, "github", "team:engineering", "member|maintainer");
  }
  s.snapshot("github", {{account("maya", "maya@acme.com"), account("omar", "omar@acme.com"), account("new", "new@acme.com")},
                        {},
                        {grant("maya", "team:engineering", "maintainer"), grant("omar", "team:engineering", "admin")}});
  auto r = s.scan();
  INFO(kinds(r));
  CHECK(find(r, "privilege_mismatch", "maya") == nullptr);
  const auto* f = find(r, "privilege_mismatch", "omar");
  REQUIRE(f != nullptr);
  CHECK(f->expected == "member or maintainer");
  CHECK(f->facts.allowed_levels == std::vector<std::string>{"member", "maintainer"});
  const auto* missing = find(r, "missing_access", "new@acme.com");
  REQUIRE(missing != nullptr);
  CHECK(missing->facts.allowed_levels.front() == "member");  // the level plan grants
  CHECK(r.findings.size() == 2);
}

TEST_CASE("trust: a duplicate_account names every account by id", "[drift]") {
  Scenario s;
  s.system("slack");
  s.person("jane@acme.com");
  s.person("solo@acme.com");
  s.snapshot("slack", {{account("U1", "jane@acme.com", "jdoe"), account("U2", "jane@acme.com", "jdoe"),
                        account("U3", "solo@acme.com", "solo")},
                       {},
                       {}});
  auto r = s.scan();
  const auto dups = of_kind(r, "duplicate_account");
  REQUIRE(dups.size() == 1);
  CHECK(dups[0]->person_email == "jane@acme.com");
  CHECK(dups[0]->facts.accounts == std::vector<std::string>{"U1", "U2"});
}

TEST_CASE("trust: an expired exception written with an email resolves to the account it covers", "[drift]") {
  Scenario s;
  s.system("crm");
  s.person("jane@acme.com");
  policy::ExceptionRule x;
  x.system = "crm";
  x.account = "jane@acme.com";
  x.entitlement = "role:export";
  x.expires = kNow - 5 * kDay;
  x.ticket = "SEC-1";
  x.owner = "team-sales";
  s.policy.exceptions_.push_back(x);
  s.snapshot("crm", {{account("crm-jane", "jane@acme.com", "jane")}, {}, {grant("crm-jane", "role:export")}});
  auto r = s.scan();
  const auto* f = find(r, "exception_expired", "crm-jane");
  REQUIRE(f != nullptr);
  CHECK(f->account_login == "jane");
  CHECK(f->evidence.snapshot.has_value());
  CHECK(f->owner == "team-sales");
  // The access itself is open again, on the same account.
  CHECK(find(r, "unauthorized_access", "crm-jane") != nullptr);
}

TEST_CASE("trust: access through an unaccepted nesting is one finding listing who it reaches", "[drift]") {
  Scenario s;
  s.system("ldap");
  for (const char* who : {"ann", "bob", "cy"}) s.person(std::string(who) + "@acme.com");
  for (const char* who : {"ann", "bob"}) s.policy.grant(std::string(who) + "@acme.com", "ldap", "group:sales-leads");
  s.policy.grant("cy@acme.com", "ldap", "group:engineering");
  policy::Nesting designed;
  designed.system = "ldap";
  designed.entitlement = "group:engineering";
  designed.includes = {"group:wiki-editors"};
  s.policy.nestings_.push_back(designed);
  s.snapshot("ldap", {{account("ann", "ann@acme.com"), account("bob", "bob@acme.com"), account("cy", "cy@acme.com")},
                      {},
                      {grant("ann", "group:sales-leads"), via(grant("ann", "group:finance"), "group:sales-leads"),
                       grant("bob", "group:sales-leads"), via(grant("bob", "group:finance"), "group:sales-leads"),
                       grant("cy", "group:engineering"), via(grant("cy", "group:wiki-editors"), "group:engineering")}});
  auto r = s.scan();
  INFO(kinds(r));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.kind == "nested_access");
  CHECK(f.entitlement_id == "group:finance");
  CHECK(f.facts.via == "group:sales-leads");
  CHECK(f.facts.accounts == std::vector<std::string>{"ann", "bob"});
  CHECK(f.facts.reach == 2);
  CHECK(f.evidence.extra.at("people") == "ann@acme.com, bob@acme.com");
}

TEST_CASE("trust: findings route to the policy owner that decided them, else the system owner", "[drift]") {
  Scenario s;
  s.system("github");
  s.config.systems.back().owner = "team-it";
  s.person("ann@acme.com");
  s.policy.grant("ann@acme.com", "github", "team:platform");
  policy::RoleInfo engineer;
  engineer.name = "engineer";
  engineer.owner = "team-platform";
  s.policy.roles_.push_back(engineer);
  s.snapshot("github", {{account("ann", "ann@acme.com"), account("stray")}, {}, {grant("ann", "team:secret")}});
  auto r = s.scan();
  CHECK(find(r, "missing_access", "ann@acme.com")->owner == "team-platform");
  CHECK(find(r, "unauthorized_access", "team:secret")->owner == "team-it");
  CHECK(find(r, "orphan_account", "stray")->owner == "team-it");
}

}  // namespace
}  // namespace rollcall::testing
