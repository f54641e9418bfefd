// Each finding kind of docs/findings.md: when it is reported, with what severity and evidence, and the
// nearby case where it must not be (no false positives).
#include "tests/support/temp_dir.hpp"
#include "tests/unit/drift/scenario.hpp"

namespace rollcall::testing {
namespace {

using reports::FindingStatus;
using reports::Severity;

TEST_CASE("drift: a terminated person's active account is terminated_active (critical)", "[drift]") {
  Scenario s;
  s.system("github");
  s.person("gone@acme.com", "Gone Person").status = roster::PersonStatus::terminated;
  s.person("left@acme.com").end_date = kNow - 10 * kDay;
  s.person("today@acme.com").end_date = kNow;  // last day: still employed
  auto disabled = account("gone-old", "gone@acme.com");
  disabled.status = AccountStatus::disabled;
  s.snapshot("github", {{account("gone", "gone@acme.com"), disabled, account("left", "left@acme.com"),
                         account("today", "today@acme.com")},
                        {},
                        {grant("gone", "team:x"), grant("gone", "team:y")}});
  auto r = s.scan();

  const auto* f = find(r, "terminated_active", "gone");
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::critical);
  CHECK(f->person_email == "gone@acme.com");
  CHECK(f->actual == "active, 2 grant(s)");
  CHECK(f->evidence.roster_row == "roster.csv:2");
  CHECK(f->evidence.snapshot.has_value());
  CHECK(find(r, "terminated_active", "left") != nullptr);
  // Negative cases: a disabled account of a terminated person, and a person on their last day.
  CHECK(find(r, "terminated_active", "gone-old") == nullptr);
  CHECK(find(r, "terminated_active", "today") == nullptr);
  // The account is the problem: its grants are not reported one by one as well.
  CHECK(of_kind(r, "unauthorized_access").empty());
}

TEST_CASE("drift: a grant no policy desires is unauthorized_access; privileged is critical", "[drift]") {
  Scenario s;
  s.system("github");
  s.person("ann@acme.com");
  s.policy.grant("ann@acme.com", "github", "team:platform");
  Entitlement admin;
  admin.id = "org:acme";
  admin.privileged = true;
  s.snapshot("github", {{account("ann", "ann@acme.com")},
                        {admin},
                        {grant("ann", "team:platform"), grant("ann", "team:secret"), grant("ann", "org:acme", "admin")}});
  auto r = s.scan();

  const auto* plain = find(r, "unauthorized_access", "team:secret");
  REQUIRE(plain != nullptr);
  CHECK(plain->severity == Severity::high);
  CHECK(plain->account_id == "ann");
  CHECK(plain->expected == "no access");
  CHECK(plain->actual == "member");
  CHECK(plain->evidence.policy == std::vector<std::string>{"roles: engineer (roster role column)"});
  const auto* privileged = find(r, "unauthorized_access", "org:acme");
  REQUIRE(privileged != nullptr);
  CHECK(privileged->severity == Severity::critical);
  CHECK(privileged->facts.privileged);
  // Negative: the desired grant, held at the desired level.
  CHECK(find(r, "unauthorized_access", "team:platform") == nullptr);
  CHECK(of_kind(r, "privilege_mismatch").empty());
  CHECK(of_kind(r, "missing_access").empty());
}

TEST_CASE("drift: inherited access is implied only through an accepted nesting", "[drift]") {
  Scenario s;
  s.system("postgres");
  s.person("ann@acme.com");
  s.policy.grant("ann@acme.com", "postgres", "role:analytics");
  policy::Nesting designed;
  designed.system = "postgres";
  designed.entitlement = "role:analytics";
  designed.includes = {"role:app_readonly"};
  s.policy.nestings_.push_back(designed);
  auto via = [](Grant g, const std::string& v) {
    g.via = v;
    return g;
  };
  s.snapshot("postgres", {{account("ann", "ann@acme.com")}, {},
                          {grant("ann", "role:analytics"), via(grant("ann", "role:app_readonly"), "role:analytics"),
                           via(grant("ann", "role:reporting"), "role:analytics"),
                           grant("ann", "role:ops"), via(grant("ann", "attr:SUPERUSER"), "role:ops")}});
  auto r = s.scan();
  INFO(kinds(r));
  CHECK(find(r, "unauthorized_access", "role:app_readonly") == nullptr);
  CHECK(find(r, "nested_access", "role:app_readonly") == nullptr);
  // A nesting no policy accepts: reported once, as nested_access, even under a desired role.
  const auto* creep = find(r, "nested_access", "role:reporting");
  REQUIRE(creep != nullptr);
  CHECK(creep->facts.via == "role:analytics");
  // Held directly without a policy: unauthorized; what it brings is one nested_access finding.
  CHECK(find(r, "unauthorized_access", "role:ops") != nullptr);
  const auto* inherited = find(r, "nested_access", "attr:SUPERUSER");
  REQUIRE(inherited != nullptr);
  CHECK(inherited->facts.accounts == std::vector<std::string>{"ann"});
  CHECK(r.findings.size() == 3);
}

TEST_CASE("drift: severities follow policy settings per kind and per entitlement", "[drift]") {
  Scenario s;
  s.system("github");
  s.person("ann@acme.com");
  s.policy.settings_.severity["unauthorized_access"] = "low";
  s.policy.settings_.entitlement_severity["github:team:secret"] = "critical";
  s.snapshot("github", {{account("ann", "ann@acme.com")}, {}, {grant("ann", "team:secret"), grant("ann", "team:misc")}});
  auto r = s.scan();
  CHECK(find(r, "unauthorized_access", "team:secret")->severity == Severity::critical);
  CHECK(find(r, "unauthorized_access", "team:misc")->severity == Severity::low);
}

TEST_CASE("drift: an unknown kind or severity in settings is an error", "[drift]") {
  Scenario s;
  s.policy.settings_.severity["orphan"] = "high";
  auto out = s.run();
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message() ==
        "policy settings: severity: unknown finding kind \"orphan\" (did you mean \"orphan_account\"?)");
  Scenario t;
  t.policy.settings_.severity["orphan_account"] = "severe";
  out = t.run();
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message() ==
        "policy settings: severity for \"orphan_account\": \"severe\" is not one of info, low, medium, high, "
        "critical, error");
}

