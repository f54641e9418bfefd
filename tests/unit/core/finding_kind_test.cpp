// The one table of finding kinds: names round-trip, every kind is documented in the manual's
// findings page with its default severity, and facts survive their JSON form.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "scanner/core/finding_kind.hpp"

namespace rollcall {
namespace {

TEST_CASE("finding kinds: names round-trip and unknown names are refused", "[core]") {
  for (const auto& k : finding_kinds()) {
    REQUIRE(parse_finding_kind(k.name) == k.kind);
    CHECK(to_string(k.kind) == k.name);
    CHECK_FALSE(k.exempt.empty());
  }
  CHECK_FALSE(parse_finding_kind("orphan").has_value());
  CHECK(finding_kind_names().size() == kFindingKindCount);
}

TEST_CASE("finding kinds: every kind is in docs/findings.md with its default severity", "[core]") {
  std::ifstream in(std::string(ROLLCALL_SOURCE_DIR) + "/docs/findings.md");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  for (const auto& k : finding_kinds()) {
    const std::string row = "| `" + std::string(k.name) + "` | " + std::string(to_string(k.severity));
    INFO(row);
    CHECK(doc.find(row) != std::string::npos);
  }
}

TEST_CASE("finding kinds: the report's JSON Schema lists every kind", "[core]") {
  std::ifstream in(std::string(ROLLCALL_SOURCE_DIR) + "/docs/report.schema.json");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& k : finding_kinds()) {
    INFO(k.name);
    CHECK(text.str().find("\"" + std::string(k.name) + "\"") != std::string::npos);
  }
}

TEST_CASE("finding facts: JSON round trip; empty members are left out", "[core]") {
  FindingFacts f;
  f.held = {{"member", "direct"}, {"admin", "team:x"}};
  f.allowed_levels = {"member", "maintainer"};
  f.account_state = "disabled";
  f.accounts = {"U1", "U2"};
  f.via = "group:a";
  f.reach = 3;
  f.privileged = true;
  auto back = facts_from_json(facts_to_json(f));
  REQUIRE(back.ok());
  CHECK(back->held.size() == 2);
  CHECK(back->held[1].via == "team:x");
  CHECK(back->allowed_levels == f.allowed_levels);
  CHECK(back->account_state == "disabled");
  CHECK(back->accounts == f.accounts);
  CHECK(back->reach == 3);
  CHECK(back->privileged);
  CHECK(facts_to_json(FindingFacts{}) == "{}");
  CHECK_FALSE(facts_from_json("[1]").ok());
  CHECK_FALSE(facts_from_json(R"({"held": 5})").ok());
}

}  // namespace
}  // namespace rollcall
