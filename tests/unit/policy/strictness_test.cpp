// Mistakes in policies are errors naming file:line (both places for duplicates), never
// silently ignored.
#include "tests/unit/policy/policy_fixture.hpp"

using namespace rollcall;
using namespace rollcall::policy;
using namespace rollcall::policy::testing;

TEST_CASE("policy strictness: a role defined twice names both places", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", "owner \"a\"\nrole \"engineer\" { github = { \"team:a\" } }\n");
  ws.file("b.lua", "owner \"b\"\n\n\nrole \"engineer\" { github = { \"team:b\" } }\n");
  CHECK(ws.load_error() == "policies/b.lua:4: role \"engineer\" is already defined at policies/a.lua:2");
}

TEST_CASE("policy strictness: a role defined twice in one file names both lines", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", "role \"x\" { github = { \"team:a\" } }\nrole \"x\" { github = { \"team:b\" } }\n");
  CHECK(ws.load_error() == "policies/a.lua:2: role \"x\" is already defined at policies/a.lua:1");
}

TEST_CASE("policy strictness: includes naming an unknown role, with a suggestion", "[policy]") {
  PolicyWorkspace ws;
  ws.file("eng.lua", R"(owner "team-platform"
role "engineer" { github = { "team:platform" } }
role "sre" {
  postgres = { "role:db_admin" },
  includes = { "enginer" },
}
)");
  CHECK(ws.load_error() ==
        "policies/eng.lua:5: role \"sre\" includes unknown role \"enginer\" (did you mean \"engineer\"?)");
}

TEST_CASE("policy strictness: an includes cycle names the roles and where it starts", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", R"(
role "a" { includes = { "b" } }
role "b" {
  includes = { "c" },
}
role "c" { includes = { "a" } }
)");
  CHECK(ws.load_error() == "policies/a.lua:2: includes cycle: role \"a\" -> \"b\" -> \"c\" -> \"a\"");
}

TEST_CASE("policy strictness: a role including itself is a cycle", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", "role \"a\" { includes = { \"a\" } }\n");
  CHECK(ws.load_error() == "policies/a.lua:1: includes cycle: role \"a\" -> \"a\"");
}

TEST_CASE("policy strictness: a system not in rollcall.toml, with a suggestion or the list", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", R"(role "engineer" {
  github = { "team:a" },
  gihub  = { "team:b" },
}
)");
  CHECK(ws.load_error() ==
        "policies/a.lua:3: role \"engineer\": unknown system \"gihub\" (did you mean \"github\"?)");
  ws.file("a.lua", "role \"engineer\" { jira = { \"group:x\" } }\n");
  CHECK(ws.load_error() ==
        "policies/a.lua:1: role \"engineer\": unknown system \"jira\" (systems in rollcall.toml: github, "
        "netsuite, okta, "
        "postgres, slack)");
}

TEST_CASE("policy strictness: malformed entitlement ids, wherever they are written", "[policy]") {
  PolicyWorkspace ws;
  SECTION("in a role") {
    ws.file("a.lua", "role \"engineer\" {\n  github = { \"team:ok\",\n    \"teamplatform\" },\n}\n");
    CHECK(
        ws.load_error() ==
        "policies/a.lua:3: role \"engineer\": malformed entitlement id \"teamplatform\" in system \"github\" "
        "(expected \"<type>:<name>\")");
  }
  SECTION("with an empty side") {
    ws.file("a.lua", "role \"engineer\" { github = { { \"team:\", level = \"admin\" } } }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: role \"engineer\": malformed entitlement id \"team:\" in system \"github\" "
          "(expected \"<type>:<name>\")");
  }
  SECTION("in an exception") {
    ws.file("a.lua",
            "exception { system = \"postgres\", account = \"bob\",\n  entitlement = \"db_admin\", expires = "
            "\"2027-01-01\", ticket = \"T\" }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:2: exception: malformed entitlement id \"db_admin\" (expected \"<type>:<name>\")");
  }
  SECTION("in a service account") {
    ws.file("a.lua",
            "service_account { system = \"postgres\", account = \"svc\", owner = \"a@acme.com\",\n"
            "  entitlements = { \"readwrite\" } }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:2: service_account \"svc\": malformed entitlement id \"readwrite\" in system "
          "\"postgres\" "
          "(expected \"<type>:<name>\")");
  }
  SECTION("in a sod rule") {
    ws.file("a.lua", "sod { name = \"x\",\n  \"github:team:deployers\",\n  \"netsuite-approver\" }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:3: sod \"x\": \"netsuite-approver\" is not \"<system>:<type>:<name>\" (e.g. "
          "\"github:team:deployers\")");
  }
  SECTION("in a rule's result, reported when evaluating the person") {
    ws.file("ops.lua", "rule(\"r\", function(person)\n  return { github = { \"oops\" } }\nend)\n");
    ws.person("bob@acme.com");
    auto engine = ws.load();
    CHECK(evaluate_error(*engine, ws.get("bob@acme.com")) ==
          "person \"bob@acme.com\": policies/ops.lua:2: rule \"r\": malformed entitlement id \"oops\" in "
          "system "
          "\"github\" (expected \"<type>:<name>\")");
  }
}

