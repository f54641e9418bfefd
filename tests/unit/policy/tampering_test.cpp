// Policy files are written by many teams and all run in one Lua state: no file may change what
// another file sees. File a_attacker.lua tries one trick per case against every shared table
// (library tables, the string metatable, the person, roster and account views, prelude
// helpers, load's environment and chunk names); b_victim.lua's assign and match hooks must
// give exactly what they give without the attacker. Each trick is either refused with an
// error naming a_attacker.lua and the line, or harmless (it only changes the attacker's own
// state); both are checked, and each trick also runs inside pcall, where a refusal must still
// leave the victim untouched.
#include "tests/unit/policy/policy_fixture.hpp"

using namespace rollcall;
using namespace rollcall::policy;
using namespace rollcall::policy::testing;
using Lines = std::vector<std::string>;

namespace {

// b_victim.lua grants the finance role on anything a tampered table could make it believe.
constexpr const char* kVictim = R"(owner "finance"
role "ap-clerk" { netsuite = { "role:ap-clerk" } }
assign(function(person)
  if person.department == "Finance" then return "ap-clerk" end
  if string.lower(person.title or "") == "controller" then return "ap-clerk" end
  if ("Controller"):lower() ~= "controller" then return "ap-clerk" end
  if has_role(person, "finance") or contains(person.aliases, "cfo@acme.com") then return "ap-clerk" end
  if person.attrs.cost_center == "FIN" or #person.roles > 0 then return "ap-clerk" end
  if math.floor(1.5) ~= 1 or os.time() ~= 1795165200 or utf8.char(72) ~= "H" then return "ap-clerk" end
  if table.concat({ "a", "b" }) ~= "ab" or next(person.roles) ~= nil then return "ap-clerk" end
end)
match(function(account)
  if account.email and find_person(account.email) then return account.email end
end)
)";

struct Tamper : PolicyWorkspace {
  Tamper() {
    file("b_victim.lua", kVictim);
    roster::Person& v = person("victim@acme.com");
    v.department = "Engineering";
    v.title = "Engineer";
    v.attrs["cost_center"] = "ENG";
    person("cfo@acme.com").department = "Finance";
  }

  // The victim gets nothing from b_victim.lua, and an account with an unknown email matches
  // nobody.
  void expect_untouched(PolicyEngine& engine) {
    for (int i = 0; i < 2; ++i) {
      PersonAccess access = evaluate(engine, get("victim@acme.com"));
      CHECK(role_names(access) == Lines{});
      CHECK(grant_lines(access) == Lines{});
      auto matched = engine.match({"github", "42", "octo", "nobody@acme.com", "", ""});
      REQUIRE(matched);
      CHECK(!matched->has_value());
    }
    CHECK(role_names(evaluate(engine, get("cfo@acme.com"))) == Lines{"ap-clerk"});
  }
};

struct Trick {
  const char* lua;
  // What follows "policies/a_attacker.lua:<line>" in the error, or "" when the trick is harmless.
  const char* error;
};

// Tricks against shared tables, run while a_attacker.lua loads (line 2 of the file).
const Trick kLoadTricks[] = {
    {"local _, data = pairs(string); data.lower = function() return 'controller' end", ": string is read-only"},
    {"local _, data = pairs(table); data.concat = function() return 'zz' end", ": table is read-only"},
    {"local _, data = pairs(math); data.floor = function() return 7 end", ": math is read-only"},
    {"local _, data = pairs(os); data.time = function() return 0 end", ": os is read-only"},
    {"local _, data = pairs(utf8); data.char = function() return 'X' end", ": utf8 is read-only"},
    {"local f, data = pairs(string); local k, v = f(data); data[k] = nil", ": string is read-only"},
    {"for k, v in pairs(string) do rawequal(v, v) end; local k = next(string); string[k] = nil",
     ": string is read-only"},
    {"string.lower = function() return 'controller' end", ": string is read-only"},
    {"rawset(string, 'lower', function() return 'controller' end)", ": rawset is not available in policies"},
    {"setmetatable(string, nil)", ": cannot change a protected metatable"},
    {"getmetatable('').__index.lower = function() return 'controller' end",
     ": attempt to index a nil value (field '__index')"},
    {"table.insert(string, 'x')", ": string is read-only"},
    {"table.move({ 1 }, 1, 1, 1, math)", ": math is read-only"},
    {"debug.setmetatable('', { __index = { lower = function() return 'controller' end } })",
     ": debug.setmetatable is not available in policies"},
    {"coroutine.wrap(function() end)", ": coroutine.wrap is not available in policies"},
    {"load('string.lower = function() return \"controller\" end', '=x', 't', _ENV)()",
     " (load):1: string is read-only"},
    // Harmless: the attacker's own globals and a view's contents read without metamethods.
    {"contains = function() return true end; has_role = function() return true end", ""},
    {"_G.has_role = function() return true end; _ENV.find_person = function() return {} end", ""},
    {"assert(rawget(string, 'lower') == string.lower and rawlen(string) == 0)", ""},
};

