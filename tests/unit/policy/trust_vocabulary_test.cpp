// The vocabulary that keeps findings free of false classes: level sets, baselines, designed
// nestings and the statuses dormancy applies to.
#include "tests/unit/policy/policy_fixture.hpp"

using namespace rollcall;
using namespace rollcall::policy;
using namespace rollcall::policy::testing;
using Lines = std::vector<std::string>;

TEST_CASE("policy: a level set allows several levels; the first is the one granted", "[policy]") {
  PolicyWorkspace ws;
  ws.file("eng.lua", R"(owner "team-platform"
role "engineer" { github = { { "team:engineering", level = { "member", "maintainer" } } } }
role "lead" { github = { { "team:engineering", level = { "member", "admin" } } } }
role "owner" { github = { { "team:engineering", level = "admin" } } }
)");
  ws.person("e@acme.com", {"engineer"});
  ws.person("l@acme.com", {"engineer", "lead"});
  ws.person("o@acme.com", {"engineer", "owner"});
  auto engine = ws.load();
  CHECK(grant_lines(evaluate(*engine, ws.get("e@acme.com"))) == Lines{"github team:engineering member|maintainer"});
  // Same first level: the sets merge. A higher first level wins with its own set.
  CHECK(grant_lines(evaluate(*engine, ws.get("l@acme.com"))) ==
        Lines{"github team:engineering member|maintainer|admin"});
  CHECK(grant_lines(evaluate(*engine, ws.get("o@acme.com"))) == Lines{"github team:engineering admin"});
  CHECK(level_allowed("member|maintainer", "maintainer"));
  CHECK_FALSE(level_allowed("member|maintainer", "admin"));
  CHECK(primary_level("member|maintainer") == "member");
  CHECK(describe_levels("member|maintainer|admin") == "member, maintainer or admin");
}

TEST_CASE("policy: a level set must be a non-empty list of names", "[policy]") {
  PolicyWorkspace ws;
  ws.file("eng.lua", R"(role "engineer" { github = { { "team:x", level = {} } } })");
  CHECK(ws.load_error().find("level must be a string or a non-empty list of strings") != std::string::npos);
  PolicyWorkspace bar;
  bar.file("eng.lua", R"(role "engineer" { github = { { "team:x", level = "a|b" } } })");
  CHECK(bar.load_error().find("level must be a non-empty string or a list of them") != std::string::npos);
}

TEST_CASE("policy: baseline and nesting are read with their owner and source", "[policy]") {
  PolicyWorkspace ws;
  ws.file("base.lua", R"(owner "security"
baseline {
  system = "postgres",
  entitlements = { "database:*:connect", { "schema:app.public:USAGE", level = "member" } },
  platform_defaults = false,
  description = "what every login may do",
}
nesting { system = "postgres", entitlement = "role:app_rw", includes = { "role:app_ro" }, reason = "designed" }
settings { dormant_statuses = { "active", "leave" } }
)");
  auto engine = ws.load();
  REQUIRE(engine->baselines().size() == 1);
  const Baseline& b = engine->baselines()[0];
  CHECK(b.system == "postgres");
  CHECK_FALSE(b.platform_defaults);
  CHECK(b.owner == "security");
  REQUIRE(b.entitlements.size() == 2);
  CHECK(b.entitlements[0].entitlement == "database:*:connect");
  CHECK(b.entitlements[0].level.empty());  // any level
  CHECK(b.entitlements[1].level == "member");
  REQUIRE(engine->nestings().size() == 1);
  CHECK(engine->nestings()[0].includes == Lines{"role:app_ro"});
  CHECK(engine->nestings()[0].owner == "security");
  CHECK(engine->nestings()[0].source.str() == "policies/base.lua:8");
  CHECK(engine->settings().dormant_statuses == Lines{"active", "leave"});
}

TEST_CASE("policy: baseline, nesting and dormant_statuses mistakes are errors with file:line", "[policy]") {
  auto error_of = [](const std::string& text) {
    PolicyWorkspace ws;
    ws.file("x.lua", text);
    return ws.load_error();
  };
  CHECK(error_of(R"(baseline { system = "gihub", entitlements = {} })").find("unknown system \"gihub\"") !=
        std::string::npos);
  CHECK(error_of(R"(baseline { system = "github", entitlement = {} })").find("did you mean \"entitlements\"") !=
        std::string::npos);
  CHECK(error_of(R"(nesting { system = "postgres", entitlement = "role:a" })") ==
        "policies/x.lua:1: nesting: missing includes = { \"<type>:<name>\", ... }");
  CHECK(error_of(R"(nesting { system = "postgres", entitlement = "roleA", includes = { "role:b" } })")
            .find("malformed entitlement id \"roleA\"") != std::string::npos);
  CHECK(error_of(R"(settings { dormant_statuses = { "retired" } })").find("\"retired\" is not a roster status") !=
        std::string::npos);
}