TEST_CASE("policy strictness: an exception needs expires and ticket", "[policy]") {
  PolicyWorkspace ws;
  SECTION("without expires") {
    ws.file("sec.lua",
            "owner \"security\"\nexception { system = \"postgres\", account = \"bob@acme.com\", "
            "entitlement = \"role:db_admin\", ticket = \"SEC-1\" }\n");
    CHECK(ws.load_error() ==
          "policies/sec.lua:2: exception: missing expires (the last day it applies, e.g. expires = "
          "\"2026-12-31\")");
  }
  SECTION("without ticket") {
    ws.file("sec.lua",
            "owner \"security\"\nexception { system = \"postgres\", account = \"bob@acme.com\", "
            "expires = \"2026-12-31\" }\n");
    CHECK(
        ws.load_error() ==
        "policies/sec.lua:2: exception: missing ticket (the approval reference, e.g. ticket = \"SEC-123\")");
  }
  SECTION("with a date that is not one") {
    ws.file(
        "sec.lua",
        "exception { system = \"postgres\", account = \"b\", expires = \"31/12/2026\", ticket = \"T\" }\n");
    CHECK(ws.load_error() ==
          "policies/sec.lua:1: exception: expires: invalid date/time \"31/12/2026\" (expected ISO 8601)");
  }
  SECTION("with both account and person") {
    ws.file("sec.lua",
            "exception { system = \"postgres\", account = \"b\", person = \"b@acme.com\", expires = "
            "\"2027-01-01\", ticket = \"T\" }\n");
    CHECK(ws.load_error() ==
          "policies/sec.lua:1: exception: give exactly one of account (an account in the system) or person "
          "(a roster "
          "email)");
  }
  SECTION("with a misspelt key") {
    ws.file(
        "sec.lua",
        "exception { system = \"postgres\", account = \"b\",\n  expiry = \"2027-01-01\", ticket = \"T\" }\n");
    CHECK(ws.load_error() ==
          "policies/sec.lua:2: exception: unknown key \"expiry\" (allowed: system, account, person, "
          "entitlement, "
          "sod, expires, ticket, reason); did you mean \"expires\"?");
  }
  SECTION("without system") {
    ws.file("sec.lua", "exception { account = \"b\", expires = \"2027-01-01\", ticket = \"T\" }\n");
    CHECK(ws.load_error() ==
          "policies/sec.lua:1: exception: missing system (system = \"github\"), or sod = \"<rule name>\"");
  }
  SECTION("on an unknown system") {
    ws.file("sec.lua",
            "exception { system = \"jira\", account = \"b\", expires = \"2027-01-01\", ticket = \"T\" }\n");
    CHECK(ws.load_error() ==
          "policies/sec.lua:1: exception: unknown system \"jira\" (systems in rollcall.toml: github, "
          "netsuite, okta, "
          "postgres, slack)");
  }
}

