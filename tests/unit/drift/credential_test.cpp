// Credential findings: each planted beside its boundary and a look-alike that is not drift
// (a key 90 days old is not stale at 90, an inactive old key is not stale, a never-used key
// created yesterday is not unused), thresholds per system, exceptions that cover one key, and
// MFA only where the platform says.
#include "tests/unit/drift/scenario.hpp"

namespace rollcall::testing {
namespace {

using reports::FindingStatus;
using reports::Severity;

Credential key(const std::string& account, const std::string& id, UnixTime created,
               std::optional<UnixTime> last_used = std::nullopt, CredentialKind kind = CredentialKind::access_key) {
  Credential c;
  c.account_id = account;
  c.id = id;
  c.kind = kind;
  c.created_at = created;
  c.last_used_at = last_used;
  return c;
}

Account with_mfa(Account a, bool enrolled) {
  a.attrs_json = std::string("{\"mfa_enrolled\":") + (enrolled ? "true" : "false") + "}";
  return a;
}

const reports::Finding* for_key(const reports::Report& r, const std::string& kind, const std::string& id) {
  return find(r, kind, "credential:" + id);
}

}  // namespace

TEST_CASE("credentials: stale at more than rotation_days; the boundary, inactive keys and passwords are not", "[drift][credential]") {
  Scenario s;
  s.system("aws");
  s.person("ann@acme.com");
  s.policy.grant("ann@acme.com", "aws", "group:dev");
  Credential inactive = key("ann", "AKIA_OLD_OFF", kNow - 400 * kDay, kNow - kDay);
  inactive.status = CredentialStatus::inactive;
  s.snapshot("aws", {{account("ann", "ann@acme.com")}, {}, {grant("ann", "group:dev")},
                     {key("ann", "AKIA_91", kNow - 91 * kDay, kNow - kDay),
                      key("ann", "AKIA_90", kNow - 90 * kDay, kNow - kDay),
                      key("ann", "AKIA_89", kNow - 89 * kDay, kNow - kDay), inactive,
                      key("ann", "password", kNow - 500 * kDay, kNow - kDay, CredentialKind::password)}});
  auto r = s.scan();
  INFO(kinds(r));
  const auto* stale = for_key(r, "credential_stale", "AKIA_91");
  REQUIRE(stale != nullptr);
  CHECK(stale->severity == Severity::medium);
  CHECK(stale->account_id == "ann");
  CHECK(stale->person_email == "ann@acme.com");
  CHECK(stale->facts.credential_id == "AKIA_91");
  CHECK(stale->facts.credential_kind == "access_key");
  CHECK(stale->evidence.extra.at("age_days") == "91");
  CHECK(stale->message == "access_key AKIA_91 of account ann has not been rotated for 91 days");
  CHECK(r.findings.size() == 1);  // 90 and 89 days, the inactive key and the password: quiet
  CHECK(r.credentials.size() == 5);
}

TEST_CASE("credentials: unused after unused_days, never used since creation; a new key is not", "[drift][credential]") {
  Scenario s;
  s.system("aws");
  s.person("ann@acme.com");
  s.policy.grant("ann@acme.com", "aws", "group:dev");
  Credential untracked = key("ann", "TOKEN_UNTRACKED", kNow - 30 * kDay, std::nullopt, CredentialKind::token);
  untracked.use_recorded = false;
  s.snapshot("aws", {{account("ann", "ann@acme.com")}, {}, {grant("ann", "group:dev")},
                     {key("ann", "AKIA_IDLE", kNow - 60 * kDay, kNow - 91 * kDay),
                      key("ann", "AKIA_BUSY", kNow - 60 * kDay, kNow - 90 * kDay),
                      key("ann", "AKIA_NEVER", kNow - 91 * kDay),
                      key("ann", "AKIA_NEW", kNow - kDay), untracked}});
  s.policy.settings_.credentials.rotation_days = 365;
  auto r = s.scan();
  INFO(kinds(r));
  const auto* idle = for_key(r, "credential_unused", "AKIA_IDLE");
  REQUIRE(idle != nullptr);
  CHECK(idle->severity == Severity::low);
  CHECK(idle->evidence.extra.at("last_used") == "2026-08-02T00:00:00Z");
  const auto* never = for_key(r, "credential_unused", "AKIA_NEVER");
  REQUIRE(never != nullptr);
  CHECK(never->evidence.extra.at("last_used") == "never");
  CHECK(never->actual == "never used since it was created 2026-08-02 (91 days ago)");
  CHECK(r.findings.size() == 2);
}

TEST_CASE("credentials: per-system thresholds override the policy-wide ones", "[drift][credential]") {
  Scenario s;
  s.system("aws");
  s.system("github");
  s.person("ann@acme.com");
  s.policy.settings_.credential_systems["aws"] = {30, 0};
  for (const char* system : {"aws", "github"}) {
    s.snapshot(system, {{account("ann", "ann@acme.com")}, {}, {}, {key("ann", "K1", kNow - 45 * kDay, kNow - kDay)}});
  }
  auto r = s.scan();
  INFO(kinds(r));
  auto stale = of_kind(r, "credential_stale");
  REQUIRE(stale.size() == 1);
  CHECK(stale[0]->system == "aws");
  CHECK(stale[0]->expected == "rotated within 30 days");
  CHECK(of_kind(r, "credential_unused").empty());  // unused_days 0 in the override: the default 90 holds
}

TEST_CASE("credentials: expired but active is found; unexpired and inactive expired ones are not", "[drift][credential]") {
  Scenario s;
  s.system("entra");
  s.person("ann@acme.com");
  Credential expired = key("app1", "secret-old", kNow - 10 * kDay, kNow - kDay, CredentialKind::client_secret);
  expired.expires_at = kNow - 2 * kDay;
  Credential valid = key("app1", "secret-new", kNow - 10 * kDay, kNow - kDay, CredentialKind::client_secret);
  valid.expires_at = kNow + 2 * kDay;
  Credential off = expired;
  off.id = "secret-off";
  off.status = CredentialStatus::inactive;
  Account app = account("app1");
  app.kind = AccountKind::service;
  s.policy.services_.push_back({"entra", "app1", "ann@acme.com", {}, std::nullopt, "", "", {"p.lua", 1}});
  s.snapshot("entra", {{app}, {}, {}, {expired, valid, off}});
  auto r = s.scan();
  INFO(kinds(r));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].kind == "credential_expired");
  CHECK(r.findings[0].entitlement_id == "credential:secret-old");
  CHECK(r.findings[0].message == "client_secret secret-old of account app1 expired on 2026-10-30 and is still present");
}