// Tricks against the person passed to an assign hook (line 3 of the file).
const Trick kPersonTricks[] = {
    {"local _, data = pairs(person); data.department = 'Finance'", ": person is read-only"},
    {"local _, data = pairs(person.roles); data[1] = 'finance'", ": person.roles is read-only"},
    {"local _, data = pairs(person.aliases); data[1] = 'cfo@acme.com'", ": person.aliases is read-only"},
    {"local _, data = pairs(person.attrs); data.cost_center = 'FIN'", ": person.attrs is read-only"},
    {"local p = find_person(person.email); local _, data = pairs(p); data.department = 'Finance'",
     ": person is read-only"},
    {"person.department = 'Finance'", ": person is read-only"},
    {"table.insert(person.roles, 'finance')", ": person.roles is read-only"},
    {"table.move({ 'cfo@acme.com' }, 1, 1, 1, person.aliases)", ": person.aliases is read-only"},
    {"setmetatable(person, nil)", ": cannot change a protected metatable"},
    {"getmetatable(person).__index.department = 'Finance'", ": attempt to index a nil value (field '__index')"},
    {"load('department = \"Finance\"', '=x', 't', person)()", " (load):1: person is read-only"},
    // Harmless: reads.
    {"assert(next(person) ~= nil and rawget(person, 'email') == person.email)", ""},
    {"for k, v in pairs(person) do assert(type(v) ~= 'table' or getmetatable(v) == 'locked') end", ""},
    {"for k, v in pairs(person.attrs) do assert(person.attrs[k] == v and rawget(person.attrs, k) == v) end", ""},
    {"for i, r in ipairs(person.roles) do assert(person.roles[i] == r and rawlen(person.roles) >= i) end", ""},
};

std::string attacker_at_load(const std::string& trick) { return "owner \"attacker\"\n" + trick + "\n"; }

std::string attacker_in_assign(const std::string& trick) {
  return "owner \"attacker\"\nassign(function(person)\n  " + trick + "\nend)\n";
}

std::string in_pcall(const std::string& trick) { return "pcall(function() " + trick + " end)"; }

}  // namespace

TEST_CASE("tampering: no policy file can change a library table another file uses", "[policy][sandbox]") {
  for (const Trick& trick : kLoadTricks) {
    INFO(trick.lua);
    Tamper t;
    t.file("a_attacker.lua", attacker_at_load(trick.lua));
    if (*trick.error) {
      CHECK(t.load_error() == std::string("policies/a_attacker.lua:2") + trick.error);
    } else {
      t.expect_untouched(*t.load());
    }
    t.file("a_attacker.lua", attacker_at_load(in_pcall(trick.lua)));
    t.expect_untouched(*t.load());
  }
}

TEST_CASE("tampering: no policy file can change the person another file's hook receives",
          "[policy][sandbox]") {
  for (const Trick& trick : kPersonTricks) {
    INFO(trick.lua);
    Tamper t;
    t.file("a_attacker.lua", attacker_in_assign(trick.lua));
    auto engine = t.load();
    if (*trick.error) {
      CHECK(evaluate_error(*engine, t.get("victim@acme.com")) ==
            std::string("person \"victim@acme.com\": policies/a_attacker.lua:3") + trick.error);
    } else {
      t.expect_untouched(*engine);
    }
    t.file("a_attacker.lua", attacker_in_assign(in_pcall(trick.lua)));
    t.expect_untouched(*t.load());
  }
}

TEST_CASE("tampering: the empty lists of one person are not shared with another", "[policy][sandbox]") {
  // Everyone without roles or aliases used to share one empty list behind their views.
  Tamper t;
  t.person("bystander@acme.com");
  t.file("a_attacker.lua", attacker_in_assign(in_pcall(
                               "local _, r = pairs(person.roles); r[1] = 'finance'; "
                               "local _, a = pairs(person.aliases); a[1] = 'cfo@acme.com'")));
  auto engine = t.load();
  CHECK(role_names(evaluate(*engine, t.get("bystander@acme.com"))) == Lines{});
  t.expect_untouched(*engine);
}

TEST_CASE("tampering: no policy file can change the account another file's match hook receives",
          "[policy][sandbox]") {
  Tamper t;
  std::string trick = "local _, data = pairs(account); data.email = 'victim@acme.com'";
  t.file("a_attacker.lua", "owner \"attacker\"\nmatch(function(account)\n  " + trick + "\nend)\n");
  auto engine = t.load();
  auto refused = engine->match({"github", "42", "octo", "nobody@acme.com", "", ""});
  REQUIRE(!refused);
  CHECK(refused.error().message() ==
        "account \"42\" in system \"github\": policies/a_attacker.lua:3: account is read-only");
  t.file("a_attacker.lua", "owner \"attacker\"\nmatch(function(account)\n  " + in_pcall(trick) + "\nend)\n");
  t.expect_untouched(*t.load());
}

TEST_CASE("tampering: an error is attributed to the file that raised it", "[policy][sandbox]") {
  Tamper t;
  SECTION("a message that names another file") {
    t.file("a_attacker.lua",
           attacker_in_assign("error('policies/b_victim.lua:4: b_victim.lua is broken, ignore it', 0)"));
    auto engine = t.load();
    CHECK(evaluate_error(*engine, t.get("victim@acme.com")) ==
          "person \"victim@acme.com\": policies/a_attacker.lua:2: assign: policies/b_victim.lua:4: "
          "b_victim.lua is broken, ignore it");
  }
  SECTION("a chunk loaded under another file's name") {
    t.file("a_attacker.lua", attacker_in_assign("load('error(\"boom\")', '@policies/b_victim.lua')()"));
    auto engine = t.load();
    CHECK(evaluate_error(*engine, t.get("victim@acme.com")) ==
          "person \"victim@acme.com\": policies/a_attacker.lua:3 (load):1: boom");
  }
  SECTION("a rule defined in such a chunk") {
    t.file("a_attacker.lua",
           "owner \"attacker\"\nload('rule(\"x\", function() end)', '@policies/b_victim.lua')()\n");
    auto engine = t.load();
    REQUIRE(engine->rules().size() == 1);
    CHECK(engine->rules()[0].source.str() == "policies/a_attacker.lua:2 (load):1");
    CHECK(engine->rules()[0].owner == "attacker");
  }
}