TEST_CASE("policy strictness: duplicate rules, sod names and service accounts name both places", "[policy]") {
  PolicyWorkspace ws;
  SECTION("rule") {
    ws.file("a.lua", "rule(\"on-call\", function() end)\n");
    ws.file("b.lua", "\nrule(\"on-call\", function() end)\n");
    CHECK(ws.load_error() == "policies/b.lua:2: rule \"on-call\" is already defined at policies/a.lua:1");
  }
  SECTION("sod") {
    ws.file("a.lua", "sod { name = \"x\", \"github:team:a\", \"github:team:b\" }\n");
    ws.file("b.lua", "sod { name = \"x\", \"github:team:c\", \"github:team:d\" }\n");
    CHECK(ws.load_error() == "policies/b.lua:1: sod \"x\" is already defined at policies/a.lua:1");
  }
  SECTION("service account") {
    ws.file("a.lua", "service_account { system = \"github\", account = \"bot\", owner = \"a@acme.com\" }\n");
    ws.file("b.lua", "service_account { system = \"github\", account = \"bot\", owner = \"b@acme.com\" }\n");
    CHECK(ws.load_error() ==
          "policies/b.lua:1: service_account \"bot\" in system \"github\" is already defined at "
          "policies/a.lua:1");
  }
}

TEST_CASE("policy strictness: sod rules need two entitlements and a sane max_held", "[policy]") {
  PolicyWorkspace ws;
  SECTION("one entitlement") {
    ws.file("a.lua", "sod { name = \"x\", \"github:team:a\" }\n");
    CHECK(ws.load_error() == "policies/a.lua:1: sod \"x\": needs at least two entitlements");
  }
  SECTION("no name") {
    ws.file("a.lua", "sod { \"github:team:a\", \"github:team:b\" }\n");
    CHECK(ws.load_error() == "policies/a.lua:1: sod: missing name (name = \"deploy-vs-approve\")");
  }
  SECTION("unknown system") {
    ws.file("a.lua", "sod { name = \"x\", \"github:team:a\", \"netsuit:role:b\" }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: sod \"x\": unknown system \"netsuit\" (did you mean \"netsuite\"?)");
  }
  SECTION("max_held too high") {
    ws.file("a.lua", "sod { name = \"x\", max_held = 2, \"github:team:a\", \"github:team:b\" }\n");
    CHECK(ws.load_error() == "policies/a.lua:1: sod \"x\": max_held must be a whole number from 1 to 1");
  }
}

TEST_CASE("policy strictness: settings are checked and set once", "[policy]") {
  PolicyWorkspace ws;
  SECTION("the same key in two files") {
    ws.file("a.lua", "settings { dormant_days = 90 }\n");
    ws.file("b.lua", "settings { dormant_days = 30 }\n");
    CHECK(ws.load_error() == "policies/b.lua:1: settings: dormant_days is already set at policies/a.lua:1");
  }
  SECTION("an unknown key") {
    ws.file("a.lua", "settings { dormant_day = 90 }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: settings: unknown key \"dormant_day\" (allowed: dormant_days, dormant_statuses, match, "
          "severity, credentials; did you mean \"dormant_days\"?)");
  }
  SECTION("credential thresholds: values, keys and systems are checked, each set once") {
    ws.file("a.lua", "settings { credentials = { rotation_days = 0 } }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: settings: credentials: rotation_days must be a whole number of days (1 or more)");
    ws.file("a.lua", "settings { credentials = { rotate_days = 30 } }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: settings: credentials: unknown key \"rotate_days\" (allowed: rotation_days, unused_days, "
          "systems)");
    ws.file("a.lua", "settings { credentials = { systems = { nosuch = { unused_days = 30 } } } }\n");
    CHECK(ws.load_error().rfind("policies/a.lua:1: settings: credentials.systems: ", 0) == 0);
    ws.file("a.lua", "settings { credentials = { systems = { github = { systems = {} } } } }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: settings: credentials.systems.github: unknown key \"systems\" (allowed: rotation_days, "
          "unused_days)");
    ws.file("a.lua", "settings { credentials = { unused_days = 30 } }\n");
    ws.file("b.lua", "settings { credentials = { unused_days = 60 } }\n");
    CHECK(ws.load_error() == "policies/b.lua:1: settings: credentials.unused_days is already set at policies/a.lua:1");
  }
  SECTION("an unknown finding kind") {
    ws.file("a.lua", "settings { severity = { orphan_acount = \"low\" } }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: settings: severity: unknown finding kind \"orphan_acount\" (did you mean "
          "\"orphan_account\"?)");
  }
  SECTION("an unknown severity") {
    ws.file("a.lua", "settings { severity = { orphan_account = \"severe\" } }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: settings: severity: \"orphan_account\" must be one of info, low, medium, high, "
          "critical, error");
  }
  SECTION("a bad dormant_days") {
    ws.file("a.lua", "settings { dormant_days = \"90\" }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: settings: dormant_days must be a whole number of days (1 or more)");
  }
}