TEST_CASE("drift: a desired grant at another level is privilege_mismatch", "[drift]") {
  Scenario s;
  s.system("github");
  s.person("ann@acme.com");
  s.person("bob@acme.com");
  s.policy.grant("ann@acme.com", "github", "team:platform", "member");
  s.policy.grant("bob@acme.com", "github", "team:platform", "maintainer");
  s.snapshot("github", {{account("ann", "ann@acme.com"), account("bob", "bob@acme.com")},
                        {},
                        {grant("ann", "team:platform", "maintainer"), grant("bob", "team:platform", "maintainer")}});
  auto r = s.scan();
  const auto* f = find(r, "privilege_mismatch", "ann");
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::high);
  CHECK(f->expected == "member");
  CHECK(f->actual == "maintainer");
  CHECK(f->evidence.policy.size() == 1);
  CHECK(find(r, "privilege_mismatch", "bob") == nullptr);
  CHECK(of_kind(r, "missing_access").empty());
}

TEST_CASE("drift: an active account that matches nobody is orphan_account", "[drift]") {
  Scenario s;
  s.system("github");
  s.person("ann@acme.com");
  auto old = account("ghost-old");
  old.status = AccountStatus::disabled;
  auto ghost = account("ghost", "ghost@elsewhere.com");
  ghost.display_name = "<b>Ghost</b>";
  s.snapshot("github", {{account("ann", "ann@acme.com"), ghost, old}, {}, {grant("ghost", "team:x")}});
  auto r = s.scan();
  const auto* f = find(r, "orphan_account", "ghost");
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::high);
  CHECK(f->person_email.empty());
  CHECK(f->evidence.extra.at("grants") == "1");
  CHECK(f->evidence.extra.at("display_name") == "<b>Ghost</b>");
  // The orphan's grants are not reported one by one; disabled and matched accounts are fine.
  CHECK(of_kind(r, "unauthorized_access").empty());
  CHECK(find(r, "orphan_account", "ghost-old") == nullptr);
  CHECK(find(r, "orphan_account", "ann") == nullptr);
}

