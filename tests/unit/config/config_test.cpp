#include <catch2/catch.hpp>

#include "scanner/config/config.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using namespace rollcall::config;

namespace {

const std::vector<KeySpec> kFileKeys = {{"path", ValueType::string, true, "", ""}};
const std::vector<KeySpec> kGithubKeys = {{"org", ValueType::string, true, "", ""},
                                          {"token_env", ValueType::string, false, "", ""},
                                          {"repos", ValueType::string_list, false, "", ""}};

Result<WorkspaceConfig> load(const testing::TempDir& dir, const std::string& toml) {
  dir.write("rollcall.toml", toml);
  ConnectorKeys keys = [](const std::string& type) -> const std::vector<KeySpec>* {
    if (type == "file") return &kFileKeys;
    if (type == "github") return &kGithubKeys;
    return nullptr;
  };
  return load_workspace(dir.path(), keys, {"file", "github"});
}

std::string error_of(const Result<WorkspaceConfig>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("config: a valid workspace loads roster, systems and paths", "[config]") {
  testing::TempDir dir;
  auto cfg = load(dir, R"(
[roster]
path = "hr/roster.csv"
[roster.columns]
email = "Work Email"

[[system]]
name = "gh"
type = "github"
org = "acme"
repos = "all"
max_snapshot_age = "26h"
timeout = "30s"

[[system]]
name = "app"
type = "file"
path = "exports/app.json"
)");
  REQUIRE(cfg.ok());
  CHECK(cfg->roster.path == dir.path() / "hr/roster.csv");
  CHECK(cfg->roster.columns.at("email") == "Work Email");
  REQUIRE(cfg->systems.size() == 2);
  CHECK(cfg->systems[0].max_snapshot_age_s == 93600);
  CHECK(cfg->systems[0].timeout_s == 30);
  CHECK(*cfg->systems[0].keys.list("repos") == std::vector<std::string>{"all"});
  CHECK(cfg->systems[1].keys.where("path") == (dir.path() / "rollcall.toml").string() + ":18");
  CHECK(cfg->database == dir.path() / "rollcall.db");
}

TEST_CASE("config: an unknown key names file, line and a likely fix", "[config]") {
  testing::TempDir dir;
  const std::string file = (dir / "rollcall.toml").string();
  CHECK(error_of(load(dir, "[roster]\npath = \"r.csv\"\n[[system]]\nname = \"gh\"\ntype = \"github\"\norg = \"acme\"\ntokn_env = \"X\"\n")) ==
        file + ":7: unknown key \"tokn_env\" in system \"gh\" (did you mean \"token_env\"?)");
  CHECK(error_of(load(dir, "[roster]\npath = \"r.csv\"\npaht = 1\n")) ==
        file + ":3: unknown key \"paht\" in [roster] (did you mean \"path\"?)");
  CHECK(error_of(load(dir, "[roster]\npath = \"r.csv\"\npolicy = \"p\"\n")).find("did you mean") == std::string::npos);
}

TEST_CASE("config: wrong types, missing keys and unknown system types are errors with lines", "[config]") {
  testing::TempDir dir;
  const std::string file = (dir / "rollcall.toml").string();
  CHECK(error_of(load(dir, "[roster]\npath = 3\n")) == file + ":2: key \"path\" must be a string");
  CHECK(error_of(load(dir, "[roster]\npath = \"r\"\n[[system]]\nname = \"x\"\ntype = \"gitlab\"\n")) ==
        file + ":5: unknown system type \"gitlab\" (known: file, github)");
  CHECK(error_of(load(dir, "[roster]\npath = \"r\"\n[[system]]\nname = \"x\"\ntype = \"github\"\n")) ==
        file + ":3: system \"x\" is missing required key \"org\"");
  CHECK(error_of(load(dir, "[roster]\npath = \"r\"\n[[system]]\nname = \"x\"\ntype = \"file\"\npath = \"a\"\nmax_snapshot_age = \"1 day\"\n")) ==
        file + ":7: invalid duration \"1 day\" (expected e.g. \"90s\", \"15m\", \"26h\", \"7d\")");
  CHECK(error_of(load(dir, "[[system]]\nname = \"x\"\ntype = \"file\"\npath = \"a\"\n")) ==
        file + ": missing [roster] section (where the HR roster comes from)");
}

TEST_CASE("config: apply_via is \"api\", \"tickets\" or absent", "[config]") {
  testing::TempDir dir;
  const std::string file = (dir / "rollcall.toml").string();
  const std::string head = "[roster]\npath = \"r\"\n[[system]]\nname = \"x\"\ntype = \"file\"\npath = \"a\"\n";
  auto plain = load(dir, head);
  REQUIRE(plain.ok());
  CHECK(plain->systems[0].apply_via.empty());
  auto tickets = load(dir, head + "apply_via = \"tickets\"\n");
  REQUIRE(tickets.ok());
  CHECK(tickets->systems[0].apply_via == "tickets");
  CHECK(error_of(load(dir, head + "apply_via = \"jira\"\n")) ==
        file + ":7: apply_via must be \"api\" or \"tickets\", not \"jira\"");
}

TEST_CASE("config: two systems with one name are an error naming both places", "[config]") {
  testing::TempDir dir;
  const std::string file = (dir / "rollcall.toml").string();
  CHECK(error_of(load(dir, "[roster]\npath = \"r\"\n[[system]]\nname = \"x\"\ntype = \"file\"\npath = \"a\"\n"
                           "[[system]]\nname = \"x\"\ntype = \"file\"\npath = \"b\"\n")) ==
        file + ":8: system name \"x\" is already used at " + file + ":3");
}

TEST_CASE("config: TOML syntax errors carry the line; a missing file says how to create one", "[config]") {
  testing::TempDir dir;
  const std::string file = (dir / "rollcall.toml").string();
  auto r = load(dir, "[roster]\npath = \"unterminated\n");
  CHECK(error_of(r).rfind(file + ":2: ", 0) == 0);
  testing::TempDir empty;
  auto none = load_workspace(empty.path(), [](const std::string&) { return nullptr; }, {});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message() == (empty / "rollcall.toml").string() + ": not found (is " +
                                      "\"" + empty.path().string() + "\" a rollcall workspace? `rollcall init` creates one)");
}

TEST_CASE("config: each roster type has its own keys, checked strictly", "[config]") {
  testing::TempDir dir;
  const std::string file = (dir / "rollcall.toml").string();
  auto airtable = load(dir,
                       "[roster]\ntype = \"airtable\"\nbase = \"appB\"\ntable = \"People\"\nview = \"Active\"\n"
                       "token_env = \"AIRTABLE_TOKEN\"\n[roster.columns]\nemail = \"Work Email\"\n");
  REQUIRE(airtable.ok());
  CHECK(airtable->roster.type == "airtable");
  CHECK(airtable->roster.path.empty());
  CHECK(*airtable->roster.keys.string("view") == "Active");
  CHECK(airtable->roster.columns.at("email") == "Work Email");
  CHECK(airtable->roster.where == file + ":1");
  auto sql = load(dir, "[roster]\ntype = \"sql\"\nsqlite = \"hr.db\"\nquery = \"SELECT * FROM people\"\n");
  REQUIRE(sql.ok());
  CHECK(*sql->roster.keys.string("query") == "SELECT * FROM people");

  CHECK(error_of(load(dir, "[roster]\ntype = \"airtable\"\nbase = \"appB\"\ntable = \"People\"\npath = \"r.csv\"\n")) ==
        file + ":5: unknown key \"path\" in [roster]");
  CHECK(error_of(load(dir, "[roster]\ntype = \"airtable\"\nbase = \"appB\"\ntabel = \"People\"\n")) ==
        file + ":4: unknown key \"tabel\" in [roster] (did you mean \"table\"?)");
  CHECK(error_of(load(dir, "[roster]\ntype = \"airtable\"\nbase = \"appB\"\n")) ==
        file + ":1: [roster] is missing required key \"table\"");
  CHECK(error_of(load(dir, "[roster]\ntype = \"sql\"\nquery = \"SELECT 1\"\n")) ==
        file + ":1: [roster] type \"sql\" needs exactly one of sqlite (a SQLite file) or dsn (PostgreSQL)");
  CHECK(error_of(load(dir, "[roster]\ntype = \"sql\"\nquery = \"SELECT 1\"\nsqlite = \"a.db\"\ndsn = \"host=x\"\n")) ==
        file + ":5: [roster] type \"sql\" needs exactly one of sqlite (a SQLite file) or dsn (PostgreSQL)");
  CHECK(error_of(load(dir, "[roster]\ntype = \"sql\"\nquery = \"SELECT 1\"\nsqlite = \"a.db\"\npassword_env = \"P\"\n")) ==
        file + ":5: a SQLite roster has no password (password_env and password_file are for dsn)");
  CHECK(error_of(load(dir, "[roster]\ntype = \"xlsx\"\npath = \"r.xlsx\"\n")) ==
        file + ":2: roster type \"xlsx\" is not supported (expected csv, json, airtable or sql)");
  REQUIRE(roster_keys("airtable") != nullptr);
  CHECK(roster_keys("xlsx") == nullptr);
}

TEST_CASE("docs: docs/roster.md documents every [roster] key of every type", "[config][docs]") {
  const std::string doc = testing::read_file(testing::source_dir() / "docs" / "roster.md");
  for (const char* type : {"csv", "json", "airtable", "sql"}) {
    for (const KeySpec& k : *roster_keys(type)) {
      INFO(type << ": " << k.name);
      CHECK(doc.find("`" + k.name + "`") != std::string::npos);
    }
  }
}
