// Registry fields that arrive as lists (an Airtable multiple select, a JSON or PostgreSQL array)
// are read-only Lua lists in person.attrs; the prelude's list_attr, entitlements_from and
// roles_from turn them into entitlements and roles, with provenance naming the roster field.
#include "tests/unit/policy/policy_fixture.hpp"

using namespace rollcall;
using namespace rollcall::policy;
using namespace rollcall::policy::testing;
using Lines = std::vector<std::string>;

namespace {

const char* kAccess = R"(owner "team-it"
entitlements_from("Entitlements", {
  Slack = { slack = { "workspace:member" } },
  GitHub = { github = { "org:acme" } },
  AWS = { okta = { "app:aws" } },
})
)";

Lines why(const DesiredGrant& g) {
  Lines out;
  for (const auto& p : g.why) out.push_back(p.describe());
  return out;
}

}  // namespace

TEST_CASE("policy: a list attribute is a read-only Lua list", "[policy]") {
  PolicyWorkspace ws;
  auto& p = ws.person("jane@acme.com");
  p.list_attrs["Entitlements"] = {"Slack", "GitHub", "AWS"};
  p.attrs["Team"] = "Platform";
  ws.file("probe.lua", R"(
rule("probe", function(person)
  local e = person.attrs.Entitlements
  assert(type(e) == "table" and #e == 3 and e[1] == "Slack" and e[3] == "AWS")
  assert(contains(e, "GitHub") and not contains(e, "Figma"))
  assert(person.attrs.Team == "Platform")
  assert(#list_attr(person, "Team") == 1 and #list_attr(person, "Missing") == 0)
  local n = 0
  for k in pairs(person.attrs) do n = n + 1 end
  assert(n == 2)
  e[1] = "Figma"
end)
)");
  auto engine = ws.load();
  CHECK(evaluate_error(*engine, ws.get("jane@acme.com")) ==
        "person \"jane@acme.com\": policies/probe.lua:11: person.attrs list is read-only");
}

TEST_CASE("policy: entitlements_from gives each listed value's entitlements, naming the roster field", "[policy]") {
  PolicyWorkspace ws;
  ws.file("access.lua", kAccess);
  ws.person("list@acme.com").list_attrs["Entitlements"] = {"Slack", "GitHub", "AWS"};
  ws.person("text@acme.com").attrs["Entitlements"] = " Slack ; GitHub;AWS";  // a CSV or SQLite cell
  ws.person("some@acme.com").list_attrs["Entitlements"] = {"GitHub"};
  ws.person("none@acme.com");                                                // control: no field
  ws.person("other@acme.com").list_attrs["Tools"] = {"Slack"};               // control: another field
  auto engine = ws.load();
  const Lines all = {"github org:acme member", "okta app:aws member", "slack workspace:member member"};
  CHECK(grant_lines(evaluate(*engine, ws.get("list@acme.com"))) == all);
  CHECK(grant_lines(evaluate(*engine, ws.get("text@acme.com"))) == all);
  PersonAccess some = evaluate(*engine, ws.get("some@acme.com"));
  CHECK(grant_lines(some) == Lines{"github org:acme member"});
  CHECK(why(some.grants[0]) == Lines{"rule \"roster field Entitlements\" <- policies/access.lua:2"});
  CHECK(evaluate(*engine, ws.get("none@acme.com")).grants.empty());
  CHECK(evaluate(*engine, ws.get("other@acme.com")).grants.empty());
  REQUIRE(engine->rules().size() == 1);
  CHECK(engine->rules()[0].name == "roster field Entitlements");
  CHECK(engine->rules()[0].source.str() == "policies/access.lua:2");
}

TEST_CASE("policy: a listed value the map does not name is an error, not a silent gap", "[policy]") {
  PolicyWorkspace ws;
  ws.file("access.lua", kAccess);
  ws.person("jane@acme.com").list_attrs["Entitlements"] = {"Slack", "Figma"};
  auto engine = ws.load();
  CHECK(evaluate_error(*engine, ws.get("jane@acme.com")) ==
        "person \"jane@acme.com\": policies/access.lua:2: rule \"roster field Entitlements\": roster field "
        "\"Entitlements\" of jane@acme.com lists \"Figma\", which the entitlements_from map does not name (it "
        "names: AWS, GitHub, Slack)");
}

TEST_CASE("policy: roles_from turns a list attribute into roles in an assign hook", "[policy]") {
  PolicyWorkspace ws;
  ws.file("teams.lua", R"(
role "payments-dev" { github = { "team:payments" } }
role "web-dev" { github = { "team:web" } }
assign(function(person)
  return roles_from(person, "Teams", { Payments = "payments-dev", Web = { "web-dev" } })
end)
)");
  ws.person("dev@acme.com").list_attrs["Teams"] = {"Payments", "Web"};
  ws.person("ops@acme.com");  // control
  auto engine = ws.load();
  PersonAccess dev = evaluate(*engine, ws.get("dev@acme.com"));
  CHECK(role_names(dev) == Lines{"payments-dev", "web-dev"});
  CHECK(dev.roles[0].assigned_by == "assign at policies/teams.lua:4");
  CHECK(role_names(evaluate(*engine, ws.get("ops@acme.com"))).empty());
}

TEST_CASE("policy: entitlements_from is checked when the policy loads", "[policy]") {
  PolicyWorkspace ws;
  ws.file("bad.lua", "entitlements_from(\"Entitlements\")\n");
  CHECK(ws.load_error() ==
        "policies/bad.lua:1: entitlements_from needs a field name and a map: entitlements_from(\"Entitlements\", "
        "{ Slack = { slack = { \"workspace:member\" } } })");
}
