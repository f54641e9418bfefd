// Plan files are untrusted (issue 12, docs/security.md): the plan id is an unkeyed hash anyone
// can recompute, so nothing safety-relevant may be taken from the file on trust.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "scanner/core/digest.hpp"
#include "scanner/plan/apply.hpp"
#include "scanner/plan/ticket_writer.hpp"
#include "scanner/store/scan_store.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace rollcall::plan {
namespace {

using Json = nlohmann::ordered_json;

// What an attacker does after editing a plan file: recompute the unkeyed id over basis and
// actions, exactly as `rollcall plan` computes it.
std::string reseal(const std::string& text) {
  Json j = Json::parse(text);
  const Json content{{"basis", j["basis"]}, {"actions", j["actions"]}};
  j["id"] = sha256_hex(content.dump()).substr(0, 16);
  return j.dump(2);
}

store::FindingRecord finding(std::string kind, std::string account, std::string entitlement, std::string expected,
                             std::string actual) {
  store::FindingRecord f;
  f.fingerprint = "fp-" + kind + "-" + account + "-" + entitlement;
  f.kind = std::move(kind);
  f.system = "scim";
  f.account_id = std::move(account);
  f.account_login = f.account_id;
  f.person_id = f.account_id + "@acme.com";
  f.entitlement_id = std::move(entitlement);
  f.expected = std::move(expected);
  f.status = "new";
  // The structured facts the drift engine stores; plan reads only these.
  if (f.kind == "missing_access") f.facts_json = R"({"allowed_levels":[")" + f.expected + R"("]})";
  else f.facts_json = R"({"held":[{"level":")" + actual + R"(","via":"direct"}]})";
  f.actual = std::move(actual);
  return f;
}

// A database with a snapshot of `accounts` accounts and a scan whose findings ask for ten
// revokes and one grant; returns the plan `rollcall plan` would write.
struct Workspace {
  std::unique_ptr<store::Database> db;
  Plan plan;
};

Workspace workspace(int accounts = 100) {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  store::SnapshotStore snapshots(**db);
  auto w = snapshots.begin("scim", "scim", 100);
  REQUIRE(w.ok());
  for (int i = 0; i < accounts; ++i) {
    Account a;
    a.id = "u" + std::to_string(i);
    REQUIRE((*w)->account(a).ok());
  }
  auto snap = (*w)->commit(101);
  REQUIRE(snap.ok());
  store::ScanRecord scan;
  scan.roster_digest = "r1";
  scan.policy_digest = "p1";
  scan.snapshots_json = R"([{"system":"scim","status":"complete","snapshot_id":)" + std::to_string(snap->id) +
                        R"(,"digest":")" + snap->digest + R"("}])";
  std::vector<store::FindingRecord> findings;
  for (int i = 0; i < 10; ++i) findings.push_back(finding("unauthorized_access", "u" + std::to_string(i), "group:admins", "no access", "member"));
  findings.push_back(finding("missing_access", "u50", "group:eng", "member", "absent"));
  auto id = store::ScanStore(**db).save(scan, findings);
  REQUIRE(id.ok());
  scan.id = *id;
  auto p = build_plan(scan, findings, {}, "2026-12-01T00:00:00Z");
  REQUIRE(p.ok());
  REQUIRE(p->actions.size() == 11);
  return Workspace{std::move(*db), std::move(*p)};
}

std::string error_of(const Result<void>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("hostile plan: destructive is derived from the action, never the file's flag", "[plan][hostile]") {
  Workspace ws = workspace();
  std::string text = to_json(ws.plan);
  for (auto pos = text.find("\"destructive\": true"); pos != std::string::npos; pos = text.find("\"destructive\": true")) {
    text.replace(pos, 19, "\"destructive\": false");
  }
  // The id is recomputed, but over the derived flags: the edit shows as a mismatch.
  auto edited = parse_plan(reseal(text));
  REQUIRE_FALSE(edited.ok());
  CHECK(edited.error().message().find(": content does not match its id (the file was edited)") != std::string::npos);
  auto genuine = parse_plan(to_json(ws.plan));
  REQUIRE(genuine.ok());
  std::size_t destructive_actions = 0;
  for (const auto& a : genuine->actions) destructive_actions += a.destructive ? 1 : 0;
  CHECK(destructive_actions == 10);
  CHECK(error_of(check_blast_radius(*genuine, {5, std::nullopt}, *ws.db)) ==
        "plan " + genuine->id + " has 10 destructive actions, more than max_destructive = 5 "
        "(pass --allow-destructive to apply anyway)");
  // Even a Plan value carrying false flags (built elsewhere) is counted by type.
  Plan forged = ws.plan;
  for (auto& a : forged.actions) a.destructive = false;
  CHECK_FALSE(check_blast_radius(forged, {5, std::nullopt}, *ws.db).ok());
  CHECK(check_blast_radius(ws.plan, {10, std::nullopt}, *ws.db).ok());  // look-alike: at the limit
}

TEST_CASE("hostile plan: an action for a system outside the basis is refused everywhere", "[plan][hostile]") {
  Workspace ws = workspace();
  std::string text = to_json(ws.plan);
  text.replace(text.find("\"system\": \"scim\",\n      \"account\": \"u0\""), 16, "\"system\": \"prod\"");
  auto parsed = parse_plan(reseal(text));
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().message().find(": system \"prod\" is not in the plan's basis") != std::string::npos);

  Plan p = ws.plan;
  p.actions[0].system = "prod";
  const std::string expected = "plan " + p.id + ": action " + p.actions[0].id +
                               " is for system \"prod\", which is not in the plan's basis";
  CHECK(error_of(check_blast_radius(p, {100, 1.0}, *ws.db)) == expected);
  CHECK(error_of(check_fresh(p, *ws.db)) == expected);
}

TEST_CASE("hostile plan: apply runs only actions the plan's own scan calls for", "[plan][hostile]") {
  Workspace ws = workspace();
  CHECK(check_derived(ws.plan, *ws.db).ok());

  // Look-alike: a reviewed plan with actions removed (or filtered by system/kind) is fine.
  std::string shortened = to_json(ws.plan);
  Json j = Json::parse(shortened);
  j["actions"].erase(j["actions"].begin(), j["actions"].begin() + 5);
  auto fewer = parse_plan(reseal(j.dump(2)));
  REQUIRE(fewer.ok());
  CHECK(check_derived(*fewer, *ws.db).ok());

  // An edited action: the grant raised to admin.
  std::string text = to_json(ws.plan);
  text.replace(text.find("\"after\": \"member\""), 17, "\"after\": \"admin\"");
  auto raised = parse_plan(reseal(text));
  REQUIRE(raised.ok());
  const Action* grant = nullptr;
  for (const auto& a : raised->actions) grant = a.type == ActionType::grant ? &a : grant;
  REQUIRE(grant != nullptr);
  CHECK(error_of(check_derived(*raised, *ws.db)) ==
        "plan " + raised->id + ": action " + grant->id + " (" + describe(*grant) + ") is not one that scan #" +
            std::to_string(ws.plan.basis.scan_id) +
            "'s findings call for (the plan file was edited; run `rollcall plan` again)");

  // An invented action: a grant nobody asked for, with a plausible id.
  Plan invented = ws.plan;
  Action extra = invented.actions.back();
  extra.account_id = extra.account_login = "attacker";
  extra.id = "0123456789ab";
  invented.actions.push_back(extra);
  CHECK_FALSE(check_derived(invented, *ws.db).ok());

  Plan elsewhere = ws.plan;
  elsewhere.basis.scan_id = 99;
  CHECK(error_of(check_derived(elsewhere, *ws.db)) == "plan " + elsewhere.id + ": its scan #99 is not in this workspace");
}

TEST_CASE("hostile plan: a file that is not JSON gets a valid UTF-8 error, its bytes escaped", "[plan][hostile]") {
  // Found by fuzz_plan (the 1-byte file 0xf0, tests/fuzz/corpus/plan/half_character.json):
  // nlohmann's message echoed the raw byte.
  auto p = parse_plan("\xf0");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().message() ==
        "not valid JSON: [json.exception.parse_error.101] parse error at line 1, column 1: syntax error while "
        "parsing value - invalid literal; last read: '\\xf0'");
  auto ascii = parse_plan("{\"schema\": x}");  // look-alike: plain ASCII is quoted as it is
  REQUIRE_FALSE(ascii.ok());
  CHECK(ascii.error().message() ==
        "not valid JSON: [json.exception.parse_error.101] parse error at line 1, column 12: syntax error while "
        "parsing value - invalid literal; last read: '\"schema\": x'");
}

TEST_CASE("hostile plan: the tickets CSV has report.csv's formula guard", "[plan][hostile]") {
  testing::TempDir dir;
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  TicketWriter tickets(**db, "app", dir / "tickets" / "app.csv");
  connectors::Change c;
  c.type = ActionType::revoke;
  c.account_id = "=HYPERLINK(\"http://evil.example\",\"x\")";
  c.account_login = "+cmd|' /C calc'!A0";
  c.entitlement_id = "team:ops";
  c.level = "-1";
  REQUIRE(tickets.write(c).ok());
  const std::string text = testing::read_file(dir / "tickets" / "app.csv");
  CHECK(text.find(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",") != std::string::npos);
  CHECK(text.find(",'+cmd|' /C calc'!A0,") != std::string::npos);
  CHECK(text.find(",'-1\n") != std::string::npos);
  CHECK(text.find(",team:ops,") != std::string::npos);  // look-alike: left as it is
}

}  // namespace rollcall::plan
