// The rollcall.report/v1 JSON writer: every field, deterministic bytes, hostile values, the
// evidence round trip used by the scan history, and atomic replacement of the file.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "reports/json/json_report.hpp"
#include "reports/output.hpp"
#include "reports/writers.hpp"
#include "tests/support/temp_dir.hpp"

namespace rollcall::testing {
namespace {

using Json = nlohmann::ordered_json;

reports::Report sample() {
  reports::Report r;
  r.tool_version = "0.1.0";
  r.scan_id = 7;
  r.started_at = 1793491200;  // 2026-11-01T00:00:00Z
  r.finished_at = 1793491205;
  r.workspace = "/srv/acme";
  r.roster_digest = "rd";
  r.policy_digest = "pd";
  r.people = 2;
  reports::SystemStatus github;
  github.name = "github";
  github.type = "github";
  github.status = "complete";
  github.snapshot = reports::SnapshotRef{3, 1793487600, "abc"};
  github.accounts = 2;
  github.grants = 5;
  reports::SystemStatus slack;
  slack.name = "slack";
  slack.type = "slack";
  slack.status = "missing";
  r.systems = {github, slack};
  reports::Finding f;
  f.fingerprint = "fp1";
  f.kind = "unauthorized_access";
  f.severity = reports::Severity::critical;
  f.status = reports::FindingStatus::excepted;
  f.system = "github";
  f.account_id = "u1";
  f.account_login = "jdoe";
  f.person_email = "jane@acme.com";
  f.person_name = "Jane \"JD\" Doe\n<script>";
  f.entitlement_id = "org:acme";
  f.expected = "no access";
  f.actual = "admin";
  f.message = "bad \xff byte";
  f.first_seen = 1793404800;
  f.evidence.roster_row = "roster.csv:3";
  f.evidence.policy = {"roles: engineer"};
  f.evidence.snapshot = github.snapshot;
  f.evidence.exception_ticket = "SEC-1";
  f.evidence.exception_expires = 1798761599;
  f.evidence.exception_reason = "migration";
  f.evidence.exception_source = "policies/sec.lua:4";
  f.evidence.extra = {{"privileged", "true"}, {"matched_by", "email"}};
  r.findings = {f};
  reports::Finding gone = f;
  gone.fingerprint = "fp0";
  gone.status = reports::FindingStatus::resolved;
  gone.evidence = {};
  r.resolved = {gone};
  r.summary.excepted = 1;
  r.summary.resolved = 1;
  r.summary.by_kind = {{"orphan_account", 2}};
  r.summary.by_severity = {{"high", 2}};
  r.trend = {{7, 1793491200, {{"high", 2}}}};
  return r;
}

TEST_CASE("report json: every field of rollcall.report/v1, in a fixed order", "[reports][json]") {
  TempDir dir;
  REQUIRE(reports::write_json(sample(), dir / "report.json").ok());
  const std::string text = read_file(dir / "report.json");
  Json j = Json::parse(text);
  std::vector<std::string> keys;
  for (const auto& [k, _] : j.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"schema", "tool", "scan", "systems", "summary", "findings", "resolved", "trend", "credentials"});
  CHECK(j["schema"] == "rollcall.report/v1");
  CHECK(j["tool"] == Json{{"name", "rollcall"}, {"version", "0.1.0"}});
  CHECK(j["scan"].dump() ==
        R"({"id":7,"started_at":"2026-11-01T00:00:00Z","finished_at":"2026-11-01T00:00:05Z","workspace":"/srv/acme",)"
        R"("people":2,"roster_digest":"rd","policy_digest":"pd"})");
  CHECK(j["systems"][0].dump() ==
        R"({"name":"github","type":"github","status":"complete","snapshot":{"id":3,"taken_at":"2026-10-31T23:00:00Z",)"
        R"("digest":"abc"},"error":"","accounts":2,"entitlements":0,"grants":5,"unmatched":0})");
  CHECK(j["systems"][1]["snapshot"].is_null());
  CHECK(j["summary"].dump() ==
        R"({"open":0,"new":0,"persisting":0,"excepted":1,"resolved":1,"by_severity":{"error":0,"critical":0,)"
        R"("high":2,"medium":0,"low":0,"info":0},"by_kind":{"orphan_account":2},"by_system":{}})");
  const Json& f = j["findings"][0];
  CHECK(f.dump() ==
        R"({"fingerprint":"fp1","kind":"unauthorized_access","severity":"critical","status":"excepted",)"
        R"("system":"github","account_id":"u1","account_login":"jdoe","person_email":"jane@acme.com",)"
        R"("person_name":"Jane \"JD\" Doe\n<script>","entitlement_id":"org:acme","expected":"no access",)"
        R"("actual":"admin","message":"bad )" "\xef\xbf\xbd" R"( byte","first_seen":"2026-10-31T00:00:00Z","owner":"","held":[],"allowed_levels":[],)"
        R"("account_state":"","accounts":[],"via":"","reach":0,"privileged":false,"credential_id":"","credential_kind":"","evidence":)"
        R"({"roster_row":"roster.csv:3","policy":["roles: engineer"],"snapshot":{"id":3,)"
        R"("taken_at":"2026-10-31T23:00:00Z","digest":"abc"},"exception":{"ticket":"SEC-1","expires":"2026-12-31",)"
        R"("reason":"migration","source":"policies/sec.lua:4"},"facts":{"matched_by":"email","privileged":"true"}}})");
  CHECK(j["resolved"][0]["status"] == "resolved");
  CHECK(j["resolved"][0]["evidence"].dump() ==
        R"({"roster_row":"","policy":[],"snapshot":null,"exception":null,"facts":{}})");
  CHECK(j["trend"].dump() ==
        R"([{"scan_id":7,"at":"2026-11-01T00:00:00Z","by_severity":{"error":0,"critical":0,"high":2,"medium":0,)"
        R"("low":0,"info":0}}])");
}

