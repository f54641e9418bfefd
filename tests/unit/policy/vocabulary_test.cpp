// Every element of the policy vocabulary and every helper, as a policy author uses them.
#include "tests/unit/policy/policy_fixture.hpp"

using namespace rollcall;
using namespace rollcall::policy;
using namespace rollcall::policy::testing;
using Lines = std::vector<std::string>;

TEST_CASE("policy: a role gives its entitlements to people with that roster role", "[policy]") {
  PolicyWorkspace ws;
  ws.file("eng.lua", R"(owner "team-platform"
role "engineer" {
  github   = { "team:platform", "team:backend" },
  postgres = { "role:app_readonly" },
}
)");
  ws.person("jane@acme.com", {"engineer"});
  ws.person("lee@acme.com", {});
  auto engine = ws.load();
  PersonAccess a = evaluate(*engine, ws.get("jane@acme.com"));
  CHECK(grant_lines(a) == Lines{"github team:backend member", "github team:platform member",
                                "postgres role:app_readonly member"});
  REQUIRE(a.roles.size() == 1);
  CHECK(a.roles[0].role == "engineer");
  CHECK(a.roles[0].assigned_by == "roster role column (roster.csv:2)");
  CHECK(a.roles[0].defined);
  CHECK(evaluate(*engine, ws.get("lee@acme.com")).grants.empty());

  REQUIRE(engine->roles().size() == 1);
  const RoleInfo& info = engine->roles()[0];
  CHECK(info.name == "engineer");
  CHECK(info.owner == "team-platform");
  CHECK(info.source.str() == "policies/eng.lua:2");
  CHECK(info.grants.size() == 3);
}

TEST_CASE("policy: includes, levels, privileged and description", "[policy]") {
  PolicyWorkspace ws;
  ws.file("platform.lua", R"(owner "team-platform"
role "engineer" {
  description = "builds things",
  github   = { "team:platform", { "org:acme", level = "member" } },
  postgres = { "role:app_readonly" },
}
role "sre" {
  includes = { "engineer" },
  privileged = true,
  postgres = { "role:db_admin" },
  github   = { { "org:acme", level = "admin" } },
}
)");
  ws.person("sam@acme.com", {"sre"});
  auto engine = ws.load();
  PersonAccess a = evaluate(*engine, ws.get("sam@acme.com"));
  CHECK(grant_lines(a) == Lines{"github org:acme admin privileged", "github team:platform member",
                                "postgres role:app_readonly member",
                                "postgres role:db_admin member privileged"});
  const RoleInfo& sre = engine->roles()[1];
  CHECK(sre.name == "sre");
  CHECK(sre.includes == Lines{"engineer"});
  CHECK(sre.privileged);
  CHECK(engine->roles()[0].description == "builds things");
}

TEST_CASE("policy: an entitlement can carry its own privileged flag", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", R"(role "dba" { postgres = { { "attr:SUPERUSER", privileged = true }, "role:app" } })");
  ws.person("d@acme.com", {"dba"});
  auto engine = ws.load();
  CHECK(grant_lines(evaluate(*engine, ws.get("d@acme.com"))) ==
        Lines{"postgres attr:SUPERUSER member privileged", "postgres role:app member"});
}

TEST_CASE("policy: role(name, body) works like role name { body }", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", R"(role("support", { slack = { "usergroup:support" } }))");
  ws.person("s@acme.com", {"support"});
  auto engine = ws.load();
  CHECK(grant_lines(evaluate(*engine, ws.get("s@acme.com"))) == Lines{"slack usergroup:support member"});
}

TEST_CASE("policy: two roles giving one entitlement at different levels keep the higher", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", R"(
role "reader"   { github = { { "repo:infra", level = "read" } } }
role "writer"   { github = { { "repo:infra", level = "write" } } }
role "member"   { slack = { "workspace:acme" } }
role "guest"    { slack = { { "workspace:acme", level = "guest" } } }
)");
  ws.person("p@acme.com", {"writer", "reader", "guest", "member"});
  auto engine = ws.load();
  PersonAccess a = evaluate(*engine, ws.get("p@acme.com"));
  CHECK(grant_lines(a) == Lines{"github repo:infra write", "slack workspace:acme member"});
  REQUIRE(a.grants[0].why.size() == 2);
  CHECK(a.grants[0].why[0].level == "read");
  CHECK(a.grants[0].why[1].level == "write");
}

