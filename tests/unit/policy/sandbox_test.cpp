// Policies are code many teams write: the sandbox must refuse escapes with a clear error, stop
// runaway code (instructions, memory, recursion) naming the file and the person, and leave
// the engine usable afterwards.
#include "tests/unit/policy/policy_fixture.hpp"

using namespace rollcall;
using namespace rollcall::policy;
using namespace rollcall::policy::testing;
using Lines = std::vector<std::string>;

namespace {

// A workspace with one healthy role, a healthy person, and a person the attack is aimed at
// (attrs.attack = "yes"): the attack runs in a rule, during evaluation.
struct Arena : PolicyWorkspace {
  Arena() {
    limits.instructions = 2'000'000;
    limits.memory_bytes = 16u << 20;
    file("good.lua", "owner \"good\"\nrole \"engineer\" { github = { \"team:eng\" } }\n");
    person("ok@acme.com", {"engineer"});
    person("evil@acme.com", {"engineer"}).attrs["attack"] = "yes";
  }

  // The attack as the body of a rule that runs only for evil@acme.com.
  void attack(const std::string& body) {
    file("evil.lua",
         "rule(\"attack\", function(person)\n  if person.attrs.attack ~= \"yes\" then return end\n" + body +
             "\nend)\n");
  }

  // The evaluation error for the attacker; then checks the engine still evaluates others.
  std::string attack_error(PolicyEngine& engine) {
    std::string error = evaluate_error(engine, get("evil@acme.com"));
    expect_healthy(engine);
    return error;
  }

  void expect_healthy(PolicyEngine& engine) {
    for (int i = 0; i < 3; ++i) {
      CHECK(grant_lines(evaluate(engine, get("ok@acme.com"))) == Lines{"github team:eng member"});
    }
  }
};

}  // namespace

TEST_CASE("sandbox: io is not available", "[policy][sandbox]") {
  Arena a;
  a.attack("  local f = io.open(\"/etc/passwd\")");
  auto engine = a.load();
  CHECK(a.attack_error(*engine) ==
        "person \"evil@acme.com\": policies/evil.lua:3: io.open is not available in policies");
}

TEST_CASE("sandbox: os.execute and other os functions with effects are not available", "[policy][sandbox]") {
  Arena a;
  a.file("evil.lua", "os.execute(\"touch /tmp/pwned\")\n");
  CHECK(a.load_error() == "policies/evil.lua:1: os.execute is not available in policies");
  for (const char* fn : {"exit", "getenv", "remove", "rename", "tmpname", "setlocale", "clock"}) {
    a.file("evil.lua", std::string("os.") + fn + "()\n");
    CHECK(a.load_error() == std::string("policies/evil.lua:1: os.") + fn + " is not available in policies");
  }
}

TEST_CASE("sandbox: require, dofile, loadfile and collectgarbage are not available", "[policy][sandbox]") {
  Arena a;
  for (const char* fn : {"require", "dofile", "loadfile", "collectgarbage", "rawset"}) {
    a.file("evil.lua", std::string("local x = ") + fn + "(\"os\")\n");
    CHECK(a.load_error() == std::string("policies/evil.lua:1: ") + fn + " is not available in policies");
  }
  a.file("evil.lua", "package.loaded.os.execute('id')\n");
  CHECK(a.load_error() == "policies/evil.lua:1: package.loaded is not available in policies");
  a.file("evil.lua", "local co = coroutine.create(function() end)\n");
  CHECK(a.load_error() == "policies/evil.lua:1: coroutine.create is not available in policies");
}

TEST_CASE("sandbox: a binary chunk cannot be loaded, a text chunk gets its own environment",
          "[policy][sandbox]") {
  Arena a;
  a.attack("  local f = load(\"\\27Lua\\84\\0\\25\\147\\r\\n\\26\\n\")");
  auto engine = a.load();
  CHECK(a.attack_error(*engine) ==
        "person \"evil@acme.com\": policies/evil.lua:3: load: binary chunks are not allowed in policies");

  a.file("evil.lua",
         "assert(load(\"return 1 + 1\")() == 2)\nload(\"leaked = true\")()\nassert(leaked == nil)\n"
         "local f, err = load(\"return +\")\nassert(f == nil and err:find(\"unexpected symbol\"))\n");
  a.load();
}