TEST_CASE("credentials: an active key whose person left or whose service account's owner left is critical", "[drift][credential]") {
  Scenario s;
  s.system("aws");
  s.person("ann@acme.com");
  s.person("gone@acme.com").status = roster::PersonStatus::terminated;
  Account ci = account("ci-bot");
  ci.kind = AccountKind::service;
  Account ci2 = account("deploy-bot");
  ci2.kind = AccountKind::service;
  s.policy.services_.push_back({"aws", "ci-bot", "gone@acme.com", {}, std::nullopt, "", "", {"p.lua", 1}});
  s.policy.services_.push_back({"aws", "deploy-bot", "ann@acme.com", {}, std::nullopt, "", "", {"p.lua", 2}});
  Credential gone_off = key("gone", "AKIA_GONE_OFF", kNow - kDay, kNow - kDay);
  gone_off.status = CredentialStatus::inactive;
  s.snapshot("aws", {{account("gone", "gone@acme.com"), ci, ci2}, {}, {},
                     {key("gone", "AKIA_GONE", kNow - kDay, kNow - kDay), gone_off,
                      key("ci-bot", "AKIA_CI", kNow - kDay, kNow - kDay),
                      key("deploy-bot", "AKIA_DEPLOY", kNow - kDay, kNow - kDay)}});
  auto r = s.scan();
  INFO(kinds(r));
  const auto* person = for_key(r, "credential_owner_inactive", "AKIA_GONE");
  REQUIRE(person != nullptr);
  CHECK(person->severity == Severity::critical);
  CHECK(person->actual == "active; gone is terminated");
  const auto* service = for_key(r, "credential_owner_inactive", "AKIA_CI");
  REQUIRE(service != nullptr);
  CHECK(service->actual == "active; owner gone@acme.com is terminated");
  CHECK(for_key(r, "credential_owner_inactive", "AKIA_GONE_OFF") == nullptr);
  CHECK(for_key(r, "credential_owner_inactive", "AKIA_DEPLOY") == nullptr);
  CHECK(of_kind(r, "credential_owner_inactive").size() == 2);
}