TEST_CASE("policy: the level ranking is fixed and documented", "[policy]") {
  Lines order = {"guest", "read", "triage", "member", "write", "maintain", "maintainer", "admin", "owner"};
  for (std::size_t i = 0; i + 1 < order.size(); ++i) {
    CHECK(*level_rank(order[i]) < *level_rank(order[i + 1]));
  }
  CHECK_FALSE(level_rank("billing").has_value());
}

TEST_CASE("policy: assign adds roles from roster attributes, as a name or a list", "[policy]") {
  PolicyWorkspace ws;
  ws.file("roles.lua", R"(
role "engineer" { github = { "team:eng" } }
role "oncall"   { slack = { "usergroup:oncall" } }
role "manager"  { okta = { "group:managers" } }
)");
  ws.file("assign.lua", R"(owner "it"
assign(function(person)
  if person.department == "Engineering" then return { "engineer", "oncall" } end
end)
assign(function(person)
  if person.title and person.title:find("Manager", 1, true) then return "manager" end
  return nil
end)
)");
  auto& eng = ws.person("e@acme.com", {"engineer"});
  eng.department = "Engineering";
  auto& mgr = ws.person("m@acme.com");
  mgr.title = "Engineering Manager";
  ws.person("x@acme.com");
  auto engine = ws.load();

  PersonAccess e = evaluate(*engine, ws.get("e@acme.com"));
  CHECK(role_names(e) == Lines{"engineer", "oncall"});
  CHECK(e.roles[0].assigned_by == "roster role column (roster.csv:2); assign at policies/assign.lua:2");
  CHECK(e.roles[1].assigned_by == "assign at policies/assign.lua:2");
  CHECK(grant_lines(e) == Lines{"github team:eng member", "slack usergroup:oncall member"});
  CHECK(e.grants[0].why[0].assigned_by == e.roles[0].assigned_by);

  PersonAccess m = evaluate(*engine, ws.get("m@acme.com"));
  CHECK(role_names(m) == Lines{"manager"});
  CHECK(m.roles[0].assigned_by == "assign at policies/assign.lua:5");
  CHECK(evaluate(*engine, ws.get("x@acme.com")).roles.empty());
}

TEST_CASE("policy: a rule gives entitlements by attribute, with the rule as provenance", "[policy]") {
  PolicyWorkspace ws;
  ws.file("ops.lua", R"(owner "team-sre"
rule("on-call", function(person)
  if person.attrs.oncall == "yes" then
    return {
      slack  = { "usergroup:oncall" },
      github = { { "team:incident", level = "maintainer" } },
    }
  end
end)
)");
  auto& on = ws.person("on@acme.com");
  on.attrs["oncall"] = "yes";
  auto& off = ws.person("off@acme.com");
  off.attrs["oncall"] = "no";
  auto engine = ws.load();
  PersonAccess a = evaluate(*engine, ws.get("on@acme.com"));
  CHECK(grant_lines(a) == Lines{"github team:incident maintainer", "slack usergroup:oncall member"});
  CHECK(a.grants[0].why[0].kind == Provenance::Kind::rule);
  CHECK(a.grants[0].why[0].describe() == "rule \"on-call\" <- policies/ops.lua:6");
  CHECK(a.grants[1].why[0].describe() == "rule \"on-call\" <- policies/ops.lua:5");
  CHECK(evaluate(*engine, ws.get("off@acme.com")).grants.empty());
  REQUIRE(engine->rules().size() == 1);
  CHECK(engine->rules()[0].name == "on-call");
  CHECK(engine->rules()[0].owner == "team-sre");
  CHECK(engine->rules()[0].source.str() == "policies/ops.lua:2");
}