TEST_CASE("sandbox: a policy file that is itself a binary chunk is refused", "[policy][sandbox]") {
  Arena a;
  a.file("evil.lua", std::string("\x1bLua\x54\x00\x19\x93\r\n\x1a\n", 12));
  CHECK(a.load_error() == "policies/evil.lua: attempt to load a binary chunk (mode is 't')");
}

TEST_CASE("sandbox: string.dump is not available", "[policy][sandbox]") {
  Arena a;
  a.attack("  local code = string.dump(function() end)");
  auto engine = a.load();
  CHECK(a.attack_error(*engine) ==
        "person \"evil@acme.com\": policies/evil.lua:3: string.dump is not available in policies");
}

TEST_CASE("sandbox: debug is not available", "[policy][sandbox]") {
  Arena a;
  a.attack("  local registry = debug.getregistry()");
  auto engine = a.load();
  CHECK(a.attack_error(*engine) ==
        "person \"evil@acme.com\": policies/evil.lua:3: debug.getregistry is not available in policies");
}

TEST_CASE("sandbox: shared library tables cannot be changed", "[policy][sandbox]") {
  Arena a;
  SECTION("assigning a field") {
    a.file("evil.lua", "string.upper = function() return 'pwned' end\n");
    CHECK(a.load_error() == "policies/evil.lua:1: string is read-only");
  }
  SECTION("setmetatable on a library table") {
    a.file("evil.lua", "setmetatable(table, { __index = function() return 'pwned' end })\n");
    CHECK(a.load_error() == "policies/evil.lua:1: cannot change a protected metatable");
  }
  SECTION("the string metatable") {
    a.file("evil.lua",
           "local mt = getmetatable('')\nassert(mt == 'locked')\n"
           "getmetatable('').__index.upper = function() return 'pwned' end\n");
    CHECK(a.load_error() == "policies/evil.lua:3: attempt to index a nil value (field '__index')");
  }
  SECTION("the environment's metatable") {
    a.file("evil.lua", "assert(getmetatable(_ENV) == 'locked')\nsetmetatable(_G, {})\n");
    CHECK(a.load_error() == "policies/evil.lua:2: cannot change a protected metatable");
  }
  SECTION("a __gc finalizer") {
    a.file("evil.lua", "setmetatable({}, { __gc = function() while true do end end })\n");
    CHECK(a.load_error() ==
          "policies/evil.lua:1: setmetatable: __gc metamethods are not allowed in policies");
  }
  SECTION("the person passed to a rule") {
    a.attack("  person.department = 'Finance'");
    auto engine = a.load();
    CHECK(a.attack_error(*engine) == "person \"evil@acme.com\": policies/evil.lua:3: person is read-only");
  }
  SECTION("an attempt caught with pcall poisons nothing") {
    a.file("a_evil.lua", R"(
pcall(function() string.upper = function() return "pwned" end end)
pcall(function() getmetatable("").__index.upper = function() return "pwned" end end)
pcall(function() table.insert = nil end)
pcall(setmetatable, math, {})
)");
    a.file("b_victim.lua", R"(
assert(("x"):upper() == "X")
assert(string.upper("y") == "Y")
assert(type(table.insert) == "function")
role "victim" { github = { ("team:" .. ("v"):upper()) } }
)");
    a.person("v@acme.com", {"victim"});
    auto engine = a.load();
    CHECK(grant_lines(evaluate(*engine, a.get("v@acme.com"))) == Lines{"github team:V member"});
  }
}

TEST_CASE("sandbox: one policy file cannot read another's locals or globals", "[policy][sandbox]") {
  Arena a;
  a.file("a_secret.lua", "local secret = 's3cret'\nshared = 'from a'\nfunction helper() return secret end\n");
  a.file("b_snoop.lua", R"(
assert(secret == nil, "locals are private")
assert(shared == nil and helper == nil, "globals are per file")
assert(_G.shared == nil and rawget(_G, "shared") == nil)
for name in pairs(_G) do assert(name ~= "shared" and name ~= "helper", name) end
)");
  a.load();
}

