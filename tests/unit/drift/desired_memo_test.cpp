// Memoized policy evaluation (DesiredState::Evaluation::memoized) must build exactly the desired
// state that evaluating every person does: same entries, levels, provenance, owners and roles
// text, person by person. Checked on the acme policies (whose rules and assign hooks make the
// engine evaluate each person), on acme's roles alone (where people sharing a role set are
// evaluated once), and on a rule that reads a person-unique attribute.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "policies/engine/policy.hpp"
#include "scanner/drift/desired.hpp"
#include "scanner/roster/roster.hpp"
#include "tests/support/temp_dir.hpp"

namespace rollcall::testing {
namespace {

constexpr UnixTime kNow = 1'780'000'000;  // 2026-05-28

struct Loaded {
  roster::Roster roster;
  std::unique_ptr<policy::PolicyEngine> engine;
};

// Loads a roster and a policies folder; the engine borrows the roster, so both live together.
std::unique_ptr<Loaded> load(const std::filesystem::path& workspace, const std::vector<std::string>& systems) {
  auto out = std::make_unique<Loaded>();
  config::RosterConfig rc;
  rc.path = workspace / "roster.csv";
  auto roster = roster::load_roster(rc);
  REQUIRE(roster.ok());
  out->roster = std::move(*roster);
  auto engine = policy::PolicyEngine::load(workspace / "policies", workspace, systems, out->roster, kNow);
  if (!engine) FAIL(engine.error().message());
  out->engine = std::move(*engine);
  return out;
}

// Every person's desired state, as text: one line per entry with its level, provenance and
// owner, then the roles text. Ids of the string pools are not compared, only what they name.
std::string render(const drift::DesiredState& d, const roster::Roster& roster, std::size_t systems) {
  std::ostringstream out;
  for (std::uint32_t p = 0; p < roster.people.size(); ++p) {
    out << roster.people[p].email << " roles: " << d.roles_of(p) << "\n";
    for (std::size_t s = 0; s < systems; ++s) {
      auto [begin, end] = d.of(s, p);
      for (auto e = begin; e != end; ++e) {
        out << "  " << s << " " << e->person << " " << d.entitlements.str(e->entitlement) << " "
            << d.levels.str(e->level) << " privileged=" << d.system(s).privileged.count(e->entitlement) << " owner="
            << d.texts.str(e->owner) << "\n    " << d.texts.str(e->provenance) << "\n";
      }
    }
  }
  return out.str();
}

void check_memoized_equals_per_person(const std::filesystem::path& workspace, const std::vector<std::string>& systems) {
  auto a = load(workspace, systems);
  auto b = load(workspace, systems);
  auto memo = drift::DesiredState::evaluate(a->roster, *a->engine, systems, drift::DesiredState::Evaluation::memoized);
  auto each = drift::DesiredState::evaluate(b->roster, *b->engine, systems, drift::DesiredState::Evaluation::per_person);
  REQUIRE(memo.ok());
  REQUIRE(each.ok());
  CHECK(memo->grant_count() == each->grant_count());
  CHECK(memo->grant_count() > 0);
  CHECK(render(*memo, a->roster, systems.size()) == render(*each, b->roster, systems.size()));
  // Both count every person as evaluated, so the "held by nobody" warnings agree too.
  CHECK(a->engine->warnings() == b->engine->warnings());
}

const std::vector<std::string> kAcmeSystems = {"github", "slack", "okta", "postgres", "netsuite"};

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A copy of the acme workspace's roster and policies; without its rule and assign hooks when
// `roles_only`.
void copy_acme(const TempDir& dir, bool roles_only) {
  const auto acme = source_dir() / "examples/acme";
  dir.write("roster.csv", read(acme / "roster.csv"));
  const std::regex hook(R"((^|\n)(rule|assign)\((.|\n)*?\nend\))");
  for (const auto& entry : std::filesystem::directory_iterator(acme / "policies")) {
    std::string text = read(entry.path());
    if (roles_only) text = std::regex_replace(text, hook, "$1");
    dir.write("policies/" + entry.path().filename().string(), text);
  }
}

}  // namespace

TEST_CASE("desired state: memoized evaluation equals per-person evaluation on the acme policies", "[drift][desired]") {
  TempDir dir;
  copy_acme(dir, false);
  auto loaded = load(dir.path(), kAcmeSystems);
  // The acme rules read department, title, attributes and dates: no person can share a result.
  CHECK_FALSE(loaded->engine->evaluation_class(loaded->roster.people.front()).has_value());
  check_memoized_equals_per_person(dir.path(), kAcmeSystems);
}

TEST_CASE("desired state: memoized evaluation equals per-person evaluation on acme's roles alone", "[drift][desired]") {
  TempDir dir;
  copy_acme(dir, true);
  CHECK(read(dir / "policies/platform.lua").find("rule(") == std::string::npos);
  auto loaded = load(dir.path(), kAcmeSystems);
  const auto& people = loaded->roster.people;
  auto first = loaded->engine->evaluation_class(people[0]);
  REQUIRE(first.has_value());
  CHECK(first->assigned_by == "roster role column (roster.csv:2)");
  check_memoized_equals_per_person(dir.path(), kAcmeSystems);
}

TEST_CASE("desired state: people sharing a role set share an evaluation, with their own roster rows", "[drift][desired]") {
  TempDir dir;
  dir.write("roster.csv",
            "employee_id,email,name,department,title,role,status\n"
            "E1,ann@acme.com,Ann,Eng,SRE,sre;engineer,active\n"
            "E2,bob@acme.com,Bob,Eng,SRE,engineer;sre;sre,active\n"   // same set, other order, repeated
            "E3,cy@acme.com,Cy,Eng,Dev,engineer,active\n"
            "E4,dee@acme.com,Dee,Eng,Dev,engineer;ghost,active\n"      // a role no policy defines
            "E5,eve@acme.com,Eve,Ops,,,active\n");                    // no role at all
  dir.write("policies/eng.lua",
            "owner \"team-eng\"\n"
            "role \"engineer\" { github = { \"org:acme\", { \"team:web\", level = { \"member\", \"maintainer\" } } } }\n"
            "role \"sre\" { includes = { \"engineer\" }, privileged = true,\n"
            "  github = { { \"org:acme\", level = \"admin\" } }, slack = { \"usergroup:ops\" } }\n");
  const std::vector<std::string> systems = {"github", "slack"};
  auto loaded = load(dir.path(), systems);
  const auto& people = loaded->roster.people;
  auto ann = loaded->engine->evaluation_class(people[0]);
  auto bob = loaded->engine->evaluation_class(people[1]);
  auto cy = loaded->engine->evaluation_class(people[2]);
  REQUIRE((ann && bob && cy));
  CHECK(ann->key == bob->key);
  CHECK(ann->key != cy->key);
  CHECK(bob->assigned_by == "roster role column (roster.csv:3)");
  check_memoized_equals_per_person(dir.path(), systems);
}

TEST_CASE("desired state: a rule reading a person-unique attribute is evaluated for each person", "[drift][desired]") {
  TempDir dir;
  dir.write("roster.csv",
            "employee_id,email,name,department,title,role,status\n"
            "E1,ann@acme.com,Ann,Eng,SRE,engineer,active\n"
            "E2,bob@acme.com,Bob,Eng,SRE,engineer,active\n"
            "E3,cy@acme.com,Cy,Eng,SRE,engineer,active\n");
  dir.write("policies/eng.lua",
            "owner \"team-eng\"\n"
            "role \"engineer\" { github = { \"org:acme\" } }\n"
            "rule(\"own-repo\", function(person)\n"
            "  if person.employee_id ~= \"E2\" then return { github = { \"repo:\" .. person.employee_id } } end\n"
            "end)\n");
  const std::vector<std::string> systems = {"github"};
  auto loaded = load(dir.path(), systems);
  CHECK_FALSE(loaded->engine->evaluation_class(loaded->roster.people[0]).has_value());
  check_memoized_equals_per_person(dir.path(), systems);
  auto memo = drift::DesiredState::evaluate(loaded->roster, *loaded->engine, systems);
  REQUIRE(memo.ok());
  CHECK(memo->of(0, 0).second - memo->of(0, 0).first == 2);  // org:acme, repo:E1
  CHECK(memo->of(0, 1).second - memo->of(0, 1).first == 1);  // org:acme only
  CHECK(memo->entitlements.str(memo->of(0, 2).first[1].entitlement) == "repo:E3");
}

}  // namespace rollcall::testing