TEST_CASE("drift: two active accounts of one person in one system are duplicate_account", "[drift]") {
  Scenario s;
  s.system("github");
  s.system("slack");
  s.person("ann@acme.com", "Ann");
  s.person("bob@acme.com");
  auto bob_old = account("bob-old", "bob@acme.com");
  bob_old.status = AccountStatus::suspended;
  s.snapshot("github", {{account("ann", "ann@acme.com"), account("ann2", "Ann@acme.com"), account("bob", "bob@acme.com"), bob_old}, {}, {}});
  s.snapshot("slack", {{account("U1", "ann@acme.com")}, {}, {}});
  auto r = s.scan();
  auto dups = of_kind(r, "duplicate_account");
  REQUIRE(dups.size() == 1);
  CHECK(dups[0]->severity == Severity::medium);
  CHECK(dups[0]->system == "github");
  CHECK(dups[0]->person_email == "ann@acme.com");
  CHECK(dups[0]->actual == "2 active accounts: ann, ann2");
}

TEST_CASE("drift: a desired grant or account that is absent is missing_access", "[drift]") {
  Scenario s;
  s.system("github");
  s.person("ann@acme.com", "Ann");
  s.person("new@acme.com", "Newcomer");
  s.person("away@acme.com").status = roster::PersonStatus::leave;
  s.person("soon@acme.com").start_date = kNow + 7 * kDay;
  for (const char* who : {"ann@acme.com", "new@acme.com", "away@acme.com", "soon@acme.com"}) {
    s.policy.grant(who, "github", "team:platform");
    s.policy.grant(who, "github", "team:backend", "maintainer");
  }
  s.snapshot("github", {{account("ann", "ann@acme.com")}, {}, {grant("ann", "team:platform")}});
  auto r = s.scan();

  const auto* grant_missing = find(r, "missing_access", "team:backend");
  REQUIRE(grant_missing != nullptr);
  CHECK(grant_missing->severity == Severity::medium);
  CHECK(grant_missing->person_email == "ann@acme.com");
  CHECK(grant_missing->account_id == "ann");
  CHECK(grant_missing->expected == "maintainer");
  CHECK(grant_missing->actual == "absent");
  CHECK(grant_missing->evidence.policy.size() == 1);

  const auto* account_missing = find(r, "missing_access", "new@acme.com");
  REQUIRE(account_missing != nullptr);
  CHECK(account_missing->entitlement_id.empty());
  CHECK(account_missing->actual == "no account");
  CHECK(account_missing->expected == "an active account with 2 entitlement(s): team:platform, team:backend");
  // Ann holds team:platform; people on leave or not started yet are not owed access.
  CHECK(of_kind(r, "missing_access").size() == 2);
}

TEST_CASE("drift: holding both sides of a SoD rule across systems is sod_violation", "[drift]") {
  Scenario s;
  s.system("github");
  s.system("netsuite");
  s.person("ann@acme.com", "Ann");
  s.person("bob@acme.com");
  s.policy.sod_.push_back({"deploy-vs-approve", {"github:team:deployers", "netsuite:role:approver"}, 1, "", "", {"policies/sod.lua", 7}});
  s.snapshot("github", {{account("ann", "ann@acme.com"), account("bob", "bob@acme.com")}, {},
                        {grant("ann", "team:deployers"), grant("bob", "team:deployers")}});
  s.snapshot("netsuite", {{account("N1", "ann@acme.com")}, {}, {grant("N1", "role:approver")}});
  auto r = s.scan();
  auto sod = of_kind(r, "sod_violation");
  REQUIRE(sod.size() == 1);
  CHECK(sod[0]->severity == Severity::high);
  CHECK(sod[0]->person_email == "ann@acme.com");
  CHECK(sod[0]->system == "github,netsuite");
  CHECK(sod[0]->entitlement_id == "sod:deploy-vs-approve");
  CHECK(sod[0]->actual == "github:team:deployers, netsuite:role:approver");
  CHECK(sod[0]->evidence.policy == std::vector<std::string>{"sod \"deploy-vs-approve\" at policies/sod.lua:7"});
  CHECK(sod[0]->evidence.extra.at("accounts") == "github:team:deployers by ann, netsuite:role:approver by N1");
}