TEST_CASE("policy: sod lists entitlements across systems with an optional max_held", "[policy]") {
  PolicyWorkspace ws;
  ws.file("sec.lua", R"(owner "security"
sod { name = "deploy-vs-approve", "github:team:deployers", "netsuite:role:approver" }
sod { name = "money", description = "no two of these", max_held = 2,
      "netsuite:role:ap_clerk", "netsuite:role:ap_approver", "netsuite:role:vendor_admin" }
)");
  auto engine = ws.load();
  REQUIRE(engine->sod_rules().size() == 2);
  const SodRule& d = engine->sod_rules()[0];
  CHECK(d.name == "deploy-vs-approve");
  CHECK(d.entitlements == Lines{"github:team:deployers", "netsuite:role:approver"});
  CHECK(d.max_held == 1);
  CHECK(d.owner == "security");
  CHECK(d.source.str() == "policies/sec.lua:2");
  const SodRule& m = engine->sod_rules()[1];
  CHECK(m.max_held == 2);
  CHECK(m.description == "no two of these");
  CHECK(m.entitlements.size() == 3);
}

TEST_CASE("policy: exceptions name an account or a person, expire at the end of their day", "[policy]") {
  PolicyWorkspace ws;
  ws.person("bob@acme.com");
  ws.file("sec.lua", R"(owner "security"
exception { system = "postgres", account = "bob@acme.com", entitlement = "role:db_admin",
            expires = "2026-12-31", ticket = "SEC-123", reason = "data migration" }
exception { system = "github", person = "bob@acme.com", expires = date("2027-01-15T12:00:00Z"),
            ticket = "SEC-124" }
)");
  auto engine = ws.load();
  REQUIRE(engine->exceptions().size() == 2);
  const ExceptionRule& e = engine->exceptions()[0];
  CHECK(e.system == "postgres");
  CHECK(e.account == "bob@acme.com");
  CHECK(e.person.empty());
  CHECK(e.entitlement == "role:db_admin");
  CHECK(e.expires == at("2026-12-31T23:59:59Z"));
  CHECK(e.ticket == "SEC-123");
  CHECK(e.reason == "data migration");
  CHECK(e.owner == "security");
  CHECK(e.source.str() == "policies/sec.lua:2");
  const ExceptionRule& p = engine->exceptions()[1];
  CHECK(p.person == "bob@acme.com");
  CHECK(p.entitlement.empty());
  CHECK(p.expires == at("2027-01-15T12:00:00Z"));
}

TEST_CASE("policy: an exception can cover a separation-of-duties rule", "[policy]") {
  PolicyWorkspace ws;
  ws.file("sec.lua", R"(owner "security"
sod { name = "ap-vs-approve", "netsuite:role:ap_clerk", "netsuite:role:approver" }
exception { sod = "ap-vs-approve", person = "noah@acme.com", expires = "2027-01-31", ticket = "FIN-7",
            reason = "month-end cover" }
)");
  auto engine = ws.load();
  REQUIRE(engine->exceptions().size() == 1);
  const ExceptionRule& e = engine->exceptions()[0];
  CHECK(e.system.empty());
  CHECK(e.entitlement == "sod:ap-vs-approve");
  CHECK(e.person == "noah@acme.com");

  ws.file("sec.lua",
          "sod { name = \"ap-vs-approve\", \"netsuite:role:a\", \"netsuite:role:b\" }\n"
          "exception { sod = \"ap-vs-aprove\", person = \"n@acme.com\", expires = \"2027-01-31\", ticket = "
          "\"F\" }\n");
  CHECK(ws.load_error() ==
        "policies/sec.lua:2: exception names unknown sod rule \"ap-vs-aprove\" (did you mean "
        "\"ap-vs-approve\"?)");
}