TEST_CASE("policy strictness: owner is set once per file", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", "owner \"a\"\nowner \"b\"\n");
  CHECK(ws.load_error() == "policies/a.lua:2: owner is already set at policies/a.lua:1");
}

TEST_CASE("policy strictness: a role without a body", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", "role \"engineer\"\nrole \"sre\" { github = { \"team:x\" } }\n");
  CHECK(ws.load_error() ==
        "policies/a.lua:1: role \"engineer\" has no body (write role \"engineer\" { github = { \"team:x\" } "
        "})");
}

TEST_CASE("policy strictness: unknown keys in entitlements and bodies", "[policy]") {
  PolicyWorkspace ws;
  SECTION("entitlement table") {
    ws.file("a.lua", "role \"x\" { github = { { \"org:acme\", lvl = \"admin\" } } }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: role \"x\": entitlement \"org:acme\": unknown key \"lvl\" (allowed: level, "
          "privileged)");
  }
  SECTION("a list instead of named keys") {
    ws.file("a.lua", "role \"x\" { \"team:a\" }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: role \"x\": the body has only named keys (includes, privileged, description, or "
          "a system "
          "name); found a list element");
  }
  SECTION("a string instead of a list") {
    ws.file("a.lua", "role \"x\" { github = \"team:a\" }\n");
    CHECK(ws.load_error() ==
          "policies/a.lua:1: role \"x\": \"github\" must be a list of entitlements, e.g. { \"team:platform\" "
          "}, not a "
          "string");
  }
}

TEST_CASE("policy strictness: Lua syntax errors carry file:line", "[policy]") {
  PolicyWorkspace ws;
  ws.file("bad.lua", "owner \"x\"\nrole \"a\" {\n  github = { \"team:a\" \n}\n");
  CHECK(ws.load_error() == "policies/bad.lua:5: '}' expected (to close '{' at line 2) near <eof>");
}

TEST_CASE("policy strictness: Lua runtime errors while loading carry file:line", "[policy]") {
  PolicyWorkspace ws;
  ws.file("bad.lua", "owner \"x\"\n\nrol \"a\" { github = { \"team:a\" } }\n");
  CHECK(ws.load_error() == "policies/bad.lua:3: attempt to call a nil value (global 'rol')");
}

TEST_CASE("policy strictness: runtime errors while evaluating name file:line and the person", "[policy]") {
  PolicyWorkspace ws;
  ws.file("ops.lua", R"(owner "team-sre"
rule("on-call", function(person)
  if person.attrs.oncall:lower() == "yes" then
    return { slack = { "usergroup:oncall" } }
  end
end)
)");
  ws.person("bob@acme.com");
  auto engine = ws.load();
  CHECK(evaluate_error(*engine, ws.get("bob@acme.com")) ==
        "person \"bob@acme.com\": policies/ops.lua:3: attempt to index a nil value (field 'oncall')");
}

TEST_CASE("policy strictness: error() without a position names the hook", "[policy]") {
  PolicyWorkspace ws;
  ws.file("ops.lua",
          "\nrule(\"strict\", function(person) error(\"no department for \" .. person.email, 0) end)\n");
  ws.person("bob@acme.com");
  auto engine = ws.load();
  CHECK(evaluate_error(*engine, ws.get("bob@acme.com")) ==
        "person \"bob@acme.com\": policies/ops.lua:2: rule \"strict\": no department for bob@acme.com");
}

