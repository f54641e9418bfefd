// Every desired grant says why (role chain or rule, file:line); output order and the policy
// digest do not depend on anything but the files.
#include "tests/unit/policy/policy_fixture.hpp"

#include "scanner/core/digest.hpp"

using namespace rollcall;
using namespace rollcall::policy;
using namespace rollcall::policy::testing;
using Lines = std::vector<std::string>;

namespace {

const char* kPlatform = R"(owner "team-platform"

role "engineer" {
  github   = { "team:platform", "team:backend" },
  postgres = { "role:app_readonly" },
}

role "sre" {
  includes = { "engineer" },
  postgres = { "role:db_admin" },
  github   = { { "org:acme", level = "admin" } },
}

role "staff" {
  includes = { "sre" },
  slack = { "usergroup:staff" },
}
)";

std::vector<std::string> describe_all(const DesiredGrant& g) {
  std::vector<std::string> out;
  for (const auto& p : g.why) out.push_back(p.describe());
  return out;
}

}  // namespace

TEST_CASE("provenance: a grant through includes names the chain and the entitlement's line", "[policy]") {
  PolicyWorkspace ws;
  ws.file("eng.lua", kPlatform);
  ws.person("sam@acme.com", {"staff"});
  auto engine = ws.load();
  PersonAccess a = evaluate(*engine, ws.get("sam@acme.com"));
  REQUIRE(grant_lines(a) == Lines{"github org:acme admin", "github team:backend member",
                                  "github team:platform member", "postgres role:app_readonly member",
                                  "postgres role:db_admin member", "slack usergroup:staff member"});
  CHECK(describe_all(a.grants[0]) == Lines{"role \"staff\" <- includes \"sre\" <- policies/eng.lua:11"});
  CHECK(describe_all(a.grants[2]) ==
        Lines{"role \"staff\" <- includes \"sre\" <- includes \"engineer\" <- policies/eng.lua:4"});
  CHECK(describe_all(a.grants[3]) ==
        Lines{"role \"staff\" <- includes \"sre\" <- includes \"engineer\" <- policies/eng.lua:5"});
  CHECK(describe_all(a.grants[5]) == Lines{"role \"staff\" <- policies/eng.lua:16"});
  const Provenance& p = a.grants[2].why[0];
  CHECK(p.kind == Provenance::Kind::role);
  CHECK(p.name == "staff");
  CHECK(p.chain == Lines{"staff", "sre", "engineer"});
  CHECK(p.assigned_by == "roster role column (roster.csv:2)");
  CHECK(p.level == "member");
}

TEST_CASE("provenance: a grant from several roles and a rule keeps every reason", "[policy]") {
  PolicyWorkspace ws;
  ws.file("eng.lua", kPlatform);
  ws.file("ops.lua", R"(owner "team-sre"
rule("on-call", function(person)
  if person.attrs.oncall == "yes" then
    return { github = { "team:platform" } }
  end
end)
)");
  auto& p = ws.person("sam@acme.com", {"engineer", "sre"});
  p.attrs["oncall"] = "yes";
  auto engine = ws.load();
  PersonAccess a = evaluate(*engine, ws.get("sam@acme.com"));
  const DesiredGrant& platform = a.grants[2];
  REQUIRE(platform.entitlement_id == "team:platform");
  CHECK(describe_all(platform) == Lines{"role \"engineer\" <- policies/eng.lua:4",
                                        "role \"sre\" <- includes \"engineer\" <- policies/eng.lua:4",
                                        "rule \"on-call\" <- policies/ops.lua:4"});
}

TEST_CASE("provenance: an id written the same way in two roles points at each role's line", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", R"(
local shared = "team:shared"
role "one" { github = { shared } }
role "two" {
  github = { "team:shared" },
}
)");
  ws.person("p@acme.com", {"one", "two"});
  auto engine = ws.load();
  PersonAccess a = evaluate(*engine, ws.get("p@acme.com"));
  // role "one" computed its id: the role's own line; role "two" wrote it: the literal's line.
  CHECK(describe_all(a.grants[0]) ==
        Lines{"role \"one\" <- policies/a.lua:3", "role \"two\" <- policies/a.lua:5"});
}