TEST_CASE("policy: service accounts declare owner, entitlements and expiry", "[policy]") {
  PolicyWorkspace ws;
  ws.person("jane@acme.com");
  ws.file("data.lua", R"(owner "team-data"
service_account { system = "postgres", account = "svc_etl", owner = "jane@acme.com",
                  description = "nightly ETL",
                  entitlements = {
                    "role:app_readwrite",
                    { "schema:analytics:CREATE", level = "write" },
                  } }
service_account { system = "github", account = "deploy-bot", owner = "jane@acme.com",
                  expires = "2027-03-01" }
)");
  auto engine = ws.load();
  REQUIRE(engine->service_accounts().size() == 2);
  const ServiceAccount& bot = engine->service_accounts()[0];
  CHECK(bot.account == "deploy-bot");
  CHECK(bot.expires == at("2027-03-01T23:59:59Z"));
  CHECK(bot.entitlements.empty());
  const ServiceAccount& etl = engine->service_accounts()[1];
  CHECK(etl.system == "postgres");
  CHECK(etl.owner == "jane@acme.com");
  CHECK(etl.policy_owner == "team-data");
  CHECK(etl.description == "nightly ETL");
  CHECK_FALSE(etl.expires.has_value());
  REQUIRE(etl.entitlements.size() == 2);
  CHECK(etl.entitlements[0].entitlement_id == "role:app_readwrite");
  CHECK(etl.entitlements[0].level == "member");
  CHECK(etl.entitlements[1].level == "write");
  CHECK(etl.entitlements[0].why[0].describe() == "service_account \"svc_etl\" <- policies/data.lua:5");
  CHECK(etl.entitlements[1].why[0].describe() == "service_account \"svc_etl\" <- policies/data.lua:6");
}

TEST_CASE("policy: settings set dormant days, matching and severity overrides", "[policy]") {
  PolicyWorkspace ws;
  ws.file("settings.lua", R"(
settings { dormant_days = 60, match = { strip_plus_tags = true, domains = { "Acme.com", "acme.io" } } }
)");
  ws.file("severity.lua", R"(
settings { severity = { orphan_account = "Critical", ["github:org:acme"] = "critical", dormant_account = "info" } }
)");
  auto engine = ws.load();
  const Settings& s = engine->settings();
  CHECK(s.dormant_days == 60);
  CHECK(s.strip_plus_tags);
  CHECK(s.domains == Lines{"acme.com", "acme.io"});
  CHECK(s.severity ==
        std::map<std::string, std::string>{{"dormant_account", "info"}, {"orphan_account", "critical"}});
  CHECK(s.entitlement_severity == std::map<std::string, std::string>{{"github:org:acme", "critical"}});
}

TEST_CASE("policy: settings default to 90 dormant days and no matching options", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", "owner \"x\"\n");
  auto engine = ws.load();
  CHECK(engine->settings().dormant_days == 90);
  CHECK_FALSE(engine->settings().strip_plus_tags);
  CHECK(engine->settings().domains.empty());
}

TEST_CASE("policy: match hooks map an account to a roster email, first answer wins", "[policy]") {
  PolicyWorkspace ws;
  ws.person("jane.doe@acme.com");
  ws.file("a_match.lua", R"(
match(function(account)
  if account.system == "github" and account.login == "jdoe" then return "Jane.Doe@acme.com" end
end)
)");
  ws.file("b_match.lua", R"(
match(function(account)
  if account.external_id == "E1001" then return "jane.doe@acme.com" end
  if account.display_name == "Nobody" then return "nobody@acme.com" end
end)
)");
  auto engine = ws.load();
  REQUIRE(engine->has_match_hooks());
  auto m = engine->match({"github", "u-1", "jdoe", "", "Jane", ""});
  REQUIRE(m);
  CHECK(*m == std::optional<std::string>("jane.doe@acme.com"));
  m = engine->match({"okta", "00u1", "", "", "", "E1001"});
  REQUIRE(m);
  CHECK(*m == std::optional<std::string>("jane.doe@acme.com"));
  m = engine->match({"okta", "00u2", "", "", "", ""});
  REQUIRE(m);
  CHECK_FALSE(m->has_value());
  m = engine->match({"slack", "U9", "", "", "Nobody", ""});
  REQUIRE_FALSE(m);
  CHECK(m.error().message() ==
        "account \"U9\" in system \"slack\": policies/b_match.lua:2: match returned \"nobody@acme.com\", "
        "which is not a "
        "roster email");
}