TEST_CASE("credentials: an exception covers exactly one credential, until it expires", "[drift][credential]") {
  Scenario s;
  s.system("aws");
  s.person("ann@acme.com");
  s.policy.exceptions_.push_back({"aws", "ann", "", "credential:AKIA_A", kNow + 30 * kDay, "SEC-7",
                                  "vendor integration cannot rotate", "", {"policies/exceptions.lua", 3}});
  s.snapshot("aws", {{account("ann", "ann@acme.com")}, {}, {},
                     {key("ann", "AKIA_A", kNow - 200 * kDay, kNow - kDay), key("ann", "AKIA_B", kNow - 200 * kDay, kNow - kDay)}});
  auto r = s.scan();
  INFO(kinds(r));
  const auto* a = for_key(r, "credential_stale", "AKIA_A");
  const auto* b = for_key(r, "credential_stale", "AKIA_B");
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  CHECK(a->status == FindingStatus::excepted);
  CHECK(a->evidence.exception_ticket == "SEC-7");
  CHECK(b->status == FindingStatus::new_);
  CHECK(a->fingerprint != b->fingerprint);
}

TEST_CASE("mfa: a console password without MFA is found; keys-only users and enrolled ones are not", "[drift][credential]") {
  Scenario s;
  s.system("aws");
  for (const char* who : {"ann", "bob", "cy", "dan"}) s.person(std::string(who) + "@acme.com");
  Account svc = with_mfa(account("svc"), false);
  svc.kind = AccountKind::service;
  s.snapshot("aws", {{with_mfa(account("ann", "ann@acme.com"), false), with_mfa(account("bob", "bob@acme.com"), true),
                      with_mfa(account("cy", "cy@acme.com"), false), account("dan", "dan@acme.com"), svc},
                     {}, {},
                     {key("ann", "password", kNow - kDay, kNow - kDay, CredentialKind::password),
                      key("bob", "password", kNow - kDay, kNow - kDay, CredentialKind::password),
                      key("cy", "AKIA_CY", kNow - kDay, kNow - kDay),
                      key("dan", "password", kNow - kDay, kNow - kDay, CredentialKind::password),
                      key("svc", "password", kNow - kDay, kNow - kDay, CredentialKind::password)}});
  auto r = s.scan();
  INFO(kinds(r));
  auto mfa = of_kind(r, "mfa_missing");
  REQUIRE(mfa.size() == 1);
  CHECK(mfa[0]->account_id == "ann");
  CHECK(mfa[0]->severity == Severity::high);
  CHECK(mfa[0]->actual == "console password, no MFA device");
}

TEST_CASE("mfa: where the platform reports no passwords (an IdP), every person's account is judged", "[drift][credential]") {
  Scenario s;
  s.system("okta");
  s.person("ann@acme.com");
  s.person("bob@acme.com");
  s.snapshot("okta", {{with_mfa(account("00u1", "ann@acme.com"), false), with_mfa(account("00u2", "bob@acme.com"), true)}, {}, {}});
  auto r = s.scan();
  INFO(kinds(r));
  auto mfa = of_kind(r, "mfa_missing");
  REQUIRE(mfa.size() == 1);
  CHECK(mfa[0]->account_id == "00u1");
  CHECK(mfa[0]->message == "account 00u1 signs in without a second factor");
}

}  // namespace rollcall::testing