TEST_CASE("sandbox: a global set while evaluating is an error, not shared state", "[policy][sandbox]") {
  Arena a;
  a.file("count.lua", "counter = 0\nrule(\"count\", function(person)\n  counter = counter + 1\nend)\n");
  auto engine = a.load();
  CHECK(evaluate_error(*engine, a.get("ok@acme.com")) ==
        "person \"ok@acme.com\": policies/count.lua:3: cannot set global \"counter\" while evaluating "
        "(declare it "
        "local; globals may only be set while the file loads)");
}

TEST_CASE("sandbox: an endless loop is stopped by the instruction budget", "[policy][sandbox]") {
  Arena a;
  SECTION("while evaluating") {
    a.attack("  while true do end");
    auto engine = a.load();
    CHECK(
        a.attack_error(*engine) ==
        "person \"evil@acme.com\": policies/evil.lua:3: instruction budget exceeded (2000000 instructions)");
  }
  SECTION("while loading") {
    a.file("evil.lua", "owner \"x\"\nlocal i = 0\nwhile true do i = i + 1 end\n");
    CHECK(a.load_error() == "policies/evil.lua:3: instruction budget exceeded (2000000 instructions)");
  }
  SECTION("even when the loop catches errors with pcall") {
    a.attack("  while true do pcall(function() while true do end end) end");
    auto engine = a.load();
    CHECK(
        a.attack_error(*engine) ==
        "person \"evil@acme.com\": policies/evil.lua:3: instruction budget exceeded (2000000 instructions)");
  }
  SECTION("or with xpcall and a handler") {
    a.attack("  while true do xpcall(function() while true do end end, function(e) return e end) end");
    auto engine = a.load();
    CHECK(
        a.attack_error(*engine) ==
        "person \"evil@acme.com\": policies/evil.lua:3: instruction budget exceeded (2000000 instructions)");
  }
  SECTION("work done in C (table.move) counts too") {
    a.attack("  table.move({}, 1, 1e12, 2)");
    auto engine = a.load();
    CHECK(
        a.attack_error(*engine) ==
        "person \"evil@acme.com\": policies/evil.lua:3: instruction budget exceeded (2000000 instructions)");
  }
}