TEST_CASE("report json: pretty-printed, deterministic, empty lists stay on one line", "[reports][json]") {
  TempDir dir;
  reports::Report r = sample();
  REQUIRE(reports::write_json(r, dir / "a.json").ok());
  REQUIRE(reports::write_json(r, dir / "b.json").ok());
  const std::string a = read_file(dir / "a.json");
  CHECK(a == read_file(dir / "b.json"));
  CHECK(a.rfind("{\n  \"schema\": \"rollcall.report/v1\",\n  \"tool\": {\n    \"name\": \"rollcall\",", 0) == 0);
  CHECK(a.find("\n      \"fingerprint\": \"fp1\",\n") != std::string::npos);
  CHECK(a.back() == '\n');
  r.findings.clear();
  r.resolved.clear();
  r.trend.clear();
  REQUIRE(reports::write_json(r, dir / "empty.json").ok());
  const std::string empty = read_file(dir / "empty.json");
  CHECK(empty.find("\"findings\": [],\n  \"resolved\": [],\n  \"trend\": [],\n  \"credentials\": []\n}\n") != std::string::npos);
}

TEST_CASE("report json: evidence round-trips through its stored form", "[reports][json]") {
  const reports::Evidence e = sample().findings[0].evidence;
  const std::string text = reports::evidence_to_json(e);
  CHECK(text.find('\n') == std::string::npos);
  auto back = reports::evidence_from_json(text);
  REQUIRE(back.ok());
  CHECK(back->roster_row == e.roster_row);
  CHECK(back->policy == e.policy);
  CHECK(back->snapshot->id == 3);
  CHECK(back->snapshot->taken_at == e.snapshot->taken_at);
  CHECK(back->exception_ticket == "SEC-1");
  CHECK(back->exception_expires == 1798675200);  // the day survives, as a date
  CHECK(back->extra == e.extra);

  auto bad = reports::evidence_from_json("{\"policy\": 3}");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message().rfind("evidence: ", 0) == 0);
}

TEST_CASE("report json: a failed write names the file and leaves the old report in place", "[reports][json]") {
  TempDir dir;
  auto r = reports::write_json(sample(), dir / "missing-folder" / "report.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == (dir / "missing-folder" / "report.json").string() + ": cannot create: No such file or directory");

  dir.write("report.json", "old");
  REQUIRE(reports::write_json(sample(), dir / "report.json").ok());
  CHECK(read_file(dir / "report.json") != "old");
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
  }
}

TEST_CASE("report formats: names, files, and writing several at once", "[reports]") {
  CHECK(reports::find_format("html")->file == "report.html");
  CHECK(reports::find_format("pdf") == nullptr);
  TempDir dir;
  std::vector<const reports::Format*> all;
  for (const auto& f : reports::formats()) all.push_back(&f);
  REQUIRE(reports::write_reports(sample(), dir.path(), all).ok());
  for (const char* file : {"report.json", "report.html", "report.csv"}) CHECK(std::filesystem::file_size(dir / file) > 0);
  auto r = reports::write_reports(sample(), dir / "nope", all);
  REQUIRE_FALSE(r.ok());
  // The set is staged in a folder beside the reports, so that is what cannot be created.
  CHECK_THAT(r.error().message(), Catch::StartsWith((dir / "nope").string() + "/.rollcall-reports.tmp-") &&
                                      Catch::EndsWith(": cannot create: No such file or directory"));
}

}  // namespace
}  // namespace rollcall::testing