TEST_CASE("provenance: the same id under two systems points at the right system's line", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", R"(role "x" {
  okta = {
    "group:admins",
  },
  github = {
    "group:admins",
  },
}
)");
  ws.person("p@acme.com", {"x"});
  auto engine = ws.load();
  PersonAccess a = evaluate(*engine, ws.get("p@acme.com"));
  CHECK(describe_all(a.grants[0]) == Lines{"role \"x\" <- policies/a.lua:6"});  // github
  CHECK(describe_all(a.grants[1]) == Lines{"role \"x\" <- policies/a.lua:3"});  // okta
}

TEST_CASE("provenance: commented-out ids are not mistaken for the written one", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua",
          "role \"x\" {\n  -- github = { \"team:old\" },\n  --[[ \"team:old\" ]]\n  github = { \"team:old\" "
          "},\n}\n");
  ws.person("p@acme.com", {"x"});
  auto engine = ws.load();
  CHECK(describe_all(evaluate(*engine, ws.get("p@acme.com")).grants[0]) ==
        Lines{"role \"x\" <- policies/a.lua:4"});
}

TEST_CASE("determinism: the same files give the same output, whatever the order they were written in",
          "[policy]") {
  auto run = [](bool reverse) {
    PolicyWorkspace ws;
    std::vector<std::pair<std::string, std::string>> files = {{"eng.lua", kPlatform},
                                                              {"gen.lua", R"(owner "gen"
local teams = { alpha = "team:alpha", beta = "team:beta", gamma = "team:gamma", delta = "team:delta" }
for name, id in pairs(teams) do
  role(name) { github = { id } }
  exception { system = "github", account = name, entitlement = id, expires = "2027-01-01", ticket = "T-" .. name }
end
rule("all", function(person)
  local out = {}
  for _, id in pairs(teams) do out[#out + 1] = id end
  return { github = out }
end)
)"}};
    if (reverse) std::reverse(files.begin(), files.end());
    for (const auto& [name, text] : files) ws.file(name, text);
    ws.person("p@acme.com", {"staff", "gamma", "alpha"});
    auto engine = ws.load();
    std::vector<std::string> out;
    for (const auto& r : engine->roles()) out.push_back("role " + r.name + " " + r.source.str());
    for (const auto& e : engine->exceptions()) out.push_back("exception " + e.account + " " + e.ticket);
    PersonAccess a = evaluate(*engine, ws.get("p@acme.com"));
    for (const auto& r : a.roles) out.push_back("has " + r.role + " " + r.assigned_by);
    for (const auto& g : a.grants) {
      for (const auto& p : g.why)
        out.push_back(g.system + " " + g.entitlement_id + " " + g.level + " " + p.describe());
    }
    return out;
  };
  std::vector<std::string> first = run(false);
  CHECK(first.size() > 20);
  for (int i = 0; i < 5; ++i) CHECK(run(i % 2 == 1) == first);
}

TEST_CASE("digest: sha256 over the sorted (path, contents) of the policy files", "[policy]") {
  PolicyWorkspace ws;
  ws.file("b.lua", "owner \"b\"\n");
  ws.file("a.lua", "owner \"a\"\n");
  std::string expected;
  {
    Sha256 sha;
    for (const auto& [path, text] : std::vector<std::pair<std::string, std::string>>{
             {"policies/a.lua", "owner \"a\"\n"}, {"policies/b.lua", "owner \"b\"\n"}}) {
      sha.update(path);
      sha.update(std::string_view("\0", 1));
      sha.update(std::to_string(text.size()));
      sha.update(std::string_view("\0", 1));
      sha.update(text);
    }
    expected = sha.hex();
  }
  std::string first = ws.load()->digest();
  CHECK(first == expected);

  ws.file("b.lua", "owner \"b\" \n");
  std::string changed = ws.load()->digest();
  CHECK(changed != first);

  ws.file("b.lua", "owner \"b\"\n");
  CHECK(ws.load()->digest() == first);

  std::filesystem::rename(ws.dir / "policies/b.lua", ws.dir / "policies/c.lua");
  CHECK(ws.load()->digest() != first);
}