TEST_CASE("sandbox: a memory bomb is stopped by the memory cap", "[policy][sandbox]") {
  Arena a;
  SECTION("a string doubled to gigabytes") {
    a.attack("  local s = 'x'\n  for i = 1, 40 do s = s .. s end");
    auto engine = a.load();
    CHECK(a.attack_error(*engine) ==
          "person \"evil@acme.com\": policies/evil.lua:1: rule \"attack\": memory limit exceeded (16 MiB)");
  }
  SECTION("table growth") {
    a.attack("  local t = {}\n  for i = 1, 1e9 do t[i] = { i } end");
    a.limits.instructions = 1'000'000'000;
    auto engine = a.load();
    CHECK(a.attack_error(*engine) ==
          "person \"evil@acme.com\": policies/evil.lua:1: rule \"attack\": memory limit exceeded (16 MiB)");
  }
  SECTION("growth kept across people in an upvalue, caught by pcall") {
    a.file("evil.lua", R"(local hoard = {}
rule("hoard", function(person)
  pcall(function() hoard[#hoard + 1] = string.rep(person.email, 50000) end)
end)
)");
    auto engine = a.load();
    std::string error;
    for (int i = 0; i < 100 && error.empty(); ++i) {
      auto r = engine->evaluate(a.get("ok@acme.com"));
      if (!r) error = r.error().message();
    }
    CHECK(error ==
          "person \"ok@acme.com\": policies/evil.lua:2: rule \"hoard\": memory limit exceeded (16 MiB)");
    // The state was rebuilt: the hoard is gone, so the next evaluations succeed again.
    CHECK(grant_lines(evaluate(*engine, a.get("ok@acme.com"))) == Lines{"github team:eng member"});
  }
  SECTION("while loading") {
    a.file("evil.lua", "local parts = {}\nfor i = 1, 1e9 do parts[i] = ('x'):rep(1000) .. i end\n");
    a.limits.instructions = 1'000'000'000;
    CHECK(a.load_error() == "policies/evil.lua: memory limit exceeded (16 MiB)");
  }
}

TEST_CASE("sandbox: deep recursion ends with an error", "[policy][sandbox]") {
  Arena a;
  a.limits.memory_bytes = 256u << 20;  // enough for Lua's own stack limit to be reached first
  a.limits.instructions = 100'000'000;
  a.attack("  local function down(n) return 1 + down(n + 1) end\n  down(1)");
  auto engine = a.load();
  CHECK(a.attack_error(*engine) == "person \"evil@acme.com\": policies/evil.lua:3: stack overflow");
}

TEST_CASE("sandbox: recursion through metamethods ends with an error", "[policy][sandbox]") {
  Arena a;
  a.attack(
      "  local t = setmetatable({}, {})\n  getmetatable(t).__index = function(t, k) return t[k] end\n  local "
      "x = t.x");
  auto engine = a.load();
  std::string error = a.attack_error(*engine);
  CHECK(error.rfind("person \"evil@acme.com\": policies/evil.lua:4: ", 0) == 0);
  CHECK(error.find("stack overflow") != std::string::npos);
}

TEST_CASE("sandbox: patterns that could backtrack for hours are refused", "[policy][sandbox]") {
  Arena a;
  a.attack("  local s = string.rep('a', 5000)\n  return s:find('.-.-.-.-b') and nil");
  auto engine = a.load();
  CHECK(a.attack_error(*engine) ==
        "person \"evil@acme.com\": policies/evil.lua:4: string.find: pattern too complex for a 5000-byte "
        "subject "
        "(policies may not backtrack more than 1e9 steps; match a shorter string or use plain find)");
  // Everyday patterns on roster values are fine.
  a.file("evil.lua",
         "assert(('jane.doe+ops@acme.com'):match('^(.-)%+.-@(.+)$') == 'jane.doe')\n"
         "assert(('a,b,c'):gsub(',', ';') == 'a;b;c')\n"
         "assert(string.rep('x', 100000):find('xy', 1, true) == nil)\n");
  a.load();
}

TEST_CASE("sandbox: evaluation is repeatable: no randomness, a fixed clock", "[policy][sandbox]") {
  Arena a;
  a.file("evil.lua", "local r = math.random()\n");
  CHECK(a.load_error() ==
        "policies/evil.lua:1: math.random is not available in policies (evaluation must be repeatable)");
  a.file("evil.lua", "assert(os.time() == 1795165200)\nassert(os.date('!%H') == '09')\n");
  a.load();
}

TEST_CASE("sandbox: print does not write to the output", "[policy][sandbox]") {
  Arena a;
  a.file("evil.lua", "print('hello')\n");
  CHECK(a.load_error() ==
        "policies/evil.lua:1: print is not available in policies (policies do not write output; use error() "
        "to stop "
        "with a message)");
}

TEST_CASE("sandbox: the same engine survives many failures in a row", "[policy][sandbox]") {
  Arena a;
  a.attack("  while true do end");
  auto engine = a.load();
  for (int i = 0; i < 5; ++i) {
    CHECK(
        evaluate_error(*engine, a.get("evil@acme.com")) ==
        "person \"evil@acme.com\": policies/evil.lua:3: instruction budget exceeded (2000000 instructions)");
  }
  a.expect_healthy(*engine);
}

TEST_CASE("sandbox: a person view kept past its evaluation stays valid and read-only", "[policy][sandbox]") {
  Arena a;
  a.person("boss@acme.com");
  a.person("ok2@acme.com", {"engineer"}).manager_email = "boss@acme.com";
  a.file("keep.lua", R"(
local kept = {}
role "team-boss" { slack = { "usergroup:boss" } }
assign(function(person)
  kept[#kept + 1] = person
  -- every view kept so far still answers for its own person
  for _, p in ipairs(kept) do assert(p.email ~= nil) end
  if reports_to(kept[1], "boss@acme.com") or reports_to(person, "boss@acme.com") then return "team-boss" end
end)
)");
  auto engine = a.load();
  CHECK(role_names(evaluate(*engine, a.get("ok@acme.com"))) == Lines{"engineer"});
  CHECK(role_names(evaluate(*engine, a.get("ok2@acme.com"))) == Lines{"engineer", "team-boss"});
  // Someone who is not in the roster (a copy): the helpers look them up by email instead.
  roster::Person outsider = a.get("ok2@acme.com");
  outsider.email = "outsider@acme.com";
  CHECK(role_names(evaluate(*engine, outsider)) == Lines{"engineer", "team-boss"});
}
