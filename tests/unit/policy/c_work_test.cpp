// Work done inside C functions is invisible to the instruction hook: one call of string.rep or
// of the pattern matcher could run for days. Every C function a policy reaches must refuse
// such work up front with an error naming the file and line (these tests assert the refusal,
// never a wall time), charge what it does to the instruction budget, and a wall-clock deadline
// per evaluation stops whatever is left.
#include <chrono>
#include <memory>

#include "tests/unit/policy/policy_fixture.hpp"

using namespace rollcall;
using namespace rollcall::policy;
using namespace rollcall::policy::testing;
using Lines = std::vector<std::string>;

namespace {

// One healthy person and one the attack (the body of a rule, from line 3) is aimed at.
struct Workbench : PolicyWorkspace {
  Workbench() {
    limits.instructions = 2'000'000;
    limits.memory_bytes = 16u << 20;
    file("good.lua", "owner \"good\"\nrole \"engineer\" { github = { \"team:eng\" } }\n");
    person("ok@acme.com", {"engineer"});
    person("evil@acme.com", {"engineer"}).attrs["attack"] = "yes";
  }

  // The error of evaluating the attacker; the engine must then still evaluate others.
  std::string refused(const std::string& body) {
    file("evil.lua",
         "rule(\"attack\", function(person)\n  if person.attrs.attack ~= \"yes\" then return end\n" + body +
             "\nend)\n");
    auto engine = load();
    std::string error = evaluate_error(*engine, get("evil@acme.com"));
    CHECK(grant_lines(evaluate(*engine, get("ok@acme.com"))) == Lines{"github team:eng member"});
    return error;
  }
};

const std::string kAt = "person \"evil@acme.com\": policies/evil.lua:3: ";
const std::string kBudget = kAt + "instruction budget exceeded (2000000 instructions)";

}  // namespace

TEST_CASE("c work: string.rep refuses results over the size limit, however cheap each part",
          "[policy][sandbox]") {
  Workbench w;
  CHECK(w.refused("  local s = string.rep('', 2^50)") ==
        kAt + "string.rep: 1125899906842624 repetitions (the limit is 1048576)");
  CHECK(w.refused("  local s = ('x'):rep(2^20, ',')") ==
        kAt + "string.rep: the result would be 2097151 bytes (the limit is 1048576)");
  CHECK(w.refused("  local s = string.rep('', 2^40, '')") ==
        kAt + "string.rep: 1099511627776 repetitions (the limit is 1048576)");
  CHECK(w.refused("  local s = ('x'):rep(1 << 30)") ==
        kAt + "string.rep: 1073741824 repetitions (the limit is 1048576)");
  // Within the limit it works as before.
  w.file("evil.lua", "assert(('ab'):rep(3, '-') == 'ab-ab-ab' and ('x'):rep(0) == '' and ('x'):rep(-1) == '')\n"
                     "assert(#('x'):rep(1 << 20) == 1 << 20)\n");
  w.load();
}

TEST_CASE("c work: patterns that could backtrack for hours are refused, ? and %b included",
          "[policy][sandbox]") {
  Workbench w;
  std::string too_complex = "pattern too complex for a ";
  std::string rest = "-byte subject (policies may not backtrack more than 1e9 steps; match a shorter string or "
                     "use plain find)";
  SECTION("optional items") {
    CHECK(w.refused("  return ('a'):rep(40):find(('a?'):rep(40) .. ('a'):rep(40))") ==
          kAt + "string.find: " + too_complex + "40" + rest);
    CHECK(w.refused("  return ('a'):rep(30):match(('a?'):rep(30) .. 'b')") ==
          kAt + "string.match: " + too_complex + "30" + rest);
  }
  SECTION(".- chains") {
    CHECK(w.refused("  return ('a'):rep(5000):find('.-.-.-.-b')") ==
          kAt + "string.find: " + too_complex + "5000" + rest);
    CHECK(w.refused("  for x in ('a'):rep(300):gmatch('(.-)(.-)(.-)b') do end") ==
          kAt + "string.gmatch: " + too_complex + "300" + rest);
  }
  SECTION("balanced matches scan the subject from every start") {
    CHECK(w.refused("  return ('('):rep(100000):find('%b()')") ==
          kAt + "string.find: " + too_complex + "100000" + rest);
    CHECK(w.refused("  return ('('):rep(50000):gsub('%b()%f[%w]', '')") ==
          kAt + "string.gsub: " + too_complex + "50000" + rest);
  }
  SECTION("a long pattern compared at every start, even a plain one") {
    CHECK(w.refused("  local s = ('a'):rep(1000000)\n  return s:find(('a'):rep(100000) .. 'b', 1, true)") ==
          "person \"evil@acme.com\": policies/evil.lua:4: string.find: " + too_complex + "1000000" + rest);
  }
  SECTION("called through pcall, the error still names the policy line") {
    CHECK(w.refused("  local ok, e = pcall(string.find, ('a'):rep(40), ('a?'):rep(40) .. ('a'):rep(40))\n"
                    "  error(e, 0)") ==
          "person \"evil@acme.com\": policies/evil.lua:3: string.find: " + too_complex + "40" + rest);
  }
  // Everyday patterns on roster values still work.
  w.file("evil.lua",
         "assert(('jane.doe+ops@acme.com'):match('^(.-)%+.-@(.+)$') == 'jane.doe')\n"
         "assert(('a,b,c'):gsub(',', ';') == 'a;b;c')\n"
         "assert(('colou?r'):find('colou?r', 1, true) == 1 and ('color'):find('^colou?r$') == 1)\n"
         "assert(('f(a(b)c)'):match('%b()') == '(a(b)c)' and ('THE (quick) fox'):find('%f[%a]%a+%f[%A]') == 1)\n"
         "assert((('x'):rep(1000) .. ' y  z'):gsub('%s+', ' '):sub(-5) == 'x y z')\n");
  w.load();
}

