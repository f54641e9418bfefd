#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "reports/writers.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/reports/sample_report.hpp"

using namespace rollcall::reports;
using rollcall::testing::sample_report;

namespace {

std::string render_sarif(const Report& report) {
  rollcall::testing::TempDir dir;
  REQUIRE(write_sarif(report, dir / "report.sarif").ok());
  return rollcall::testing::read_file(dir / "report.sarif");
}

}  // namespace

TEST_CASE("sarif: one result per open or excepted finding, located at the policy line that decided it",
          "[report][sarif]") {
  Report report = sample_report(8);
  const auto doc = nlohmann::json::parse(render_sarif(report));
  CHECK(doc["version"] == "2.1.0");
  const auto& run = doc["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "rollcall");
  CHECK(run["tool"]["driver"]["rules"].size() == rollcall::kFindingKindCount);
  CHECK(run["automationDetails"]["id"] == "rollcall/scan/7");
  REQUIRE(run["results"].size() == report.findings.size());  // resolved ones are left out

  const auto& first = run["results"][0];
  CHECK(first["ruleId"] == report.findings[0].kind);
  CHECK(first["partialFingerprints"]["rollcall/v1"] == report.findings[0].fingerprint);
  const auto& place = first["locations"][0]["physicalLocation"];
  CHECK(place["artifactLocation"]["uri"] == "policies/eng.lua");
  CHECK(place["region"]["startLine"] == 3);
  CHECK(first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "postgres/u-0/team:platform");
  CHECK(first.count("suppressions") == 0);
}

TEST_CASE("sarif: an excepted finding is an accepted suppression naming its ticket; levels follow severity",
          "[report][sarif]") {
  Report report = sample_report(4);
  const auto doc = nlohmann::json::parse(render_sarif(report));
  const auto& results = doc["runs"][0]["results"];
  const auto& excepted = results[3];  // sample finding 3 is excepted
  REQUIRE(excepted.count("suppressions") == 1);
  CHECK(excepted["suppressions"][0]["status"] == "accepted");
  CHECK(excepted["suppressions"][0]["justification"] == "SEC-3: migration (until 2026-12-31)");
  CHECK(results[0]["level"] == "error");    // high
  CHECK(results[1]["level"] == "warning");  // medium
}

TEST_CASE("sarif: invalid UTF-8 from a source is repaired and the output is deterministic", "[report][sarif]") {
  Report report = sample_report(3);
  report.findings[0].message = "bad \xFF\xFE name";
  const std::string once = render_sarif(report);
  CHECK(once == render_sarif(report));
  CHECK(nlohmann::json::parse(once)["runs"][0]["results"][0]["message"]["text"] == "bad \xEF\xBF\xBD\xEF\xBF\xBD name");
}

TEST_CASE("sarif: hostile text in every field still gives valid JSON", "[report][sarif]") {
  const Report report = rollcall::testing::hostile_report(20);
  const auto doc = nlohmann::json::parse(render_sarif(report));
  CHECK(doc["runs"][0]["results"].size() == report.findings.size());
}