TEST_CASE("drift: a service account whose owner is gone is service_account_owner_invalid", "[drift]") {
  Scenario s;
  s.system("postgres");
  s.person("jane@acme.com");
  s.person("old@acme.com").status = roster::PersonStatus::terminated;
  auto reg = [&](const std::string& account, const std::string& owner) {
    policy::ServiceAccount sa;
    sa.system = "postgres";
    sa.account = account;
    sa.owner = owner;
    sa.source = {"policies/data.lua", 12};
    policy::DesiredGrant g;
    g.system = "postgres";
    g.entitlement_id = "role:app_readwrite";
    g.level = "member";
    sa.entitlements.push_back(g);
    s.policy.services_.push_back(sa);
  };
  reg("svc_etl", "jane@acme.com");
  reg("svc_old", "old@acme.com");
  reg("svc_nobody", "nobody@acme.com");
  auto etl = account("svc_etl");
  etl.kind = AccountKind::service;
  s.snapshot("postgres", {{etl, account("svc_old"), account("svc_nobody")}, {},
                          {grant("svc_etl", "role:app_readwrite"), grant("svc_old", "role:app_readwrite"),
                           grant("svc_nobody", "role:app_readwrite")}});
  auto r = s.scan();
  auto invalid = of_kind(r, "service_account_owner_invalid");
  REQUIRE(invalid.size() == 2);
  CHECK(find(r, "service_account_owner_invalid", "svc_old")->actual == "owner old@acme.com is terminated");
  CHECK(find(r, "service_account_owner_invalid", "svc_nobody")->actual ==
        "owner nobody@acme.com is not in the roster");
  CHECK(invalid[0]->severity == Severity::high);
  // Registered service accounts are identities: not orphans, and their registered grant is fine.
  CHECK(of_kind(r, "orphan_account").empty());
  CHECK(of_kind(r, "unauthorized_access").empty());
  CHECK(of_kind(r, "missing_access").empty());
}

TEST_CASE("drift: a service account's extra and missing grants are reported", "[drift]") {
  Scenario s;
  s.system("postgres");
  s.person("jane@acme.com");
  policy::ServiceAccount sa;
  sa.system = "postgres";
  sa.account = "svc_etl";
  sa.owner = "jane@acme.com";
  for (const char* e : {"role:app_readwrite", "role:reporting"}) {
    policy::DesiredGrant g;
    g.system = "postgres";
    g.entitlement_id = e;
    g.level = "member";
    sa.entitlements.push_back(g);
  }
  s.policy.services_.push_back(sa);
  s.snapshot("postgres", {{account("svc_etl")}, {}, {grant("svc_etl", "role:app_readwrite"), grant("svc_etl", "attr:SUPERUSER")}});
  auto r = s.scan();
  CHECK(find(r, "unauthorized_access", "attr:SUPERUSER") != nullptr);
  CHECK(find(r, "missing_access", "role:reporting") != nullptr);
  CHECK(r.findings.size() == 2);
}

TEST_CASE("drift: a valid exception marks the finding excepted, never hides it", "[drift]") {
  Scenario s;
  s.system("postgres");
  s.person("bob@acme.com");
  s.policy.exceptions_.push_back({"postgres", "bob@acme.com", "", "role:db_admin", kNow + 30 * kDay, "SEC-123",
                                  "data migration", "", {"policies/exceptions.lua", 4}});
  s.snapshot("postgres", {{account("bob", "bob@acme.com")}, {}, {grant("bob", "role:db_admin")}});
  auto r = s.scan();
  const auto* f = find(r, "unauthorized_access", "role:db_admin");
  REQUIRE(f != nullptr);
  CHECK(f->status == FindingStatus::excepted);
  CHECK(f->evidence.exception_ticket == "SEC-123");
  CHECK(f->evidence.exception_expires == kNow + 30 * kDay);
  CHECK(f->evidence.exception_reason == "data migration");
  CHECK(f->evidence.exception_source == "policies/exceptions.lua:4");
  CHECK(r.summary.excepted == 1);
  CHECK(r.summary.open == 0);
  CHECK(of_kind(r, "exception_expired").empty());
}