TEST_CASE("c work: gsub, format and table.concat refuse results over the size limit", "[policy][sandbox]") {
  Workbench w;
  CHECK(w.refused("  local s = ('x'):rep(1000):gsub('', ('y'):rep(10000))") ==
        kAt + "string.gsub: the result could be 10011000 bytes (the limit is 1048576)");
  CHECK(w.refused("  local big = ('y'):rep(100000)\n"
                  "  local s = ('x'):rep(1000):gsub('.', function() return big end)") ==
        "person \"evil@acme.com\": policies/evil.lua:4: string.gsub: the replacements would make the result "
        "longer than the limit of 1048576 bytes");
  CHECK(w.refused("  local big = ('y'):rep(100000)\n  local s = ('x'):rep(1000):gsub('.', { x = big })") ==
        "person \"evil@acme.com\": policies/evil.lua:4: string.gsub: the replacements would make the result "
        "longer than the limit of 1048576 bytes");
  CHECK(w.refused("  local big = ('x'):rep(600000)\n  local s = string.format('%s%s', big, big)") ==
        "person \"evil@acme.com\": policies/evil.lua:4: string.format: the result could be 1200202 bytes (the "
        "limit is 1048576)");
  CHECK(w.refused("  local s = table.concat(setmetatable({}, { __len = function() return 2^50 end, "
                  "__index = rawlen }))") ==
        kAt + "table.concat: 1125899906842624 elements (the limit is 1048576)");
  CHECK(w.refused("  local t = {}\n  for i = 1, 2000 do t[i] = 'x' end\n"
                  "  local s = table.concat(t, ('-'):rep(1000))") ==
        "person \"evil@acme.com\": policies/evil.lua:5: table.concat: the result would be longer than the limit "
        "of 1048576 bytes");
  // Within the limits they work as before.
  w.file("evil.lua",
         "assert(('hello world'):gsub('o', { o = '0' }) == 'hell0 w0rld')\n"
         "assert(('abc'):gsub('%w', '%0%0') == 'aabbcc' and ('abc'):gsub('', '-') == '-a-b-c-')\n"
         "assert(string.format('%5.1f|%-3s|%d|%x', 3.14159, 'x', 42, 255) == '  3.1|x  |42|ff')\n"
         "assert(table.concat({ 1, 'b', 3 }, ', ') == '1, b, 3')\n"
         "assert(table.concat({ 'a', 'b', 'c' }, '', 2, 3) == 'bc')\n"
         "assert(table.concat({}) == '' and table.concat({ 'a' }, ',', 1, 1) == 'a')\n");
  w.load();
}

TEST_CASE("c work: table functions and repeated string work count against the instruction budget",
          "[policy][sandbox]") {
  Workbench w;
  const std::string endless = "setmetatable({}, { __len = function() return 2^50 end, __index = rawlen, "
                              "__newindex = rawequal })";
  CHECK(w.refused("  table.insert(" + endless + ", 1, 'x')") == kBudget);
  CHECK(w.refused("  table.remove(" + endless + ", 1)") == kBudget);
  CHECK(w.refused("  table.sort(setmetatable({}, { __len = function() return 2^31 - 2 end, __index = rawlen, "
                  "__newindex = rawequal }))") == kBudget);
  // Each call is cheap in instructions but copies a megabyte.
  CHECK(w.refused("  local s = ('x'):rep(1 << 20)\n  for i = 1, 100000 do local u = s:upper() end") ==
        "person \"evil@acme.com\": policies/evil.lua:4: instruction budget exceeded (2000000 instructions)");
  CHECK(w.refused("  local s = ('x'):rep(1 << 20)\n  for i = 1, 100000 do local n = utf8.len(s) end") ==
        "person \"evil@acme.com\": policies/evil.lua:4: instruction budget exceeded (2000000 instructions)");
}

TEST_CASE("c work: a wall-clock deadline per evaluation stops what the budgets do not", "[policy][sandbox]") {
  Workbench w;
  w.limits.instructions = 1'000'000'000'000;
  w.limits.deadline = std::chrono::milliseconds(10'000);
  // A clock that moves one second each time it is read: the deadline is met after ten reads,
  // however fast the machine.
  auto t = std::make_shared<std::chrono::steady_clock::time_point>();
  w.limits.ticks = [t] { return *t += std::chrono::seconds(1); };
  SECTION("while evaluating") {
    CHECK(w.refused("  while true do end") == kAt + "wall-clock deadline exceeded (10000 ms)");
  }
  SECTION("while loading") {
    w.file("evil.lua", "owner \"x\"\nlocal i = 0\nwhile true do i = i + 1 end\n");
    CHECK(w.load_error() == "policies/evil.lua:3: wall-clock deadline exceeded (10000 ms)");
  }
  SECTION("a few huge copies between two checks of the count hook") {
    CHECK(w.refused("  local s = ('x'):rep(1 << 20)\n  for i = 1, 20 do local t = s .. s end") ==
          "person \"evil@acme.com\": policies/evil.lua:4: wall-clock deadline exceeded (10000 ms)");
  }
  SECTION("even when the loop catches errors with pcall") {
    CHECK(w.refused("  while true do pcall(function() while true do end end) end") ==
          kAt + "wall-clock deadline exceeded (10000 ms)");
  }
}
