#include <catch2/catch.hpp>

#include <sstream>

#include "reports/json/json_report.hpp"
#include "reports/writers.hpp"
#include "scanner/core/csv.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/reports/sample_report.hpp"

using namespace rollcall::reports;
using rollcall::testing::sample_report;

namespace {

std::string render(const Report& report) {
  rollcall::testing::TempDir dir;
  auto path = dir / "findings.csv";
  auto written = write_csv(report, path);
  REQUIRE(written.ok());
  return rollcall::testing::read_file(path);
}

std::vector<std::vector<std::string>> parse(const std::string& text) {
  std::istringstream in(text);
  rollcall::CsvReader reader(in);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  while (true) {
    auto more = reader.next(fields);
    REQUIRE(more.ok());
    if (!*more) break;
    rows.push_back(fields);
  }
  return rows;
}

}  // namespace

TEST_CASE("csv: a UTF-8 BOM, the documented header, one CRLF row per finding", "[report][csv]") {
  Report report = sample_report(4);
  std::string text = render(report);
  CHECK(text.rfind("\xEF\xBB\xBF" "fingerprint,kind,severity,status,system,account_id,account_login,"
                   "person_email,person_name,entitlement_id,expected,actual,first_seen,message,owner,accounts,"
                   "roster_row,policy,snapshot_id,snapshot_taken_at,snapshot_digest,exception_ticket,"
                   "exception_expires,exception_reason,exception_source,evidence,scan_id\r\n", 0) == 0);
  auto rows = parse(text);
  REQUIRE(rows.size() == 1 + report.findings.size() + report.resolved.size());
  for (const auto& row : rows) CHECK(row.size() == 27);
  for (std::size_t i = 1; i < rows.size(); ++i) CHECK(rows[i][26] == std::to_string(report.scan_id));

  const Finding& f = report.findings[3];  // the excepted one
  std::string accounts;
  for (const auto& a : f.facts.accounts) (accounts.empty() ? accounts : accounts += ';') += a;
  CHECK(rows[4] == std::vector<std::string>{
                       "fp1003", "unauthorized_access", "high", "excepted", "github", "u-3", "user3",
                       "person3@acme.com", "Person 3", "team:platform", "absent", "member",
                       "2026-09-21T14:16:20Z", f.message, f.owner, accounts, "roster.csv:5",
                       "role \"engineer\" <- policies/eng.lua:3", "11", "2026-09-27T09:06:40Z", "abc123",
                       "SEC-3", "2026-12-31", "migration", "policies/exceptions.lua:4",
                       evidence_to_json(f.evidence), "7"});
  CHECK(rows[5][3] == "resolved");
  CHECK(rows[6][3] == "resolved");
}

TEST_CASE("csv: commas, quotes and line breaks are quoted per RFC 4180", "[report][csv]") {
  Report report = sample_report(1);
  Finding& f = report.findings[0];
  f.person_name = "Doe, Jane \"JD\"";
  f.message = "two\r\nlines";
  f.expected = " padded ";
  std::string text = render(report);
  CHECK(text.find(",\"Doe, Jane \"\"JD\"\"\",") != std::string::npos);
  CHECK(text.find(",\"two\r\nlines\",") != std::string::npos);
  auto rows = parse(text);
  CHECK(rows[1][8] == "Doe, Jane \"JD\"");
  CHECK(rows[1][10] == " padded ");
  CHECK(rows[1][13] == "two\r\nlines");
}

TEST_CASE("csv: cells that a spreadsheet would run as a formula get a quote prefix", "[report][csv]") {
  Report report = sample_report(1);
  Finding& f = report.findings[0];
  f.account_id = "=HYPERLINK(\"http://evil.example\",\"x\")";
  f.account_login = "+1+1";
  f.person_email = "-2+3";
  f.person_name = "@SUM(A1:A9)";
  f.entitlement_id = "\tcmd";
  f.expected = "\rcmd";
  f.actual = "a=b";  // only a leading character is dangerous
  auto rows = parse(render(report));
  CHECK(rows[1][5] == "'=HYPERLINK(\"http://evil.example\",\"x\")");
  CHECK(rows[1][6] == "'+1+1");
  CHECK(rows[1][7] == "'-2+3");
  CHECK(rows[1][8] == "'@SUM(A1:A9)");
  CHECK(rows[1][9] == "'\tcmd");
  CHECK(rows[1][10] == "'\rcmd");
  CHECK(rows[1][11] == "a=b");
}

TEST_CASE("csv: invalid UTF-8 is repaired and the output is deterministic", "[report][csv]") {
  Report report = rollcall::testing::hostile_report(3);
  std::string text = render(report);
  CHECK(text == render(report));
  auto rows = parse(text);
  bool found = false;
  for (const auto& row : rows) found = found || row[8] == "bad utf8 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD";
  CHECK(found);
}
