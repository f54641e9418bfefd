#include <catch2/catch.hpp>

#include "scanner/plan/plan.hpp"

namespace rollcall::plan {
namespace {

store::ScanRecord scan_of(std::string snapshots) {
  store::ScanRecord s;
  s.id = 7;
  s.roster_digest = "r1";
  s.policy_digest = "p1";
  s.snapshots_json = std::move(snapshots);
  return s;
}

const std::string kTwoSystems =
    R"([{"system":"github","status":"complete","snapshot_id":3,"taken_at":"x","digest":"d3"},)"
    R"({"system":"ldap","status":"failed"}])";

store::FindingRecord finding(std::string kind, std::string system, std::string account, std::string entitlement,
                             std::string expected, std::string actual, std::string status = "new") {
  store::FindingRecord f;
  f.fingerprint = "fp-" + kind + "-" + account + "-" + entitlement;
  f.kind = std::move(kind);
  f.system = std::move(system);
  f.account_id = std::move(account);
  f.account_login = f.account_id;
  f.person_id = "p@acme.com";
  f.entitlement_id = std::move(entitlement);
  f.expected = std::move(expected);
  f.actual = std::move(actual);
  f.status = std::move(status);
  return f;
}

std::vector<store::FindingRecord> sample() {
  std::vector<store::FindingRecord> v = {
      finding("missing_access", "github", "jdoe", "team:platform", "member", "absent"),
      finding("unauthorized_access", "github", "bob", "team:admins", "no access", "maintainer", "persisting"),
      finding("privilege_mismatch", "github", "amy", "org:acme", "member", "admin"),
      finding("terminated_active", "github", "old", "", "account disabled or removed", "active, 2 grant(s)"),
      finding("missing_access", "github", "", "", "an active account with 1 entitlement(s): team:x", "no account"),
      finding("unauthorized_access", "github", "exc", "team:admins", "no access", "member", "excepted"),
      finding("unauthorized_access", "github", "inh", "repo:web", "no access", "write (via team:web)"),
      finding("orphan_account", "github", "ghost", "", "an owner", "no owner"),
      finding("unauthorized_access", "ldap", "cn=x", "group:Finance", "no access", "member"),
  };
  v[4].person_id = "new@acme.com";
  v[4].person_name = "Nia Ewing";
  // The structured facts the drift engine stores beside the texts; plan reads only these.
  v[0].facts_json = R"({"allowed_levels":["member"]})";
  v[1].facts_json = R"({"held":[{"level":"maintainer","via":"direct"}]})";
  v[2].facts_json = R"({"held":[{"level":"admin","via":"direct"}],"allowed_levels":["member","maintainer"]})";
  v[4].facts_json = R"({"account_state":"absent"})";
  v[5].facts_json = R"({"held":[{"level":"member","via":"direct"}]})";
  v[6].facts_json = R"({"held":[{"level":"write","via":"team:web"}]})";
  v[8].facts_json = R"({"held":[{"level":"member","via":"direct"}]})";
  return v;
}

TEST_CASE("plan: each fixable finding becomes one action with its before and after state", "[plan]") {
  auto p = build_plan(scan_of(kTwoSystems), sample(), {}, "2026-11-24T05:00:00Z");
  REQUIRE(p.ok());
  REQUIRE(p->actions.size() == 5);
  std::vector<std::string> lines;
  for (const auto& a : p->actions) lines.push_back(describe(a));
  CHECK(lines == std::vector<std::string>{
                     "~ set_level github amy org:acme (admin -> member)",
                     "- revoke github bob team:admins (maintainer)",
                     "+ grant github jdoe team:platform (member)",
                     "+ create_account github new@acme.com",
                     "- disable_account github old",
                 });
  const Action& revoke = p->actions[1];
  CHECK(revoke.finding == "fp-unauthorized_access-bob-team:admins");
  CHECK(revoke.before == "maintainer");
  CHECK(revoke.after == "absent");
  CHECK(revoke.destructive);
  CHECK_FALSE(p->actions[2].destructive);
  CHECK(p->actions[3].person_name == "Nia Ewing");  // create_account names the account after the person
  CHECK(p->basis.scan_id == 7);
  REQUIRE(p->basis.systems.size() == 1);
  CHECK(p->basis.systems[0].snapshot_id == 3);
  CHECK(p->basis.systems[0].digest == "d3");
  REQUIRE(p->skipped_systems.size() == 1);
  CHECK(p->skipped_systems[0].system == "ldap");
  CHECK(p->skipped_systems[0].status == "failed");
}

TEST_CASE("plan: rewording every finding text changes no plan", "[plan]") {
  auto findings = sample();
  auto before = build_plan(scan_of(kTwoSystems), findings, {}, "t");
  for (auto& f : findings) {
    f.expected = "reworded expectation of " + f.fingerprint;
    f.actual = "reworded: " + f.actual + " (via nothing); or else";
    f.message = "a completely different sentence";
  }
  auto after = build_plan(scan_of(kTwoSystems), findings, {}, "t");
  REQUIRE(before.ok());
  REQUIRE(after.ok());
  CHECK(to_json(*after) == to_json(*before));
  CHECK(after->actions.size() == 5);
}

TEST_CASE("plan: a person whose one account is disabled gets enable_account, not create_account", "[plan]") {
  auto rehire = finding("missing_access", "github", "", "", "an active account", "no active account");
  rehire.person_id = "back@acme.com";
  rehire.facts_json = R"({"account_state":"disabled","accounts":["u-77"]})";
  auto twice = rehire;
  twice.fingerprint = "fp-two";
  twice.person_id = "two@acme.com";
  twice.facts_json = R"({"account_state":"disabled","accounts":["u-1","u-2"]})";
  auto p = build_plan(scan_of(kTwoSystems), {rehire, twice}, {}, "t");
  REQUIRE(p.ok());
  REQUIRE(p->actions.size() == 1);  // two disabled accounts: a human picks one
  CHECK(describe(p->actions[0]) == "+ enable_account github u-77");
  CHECK(p->actions[0].before == "disabled");
  CHECK_FALSE(p->actions[0].destructive);
}

TEST_CASE("plan: --owner keeps the findings routed to those teams", "[plan]") {
  auto findings = sample();
  findings[0].owner = "team-platform";
  findings[1].owner = "team-security";
  auto p = build_plan(scan_of(kTwoSystems), findings, {{}, {}, {"team-platform"}}, "t");
  REQUIRE(p.ok());
  REQUIRE(p->actions.size() == 1);
  CHECK(p->actions[0].account_id == "jdoe");
}

TEST_CASE("plan: a plan file's destructive flags are derived, not trusted", "[plan]") {
  auto p = build_plan(scan_of(kTwoSystems), sample(), {}, "t");
  REQUIRE(p.ok());
  std::string text = to_json(*p);
  for (std::size_t at = 0; (at = text.find("\"destructive\": true", at)) != std::string::npos;) {
    text.replace(at, 19, "\"destructive\": false");
  }
  auto back = parse_plan(text);
  REQUIRE(back.ok());  // the id covers the actions as derived, so the edit does not even change it
  std::size_t destructive_count = 0;
  for (const auto& a : back->actions) destructive_count += a.destructive;
  CHECK(destructive_count == 3);
}

TEST_CASE("plan: excepted findings and incomplete systems produce no action", "[plan]") {
  auto p = build_plan(scan_of(kTwoSystems), sample(), {}, "t");
  REQUIRE(p.ok());
  for (const auto& a : p->actions) {
    CHECK(a.account_id != "exc");
    CHECK(a.system != "ldap");
  }
}

TEST_CASE("plan: --system and --kind filter the actions", "[plan]") {
  auto p = build_plan(scan_of(kTwoSystems), sample(), {{"github"}, {"revoke", "terminated_active"}}, "t");
  REQUIRE(p.ok());
  REQUIRE(p->actions.size() == 2);
  CHECK(p->actions[0].type == ActionType::revoke);
  CHECK(p->actions[1].type == ActionType::disable_account);

  auto none = build_plan(scan_of(kTwoSystems), sample(), {{"ldap"}, {}}, "t");
  REQUIRE(none.ok());
  CHECK(none->actions.empty());
  CHECK(none->basis.systems.empty());
}

TEST_CASE("plan: an unknown --kind is an error with a suggestion", "[plan]") {
  auto p = build_plan(scan_of(kTwoSystems), sample(), {{}, {"grnt"}}, "t");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().message() == "--kind \"grnt\": not an action type or finding kind (did you mean \"grant\"?)");
}

TEST_CASE("plan: the JSON round-trips and the id does not depend on the creation time", "[plan]") {
  auto a = build_plan(scan_of(kTwoSystems), sample(), {}, "t1");
  auto b = build_plan(scan_of(kTwoSystems), sample(), {}, "t2");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->id == b->id);
  const std::string text = to_json(*a);
  CHECK(text.find("\"schema\": \"rollcall.plan/v1\"") != std::string::npos);
  auto back = parse_plan(text);
  REQUIRE(back.ok());
  CHECK(back->id == a->id);
  CHECK(to_json(*back) == text);
  CHECK(text.find("\"person_name\": \"Nia Ewing\"") != std::string::npos);
}