TEST_CASE("drift: an expired exception is exception_expired and the grant is open again", "[drift]") {
  Scenario s;
  s.system("postgres");
  s.person("bob@acme.com");
  s.policy.exceptions_.push_back({"postgres", "bob", "", "role:db_admin", kNow - 2 * kDay, "SEC-9", "migration",
                                  "", {"policies/exceptions.lua", 9}});
  // Expires today ("2026-11-01", which the policy engine reads as its last second).
  s.policy.exceptions_.push_back({"postgres", "", "bob@acme.com", "role:reporting", kNow + kDay - 1, "SEC-10", "", "",
                                  {"policies/exceptions.lua", 12}});
  s.snapshot("postgres", {{account("bob", "bob@acme.com")}, {},
                          {grant("bob", "role:db_admin"), grant("bob", "role:reporting")}});
  auto r = s.scan();
  auto expired = of_kind(r, "exception_expired");
  REQUIRE(expired.size() == 1);
  CHECK(expired[0]->severity == Severity::medium);
  CHECK(expired[0]->account_id == "bob");
  CHECK(expired[0]->entitlement_id == "role:db_admin");
  CHECK(expired[0]->message == "exception SEC-9 for bob on role:db_admin in postgres expired 2026-10-30");
  const auto* grant_finding = find(r, "unauthorized_access", "role:db_admin");
  REQUIRE(grant_finding != nullptr);
  CHECK(grant_finding->status == FindingStatus::new_);
  CHECK(grant_finding->evidence.extra.at("exception") == "expired");
  CHECK(grant_finding->evidence.exception_ticket == "SEC-9");
  CHECK(find(r, "unauthorized_access", "role:reporting")->status == FindingStatus::excepted);
}

TEST_CASE("drift: an account without a login for longer than dormant_days is dormant_account", "[drift]") {
  Scenario s;
  s.system("okta");
  s.policy.settings_.dormant_days = 90;
  for (const char* who : {"old", "recent", "never"}) s.person(std::string(who) + "@acme.com");
  auto old = account("old", "old@acme.com");
  old.last_login = kNow - 120 * kDay;
  auto recent = account("recent", "recent@acme.com");
  recent.last_login = kNow - 5 * kDay;
  s.snapshot("okta", {{old, recent, account("never", "never@acme.com")}, {}, {}});
  auto r = s.scan();
  auto dormant = of_kind(r, "dormant_account");
  REQUIRE(dormant.size() == 1);
  CHECK(dormant[0]->account_id == "old");
  CHECK(dormant[0]->severity == Severity::low);
  CHECK(dormant[0]->actual == "last login 2026-07-04 (120 days ago)");
  CHECK(dormant[0]->evidence.extra.at("dormant_days") == "90");
}

TEST_CASE("drift: an incomplete system is one system_incomplete finding and no access findings", "[drift]") {
  Scenario s;
  s.system("github");
  s.system("slack");
  s.system("okta", 26 * 3600);
  s.system("ldap");
  for (int i = 0; i < 50; ++i) {
    std::string email = "p" + std::to_string(i) + "@acme.com";
    s.person(email);
    for (const char* sys : {"github", "slack", "okta", "ldap"}) s.policy.grant(email, sys, "group:all");
  }
  // A complete snapshot first, then a partial one: the latest counts, the older data is not used.
  s.snapshot("github", {{account("p0", "p0@acme.com")}, {}, {grant("p0", "group:all")}}, kNow - 7200);
  s.failed_snapshot("github", "GET /orgs/acme/members page 3: HTTP 403: rate limited", 120);
  s.failed_snapshot("slack", "connection refused", 0);
  s.snapshot("okta", {{account("p0", "p0@acme.com")}, {}, {}}, kNow - 30 * 3600);
  auto r = s.scan();

  auto incomplete = of_kind(r, "system_incomplete");
  REQUIRE(incomplete.size() == 4);
  CHECK(r.findings.size() == 4);  // not one missing_access for the 50 people in 4 systems
  const auto* github = find(r, "system_incomplete", "");
  REQUIRE(github != nullptr);
  CHECK(github->severity == Severity::error);
  CHECK(github->system == "github");
  CHECK(github->actual ==
        "the latest snapshot (#2, 2026-10-31T23:00:00Z) is partial: GET /orgs/acme/members page 3: HTTP 403: rate limited");
  std::map<std::string, std::string> status;
  for (const auto& sys : r.systems) status[sys.name] = sys.status;
  CHECK(status == std::map<std::string, std::string>{{"github", "partial"}, {"ldap", "missing"}, {"okta", "stale"}, {"slack", "failed"}});
  const auto okta = std::find_if(r.findings.begin(), r.findings.end(), [](const auto& f) { return f.system == "okta"; });
  REQUIRE(okta != r.findings.end());
  CHECK(okta->expected == "a complete snapshot at most 26h old");
  CHECK(okta->actual == "the latest snapshot (#4, 2026-10-30T18:00:00Z) is 30h old");
}