TEST_CASE("policy: without match hooks, match decides nothing", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", "owner \"x\"\n");
  auto engine = ws.load();
  CHECK_FALSE(engine->has_match_hooks());
  auto m = engine->match({"github", "u-1", "jdoe", "", "", ""});
  REQUIRE(m);
  CHECK_FALSE(m->has_value());
}

TEST_CASE("policy: person views carry roster fields, attributes and dates", "[policy]") {
  PolicyWorkspace ws;
  auto& p = ws.person("ana@acme.com", {"analyst", "support"});
  p.department = "Data";
  p.title = "Analyst";
  p.manager_email = "boss@acme.com";
  p.status = roster::PersonStatus::leave;
  p.aliases = {"ana@acme.io"};
  p.attrs = {{"cost_center", "CC-7"}, {"empty", ""}};
  p.start_date = at("2024-03-01");
  ws.file("probe.lua", R"(
role "ok" { slack = { "usergroup:ok" } }
rule("probe", function(person)
  assert(person.email == "ana@acme.com")
  assert(person.employee_id == "E1")
  assert(person.name == "ana")
  assert(person.department == "Data" and person.title == "Analyst")
  assert(person.status == "leave")
  assert(person.manager_email == "boss@acme.com")
  assert(#person.roles == 2 and person.roles[1] == "analyst" and person.roles[2] == "support")
  assert(person.aliases[1] == "ana@acme.io")
  assert(person.attrs.cost_center == "CC-7")
  assert(person.attrs.empty == nil, "empty roster cells read as nil")
  assert(person.end_date == nil)
  assert(person.start_date == date("2024-03-01"))
  assert(tostring(person.start_date) == "2024-03-01")
  local n = 0
  for k, v in pairs(person.attrs) do n = n + 1 end
  assert(n == 1)
  assert(table.concat(person.roles, ",") == "analyst,support")
  assert(has_role(person, "support") and not has_role(person, "sre"))
  return { slack = { "usergroup:ok" } }
end)
)");
  auto engine = ws.load();
  CHECK(grant_lines(evaluate(*engine, ws.get("ana@acme.com"))) == Lines{"slack usergroup:ok member"});
}

TEST_CASE("policy: date helpers compare, add and format dates in UTC", "[policy]") {
  PolicyWorkspace ws;  // now = 2026-11-20T09:00:00Z
  auto& p = ws.person("new@acme.com");
  p.start_date = at("2026-11-01");
  ws.file("dates.lua", R"(
assert(today() == date("2026-11-20"))
assert(tostring(today()) == "2026-11-20")
assert(tostring(now()) == "2026-11-20T09:00:00Z")
assert(date("2026-12-31") > today())
assert(before(today(), "2026-12-31") and after("2026-12-31", today()))
assert(not before("2026-12-31", "2026-12-31"))
assert(days_between("2026-11-20", "2026-12-31") == 41)
assert(date("2026-12-31") - date("2026-11-20") == 41)
assert(tostring(date("2026-12-31") + 1) == "2027-01-01")
assert(tostring(date("2026-03-01") - 1) == "2026-02-28")
assert(tostring(date("2026-01-31"):add_days(30)) == "2026-03-02")
local d = date("2026-07-04")
assert(d.year == 2026 and d.month == 7 and d.day == 4)
assert(d.unix == 1783123200)
assert(date("2026-07-04") < "2026-07-05" and "2026-07-03" < date("2026-07-04"))
assert(os.time() == now().unix)
assert(os.date("%Y-%m-%d") == "2026-11-20")
assert(os.time({ year = 2026, month = 13, day = 1, hour = 0 }) == date("2027-01-01").unix)
role "newcomer" { slack = { "usergroup:new" } }
assign(function(person)
  if person.start_date and days_between(person.start_date, today()) < 30 then return "newcomer" end
end)
)");
  auto engine = ws.load();
  CHECK(role_names(evaluate(*engine, ws.get("new@acme.com"))) == Lines{"newcomer"});
}

TEST_CASE("policy: a bad date names the helper and the text", "[policy]") {
  PolicyWorkspace ws;
  ws.file("dates.lua", "local d = date(\"2026-13-01\")\n");
  CHECK(ws.load_error() ==
        "policies/dates.lua:1: date: argument 1: invalid date/time \"2026-13-01\" (expected ISO 8601)");
}

TEST_CASE("policy: manager chain helpers walk the roster", "[policy]") {
  PolicyWorkspace ws;
  ws.person("ceo@acme.com");
  ws.person("vp@acme.com").manager_email = "ceo@acme.com";
  ws.person("lead@acme.com").manager_email = "VP@acme.com";
  auto& dev = ws.person("dev@acme.com", {"engineer"});
  dev.manager_email = "lead@acme.com";
  ws.person("loop1@acme.com").manager_email = "loop2@acme.com";
  ws.person("loop2@acme.com").manager_email = "loop1@acme.com";
  ws.file("org.lua", R"(
local chain = manager_chain("dev@acme.com")
assert(#chain == 3 and chain[1] == "lead@acme.com" and chain[2] == "vp@acme.com" and chain[3] == "ceo@acme.com")
assert(#manager_chain("ceo@acme.com") == 0)
assert(#manager_chain("loop1@acme.com") == 1, "a cycle stops the chain")
assert(reports_to("dev@acme.com", "ceo@acme.com") and reports_to("dev@acme.com", "Lead@Acme.com"))
assert(not reports_to("vp@acme.com", "dev@acme.com"))
assert(find_person("VP@acme.com").email == "vp@acme.com")
assert(find_person("nobody@acme.com") == nil)
assert(manager_of("dev@acme.com").email == "lead@acme.com")
assert(manager_of("ceo@acme.com") == nil)
assert(find_employee("E4").email == "dev@acme.com" and find_employee("E999") == nil)
role "vp-org" { slack = { "usergroup:vp-org" } }
assign(function(person)
  if reports_to(person, "vp@acme.com") then return "vp-org" end
end)
)");
  auto engine = ws.load();
  CHECK(role_names(evaluate(*engine, ws.get("dev@acme.com"))) == Lines{"engineer", "vp-org"});
  CHECK(role_names(evaluate(*engine, ws.get("ceo@acme.com"))).empty());
}

TEST_CASE("policy: prelude helpers contains, one_of, email_domain and merge", "[policy]") {
  PolicyWorkspace ws;
  auto& p = ws.person("pat+ops@Acme.COM");
  p.department = "Finance";
  ws.file("helpers.lua", R"(
assert(contains({ "a", "b" }, "b") and not contains({}, "a"))
assert(one_of("x", "y", "x") and not one_of("x"))
assert(email_domain("pat@Acme.COM") == "acme.com" and email_domain("nobody") == nil)
rule("finance", function(person)
  return merge(
    one_of(person.department, "Finance", "Accounting") and { netsuite = { "role:viewer" } },
    email_domain(person.email) == "acme.com" and { slack = { "usergroup:staff" }, netsuite = { "role:expenses" } },
    nil)
end)
)");
  auto engine = ws.load();
  CHECK(grant_lines(evaluate(*engine, ws.get("pat+ops@Acme.COM"))) == Lines{"netsuite role:expenses member",
                                                                            "netsuite role:viewer member",
                                                                            "slack usergroup:staff member"});
}

TEST_CASE("policy: a roster role no policy defines is listed but gives nothing, with a warning", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", "owner \"x\"\nrole \"engineer\" { github = { \"team:eng\" } }\n");
  ws.person("a@acme.com", {"engineer", "astronaut"});
  ws.person("b@acme.com", {"astronaut"});
  auto engine = ws.load();
  PersonAccess a = evaluate(*engine, ws.get("a@acme.com"));
  REQUIRE(a.roles.size() == 2);
  CHECK(a.roles[0].role == "astronaut");
  CHECK_FALSE(a.roles[0].defined);
  CHECK(grant_lines(a) == Lines{"github team:eng member"});
  CHECK(engine->warnings() ==
        Lines{"roster.csv:2: roster role \"astronaut\" is not defined by any policy (2 people)"});
}

TEST_CASE("policy: warnings name roles nobody holds once the whole roster is evaluated", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", R"(owner "x"
role "base"     { slack = { "usergroup:all" } }
role "engineer" { includes = { "base" }, github = { "team:eng" } }
role "unused"   { github = { "team:unused" } }
)");
  ws.person("a@acme.com", {"engineer"});
  ws.person("b@acme.com");
  auto engine = ws.load();
  CHECK(engine->warnings().empty());
  evaluate(*engine, ws.get("a@acme.com"));
  CHECK(engine->warnings().empty());  // b not evaluated yet: nothing can be said
  evaluate(*engine, ws.get("b@acme.com"));
  CHECK(engine->warnings() == Lines{"policies/a.lua:4: role \"unused\" is held by nobody in the roster"});
}

TEST_CASE("policy: warnings name exceptions that expire within 14 days or have expired", "[policy]") {
  PolicyWorkspace ws;  // now = 2026-11-20
  ws.file("sec.lua", R"(owner "security"
exception { system = "postgres", account = "a", expires = "2026-11-25", ticket = "T-1" }
exception { system = "postgres", account = "b", entitlement = "role:x", expires = "2026-11-01", ticket = "T-2" }
exception { system = "postgres", account = "c", expires = "2027-06-01", ticket = "T-3" }
exception { system = "postgres", person = "ghost@acme.com", expires = "2027-06-01", ticket = "T-4" }
)");
  auto engine = ws.load();
  CHECK(engine->warnings() ==
        Lines{"policies/sec.lua:2: exception T-1 for \"a\" on postgres expires on 2026-11-25 (in 5 days)",
              "policies/sec.lua:3: exception T-2 for \"b\" on postgres role:x expired on 2026-11-01 (19 days "
              "ago)",
              "policies/sec.lua:5: exception names person \"ghost@acme.com\", who is not in the roster"});
}

TEST_CASE("policy: warnings name files without owner and service accounts with a bad owner", "[policy]") {
  PolicyWorkspace ws;
  ws.person("gone@acme.com").status = roster::PersonStatus::terminated;
  ws.file("a.lua", R"(
service_account { system = "github", account = "bot1", owner = "gone@acme.com" }
service_account { system = "github", account = "bot2", owner = "who@acme.com" }
)");
  auto engine = ws.load();
  CHECK(engine->warnings() ==
        Lines{"policies/a.lua: no owner (add owner \"team-name\" so its findings reach a team)",
              "policies/a.lua:2: service_account \"bot1\" in github: owner \"gone@acme.com\" is terminated",
              "policies/a.lua:3: service_account \"bot2\" in github: owner \"who@acme.com\" is not in the "
              "roster"});
}

TEST_CASE("policy: files load in sorted path order, including subfolders", "[policy]") {
  PolicyWorkspace ws;
  ws.file("b.lua", "role \"b\" { slack = { \"usergroup:b\" } }\n");
  ws.file("a/z.lua", "role \"az\" { slack = { \"usergroup:az\" } }\n");
  ws.file(".hidden.lua", "error('hidden files are not policies')\n");
  ws.file("notes.txt", "not lua\n");
  ws.file("c.lua", "role \"c\" { includes = { \"b\", \"az\" } }\n");
  auto engine = ws.load();
  REQUIRE(engine->roles().size() == 3);
  CHECK(engine->roles()[0].source.str() == "policies/a/z.lua:1");
}

TEST_CASE("policy: an empty policies folder loads, with a warning", "[policy]") {
  PolicyWorkspace ws;
  std::filesystem::create_directories(ws.dir / "policies");
  auto engine = ws.load();
  CHECK(engine->warnings() == Lines{"no policy files: every actual grant will be unauthorized"});
}