TEST_CASE("plan: an edited plan file is refused", "[plan]") {
  auto p = build_plan(scan_of(kTwoSystems), sample(), {}, "t");
  REQUIRE(p.ok());
  std::string text = to_json(*p);
  text.replace(text.find("\"bob\""), 5, "\"eve\"");
  auto back = parse_plan(text);
  REQUIRE_FALSE(back.ok());
  CHECK(back.error().message() == "plan " + p->id + ": content does not match its id (the file was edited)");
}

TEST_CASE("plan: a plan of another schema or missing a field is refused", "[plan]") {
  auto other = parse_plan(R"({"schema":"rollcall.plan/v2"})");
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().message() == "plan: schema \"rollcall.plan/v2\" is not \"rollcall.plan/v1\"");
  auto missing = parse_plan(R"({"schema":"rollcall.plan/v1","id":"x","created_at":"t"})");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message() == "plan: missing field \"basis\"");
}

TEST_CASE("plan: no findings, no actions", "[plan]") {
  auto p = build_plan(scan_of(kTwoSystems), {}, {}, "t");
  REQUIRE(p.ok());
  CHECK(p->actions.empty());
}


TEST_CASE("plan: unused, expired and orphaned credentials are deactivated; a stale one waits for its owner", "[plan][credential]") {
  auto owner_gone = finding("credential_owner_inactive", "github", "ci-bot", "credential:AKIA1", "deactivated", "active");
  owner_gone.facts_json = R"({"credential_id":"AKIA1","credential_kind":"access_key"})";
  auto unused = finding("credential_unused", "github", "ann", "credential:AKIA2", "used", "never");
  unused.facts_json = R"({"credential_id":"AKIA2","credential_kind":"access_key"})";
  auto stale = finding("credential_stale", "github", "ann", "credential:AKIA3", "rotated", "old");
  stale.facts_json = R"({"credential_id":"AKIA3","credential_kind":"access_key"})";
  // Facts that do not name the finding's own credential are not acted on.
  auto odd = finding("credential_expired", "github", "bob", "credential:AKIA4", "removed", "expired");
  odd.facts_json = R"({"credential_id":"AKIA5"})";
  auto p = build_plan(scan_of(kTwoSystems), {owner_gone, unused, stale, odd}, {}, "t");
  REQUIRE(p.ok());
  std::vector<std::string> lines;
  for (const auto& a : p->actions) lines.push_back(describe(a));
  CHECK(lines == std::vector<std::string>{"- deactivate_credential github ann credential:AKIA2",
                                          "- deactivate_credential github ci-bot credential:AKIA1"});
  CHECK(p->actions[0].before == "active");
  CHECK(p->actions[0].after == "inactive");
  CHECK(p->actions[0].destructive);
  auto round = parse_plan(to_json(*p));
  REQUIRE(round.ok());
  CHECK(round->actions[1].type == ActionType::deactivate_credential);
}

}  // namespace
}  // namespace rollcall::plan