TEST_CASE("drift: a fresh complete system yields no system_incomplete", "[drift]") {
  Scenario s;
  s.system("okta", 26 * 3600);
  s.snapshot("okta", {{}, {}, {}}, kNow - 25 * 3600);
  auto r = s.scan();
  CHECK(r.findings.empty());
  REQUIRE(r.systems.size() == 1);
  CHECK(r.systems[0].status == "complete");
}

TEST_CASE("drift: findings are ordered by severity, then kind, system, account, entitlement", "[drift]") {
  Scenario s;
  s.system("github");
  s.person("ann@acme.com");
  s.person("gone@acme.com").status = roster::PersonStatus::terminated;
  s.snapshot("github", {{account("ann", "ann@acme.com"), account("gone", "gone@acme.com"), account("zed")}, {},
                        {grant("ann", "team:b"), grant("ann", "team:a")}});
  auto r = s.scan();
  std::vector<std::string> order;
  for (const auto& f : r.findings) order.push_back(f.kind + ":" + f.account_id + ":" + f.entitlement_id);
  CHECK(order == std::vector<std::string>{"terminated_active:gone:", "orphan_account:zed:",
                                          "unauthorized_access:ann:team:a", "unauthorized_access:ann:team:b"});
}

}  // namespace
}  // namespace rollcall::testing

namespace rollcall::testing {
namespace {

// Every kind of finding, spread over five systems.
void busy_scenario(Scenario& s) {
  for (const char* sys : {"github", "slack", "okta", "postgres", "netsuite"}) s.system(sys);
  s.person("ann@acme.com", "Ann");
  s.person("bob@acme.com", "Bob");
  s.person("gone@acme.com").status = roster::PersonStatus::terminated;
  s.policy.grant("ann@acme.com", "github", "team:platform");
  s.policy.grant("ann@acme.com", "slack", "usergroup:eng");
  s.policy.grant("bob@acme.com", "okta", "group:all");
  s.policy.sod_.push_back({"x", {"github:team:platform", "netsuite:role:approver"}, 1, "", "", {"policies/sod.lua", 1}});
  s.policy.exceptions_.push_back({"postgres", "bob", "", "role:db_admin", kNow - 5 * kDay, "T-1", "", "", {"p.lua", 2}});
  s.snapshot("github", {{account("ann", "ann@acme.com"), account("gone", "gone@acme.com"), account("ghost")}, {},
                        {grant("ann", "team:platform", "admin")}});
  s.snapshot("slack", {{account("U1", "ann@acme.com"), account("U2", "ann@acme.com")}, {}, {grant("U1", "usergroup:x")}});
  s.snapshot("postgres", {{account("bob", "bob@acme.com")}, {}, {grant("bob", "role:db_admin")}});
  s.snapshot("netsuite", {{account("N1", "ann@acme.com")}, {}, {grant("N1", "role:approver")}});
  s.failed_snapshot("okta", "timeout", 3);
}

TEST_CASE("drift: systems checked by parallel workers give exactly the findings of one worker", "[drift]") {
  TempDir dir;
  Scenario one(dir / "one.db");
  Scenario two(dir / "two.db");
  busy_scenario(one);
  busy_scenario(two);
  one.workers = 1;
  two.workers = 2;
  auto a = one.run();
  auto b = two.run();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->workers == 1);
  CHECK(b->workers == 2);
  REQUIRE(a->report.findings.size() == b->report.findings.size());
  CHECK(a->report.findings.size() >= 9);
  for (std::size_t i = 0; i < a->report.findings.size(); ++i) {
    const auto& x = a->report.findings[i];
    const auto& y = b->report.findings[i];
    CHECK(x.fingerprint == y.fingerprint);
    CHECK(x.message == y.message);
    CHECK(x.actual == y.actual);
    CHECK(x.evidence.extra == y.evidence.extra);
  }
}

}  // namespace
}  // namespace rollcall::testing