TEST_CASE("policy strictness: assign returning an unknown role or a bad value", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", R"(role "engineer" { github = { "team:eng" } }
assign(function(person)
  if person.department == "Eng" then return { "enginer" } end
  if person.department == "Ops" then return 42 end
end)
)");
  ws.person("a@acme.com").department = "Eng";
  ws.person("b@acme.com").department = "Ops";
  auto engine = ws.load();
  CHECK(evaluate_error(*engine, ws.get("a@acme.com")) ==
        "person \"a@acme.com\": policies/a.lua:2: assign returned unknown role \"enginer\" (did you mean "
        "\"engineer\"?)");
  CHECK(evaluate_error(*engine, ws.get("b@acme.com")) ==
        "person \"b@acme.com\": policies/a.lua:2: assign must return a role name, a list of role names, or "
        "nil: roles "
        "must be a list of strings, e.g. { \"a\", \"b\" }, not a number");
}

TEST_CASE("policy strictness: a rule returning an unknown system names it", "[policy]") {
  PolicyWorkspace ws;
  ws.file(
      "ops.lua",
      "rule(\"on-call\", function(person)\n  return {\n    pagerduty = { \"role:responder\" },\n  }\nend)\n");
  ws.person("bob@acme.com");
  auto engine = ws.load();
  CHECK(evaluate_error(*engine, ws.get("bob@acme.com")) ==
        "person \"bob@acme.com\": policies/ops.lua:3: rule \"on-call\": unknown system \"pagerduty\" "
        "(systems in "
        "rollcall.toml: github, netsuite, okta, postgres, slack)");
}

TEST_CASE("policy strictness: vocabulary calls are only for loading, not evaluation", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", "rule(\"sneaky\", function(person)\n  role \"late\" { github = { \"team:x\" } }\nend)\n");
  ws.person("bob@acme.com");
  auto engine = ws.load();
  CHECK(evaluate_error(*engine, ws.get("bob@acme.com")) ==
        "person \"bob@acme.com\": policies/a.lua:2: role can only be used while a policy file loads (at its "
        "top "
        "level), not inside assign, rule or match functions");
}

TEST_CASE("policy strictness: a definition error cannot be swallowed by pcall", "[policy]") {
  PolicyWorkspace ws;
  ws.file(
      "a.lua",
      "role \"x\" { github = { \"team:a\" } }\nlocal ok = pcall(function() role \"x\" { github = {} } end)\n"
      "assert(not ok)\n");
  CHECK(ws.load_error() == "policies/a.lua:2: role \"x\" is already defined at policies/a.lua:1");
}

TEST_CASE("policy strictness: two unrankable levels for one entitlement", "[policy]") {
  PolicyWorkspace ws;
  ws.file("a.lua", R"(role "a" { netsuite = { { "role:ap", level = "billing" } } }
role "b" { netsuite = { { "role:ap", level = "audit" } } }
)");
  ws.person("p@acme.com", {"a", "b"});
  auto engine = ws.load();
  CHECK(evaluate_error(*engine, ws.get("p@acme.com")) ==
        "person \"p@acme.com\": entitlement \"role:ap\" in system \"netsuite\" gets levels \"billing\" (role "
        "\"a\" <- "
        "policies/a.lua:1) and \"audit\" (role \"b\" <- policies/a.lua:2), and \"billing\" has no ranking "
        "(use one "
        "level, or levels from the documented ranking)");
}

TEST_CASE("policy strictness: a missing policies folder", "[policy]") {
  PolicyWorkspace ws;
  CHECK(ws.load_error() == "policies folder \"policies\" does not exist");
}

TEST_CASE("policy settings: credential thresholds default to 90 days and a system may override one", "[policy][credential]") {
  PolicyWorkspace ws;
  ws.file("a.lua", "role \"engineer\" { github = { \"team:a\" } }\n");
  CHECK(ws.load()->settings().credential_limits("github").rotation_days == 90);
  CHECK(ws.load()->settings().credential_limits("github").unused_days == 90);
  ws.file("b.lua", "settings { credentials = { unused_days = 60, systems = { okta = { rotation_days = 30 } } } }\n");
  auto engine = ws.load();
  const auto okta = engine->settings().credential_limits("okta");
  CHECK(okta.rotation_days == 30);
  CHECK(okta.unused_days == 60);
  const auto github = engine->settings().credential_limits("github");
  CHECK(github.rotation_days == 90);
  CHECK(github.unused_days == 60);
}
