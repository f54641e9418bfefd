#include <catch2/catch.hpp>

#include "scanner/core/digest.hpp"
#include "scanner/roster/roster.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using namespace rollcall::roster;

namespace {

Result<Roster> load(const testing::TempDir& dir, const std::string& name, const std::string& text,
                    config::StringMap columns = {}) {
  config::RosterConfig cfg;
  cfg.path = dir.write(name, text);
  cfg.type = name.size() > 5 && name.substr(name.size() - 5) == ".json" ? "json" : "csv";
  cfg.columns = std::move(columns);
  return load_roster(cfg);
}

std::string error_of(const Result<Roster>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("roster: CSV rows become people with roles, dates and free attributes", "[roster]") {
  testing::TempDir dir;
  const std::string text =
      "\xEF\xBB\xBF" "employee_id,email,name,department,title,role,status,manager_email,start_date,end_date,aliases,oncall\r\n"
      "E1,Jane.Doe@Acme.com,\"Doe, Jane\",Engineering,SRE,\"engineer; sre\",active,,2021-03-01,,jdoe@acme.io;jane,yes\r\n"
      "E2,bob@acme.com,\"Bob \"\"B\"\" Smith\",Finance,\"Analyst\nII\",,terminated,jane.doe@acme.com,2020-01-01,2026-09-30,,no\r\n";
  auto r = load(dir, "roster.csv", text);
  REQUIRE(r.ok());
  REQUIRE(r->people.size() == 2);
  const Person& jane = r->people[0];
  CHECK(jane.name == "Doe, Jane");
  CHECK(jane.roles == std::vector<std::string>{"engineer", "sre"});
  CHECK(jane.aliases == std::vector<std::string>{"jdoe@acme.io", "jane"});
  CHECK(jane.attrs.at("oncall") == "yes");
  CHECK(jane.start_date == 1614556800);
  CHECK_FALSE(jane.end_date);
  const Person& bob = r->people[1];
  CHECK(bob.name == "Bob \"B\" Smith");
  CHECK(bob.title == "Analyst\nII");
  CHECK(bob.status == PersonStatus::terminated);
  CHECK(bob.line == 3);
  CHECK(r->find_by_email(" jane.doe@acme.COM ") == &jane);
  CHECK(r->find_by_employee_id("E2") == &bob);
  CHECK(r->where(bob) == "roster.csv:3");
  CHECK(r->digest == sha256_hex(text));
}

TEST_CASE("roster: column mapping reads an HRIS export's own headers", "[roster]") {
  testing::TempDir dir;
  auto r = load(dir, "hris.csv", "Work Email,Worker ID,Job Roles,Employment Status,role\nann@acme.com,W-9,analyst,Active,x\n",
                {{"email", "Work Email"}, {"employee_id", "Worker ID"}, {"role", "Job Roles"},
                 {"status", "Employment Status"}});
  REQUIRE(r.ok());
  CHECK(r->people[0].employee_id == "W-9");
  CHECK(r->people[0].roles == std::vector<std::string>{"analyst"});
  CHECK(r->people[0].attrs.at("role") == "x");  // the default header, once remapped, is an attribute
  CHECK(error_of(load(dir, "hris.csv", "Email\nx@y\n", {{"emial", "Email"}})) ==
        "[roster.columns]: unknown roster field \"emial\" (did you mean \"email\"?)");
  CHECK(error_of(load(dir, "hris.csv", "Mail\nx@y\n", {{"email", "Work Email"}})) ==
        "hris.csv:1: missing required column \"Work Email\"");
}

TEST_CASE("roster: duplicates name both lines", "[roster]") {
  testing::TempDir dir;
  CHECK(error_of(load(dir, "roster.csv", "employee_id,email\nE1,a@acme.com\nE2,b@acme.com\nE3,A@ACME.com\n")) ==
        "roster.csv:4: duplicate email \"A@ACME.com\" (also on line 2)");
  CHECK(error_of(load(dir, "roster.csv", "employee_id,email\nE1,a@acme.com\nE1,b@acme.com\n")) ==
        "roster.csv:3: duplicate employee_id \"E1\" (also on line 2)");
}

TEST_CASE("roster: malformed rows are errors naming file and line", "[roster]") {
  testing::TempDir dir;
  CHECK(error_of(load(dir, "roster.csv", "email,status\na@acme.com,retired\n")) ==
        "roster.csv:2: status \"retired\" is not active, leave or terminated");
  CHECK(error_of(load(dir, "roster.csv", "email,end_date\na@acme.com,31/12/2026\n")) ==
        "roster.csv:2: end_date: invalid date/time \"31/12/2026\" (expected ISO 8601)");
  CHECK(error_of(load(dir, "roster.csv", "email,name\na@acme.com,x,extra\n")) ==
        "roster.csv:2: expected 2 fields, found 3");
  CHECK(error_of(load(dir, "roster.csv", "email,name\na@acme.com,\"open\n")) ==
        "roster.csv:2: unterminated quoted field");
  CHECK(error_of(load(dir, "roster.csv", "email,name\n,Nobody\n")) == "roster.csv:2: empty email");
  CHECK(error_of(load(dir, "roster.csv", "")) == "roster.csv: empty roster (no header line)");
  config::RosterConfig missing;
  missing.path = dir / "absent.csv";
  auto r = load_roster(missing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "cannot read roster \"" + (dir / "absent.csv").string() + "\"");
}

TEST_CASE("roster: JSON rosters accept lists and the people wrapper", "[roster]") {
  testing::TempDir dir;
  auto r = load(dir, "roster.json",
                R"({"people": [{"email": "a@acme.com", "role": ["engineer", "sre"], "status": "leave", "level": 3},
                               {"mail": "b@acme.com", "role": "finance"}]})",
                {{"email", "mail"}});
  // Once "email" is mapped to "mail", a key named "email" is only a free attribute.
  CHECK(error_of(r) == "roster.json#/people/0: empty email");
  auto ok = load(dir, "roster.json",
                 R"({"people": [{"email": "a@acme.com", "role": ["engineer", "sre"], "status": "leave", "level": 3},
                                {"email": "b@acme.com", "role": "finance"}]})");
  REQUIRE(ok.ok());
  CHECK(ok->people[0].roles == std::vector<std::string>{"engineer", "sre"});
  CHECK(ok->people[0].status == PersonStatus::leave);
  CHECK(ok->people[0].attrs.at("level") == "3");
  CHECK(ok->people[1].roles == std::vector<std::string>{"finance"});
  CHECK(error_of(load(dir, "roster.json", "[{\"email\": \"a@x\"},")).rfind("roster.json: parse error at line 1", 0) == 0);
}

namespace {

FieldValue text(std::string v) { return FieldValue{std::move(v), {}, false}; }
FieldValue list(std::vector<std::string> v) { return FieldValue{"", std::move(v), true}; }

SourceRecord record(std::string id, std::vector<std::pair<std::string, FieldValue>> fields) {
  return SourceRecord{std::move(id), std::move(fields)};
}

std::string error_of(SourceKind kind, const std::vector<SourceRecord>& records, config::StringMap columns = {}) {
  return error_of(roster_from_records(kind, kind == SourceKind::sql ? "hr.db query" : "airtable appX/People",
                                      records, columns));
}

}  // namespace

TEST_CASE("roster: registry records become people; lists stay lists", "[roster]") {
  std::vector<SourceRecord> records = {
      record("recA", {{"Email", text("jane@acme.com")},
                      {"Roles", list({"engineer", " sre "})},
                      {"Entitlements", list({"Slack", "GitHub", "AWS"})},
                      {"Status", list({"Active"})},  // a lookup field: a list of one
                      {"Team", text("Platform")},
                      {"Nothing", list({})}}),
      record("recB", {{"Email", text("bob@acme.com")}, {"Status", text("terminated")}, {"Roles", text("a; b")}}),
  };
  const config::StringMap columns = {{"email", "Email"}, {"role", "Roles"}, {"status", "Status"}};
  auto r = roster_from_records(SourceKind::airtable, "airtable appX/People", records, columns);
  REQUIRE(r.ok());
  REQUIRE(r->people.size() == 2);
  const Person& jane = r->people[0];
  CHECK(jane.roles == std::vector<std::string>{"engineer", "sre"});
  CHECK(jane.list_attrs.at("Entitlements") == std::vector<std::string>{"Slack", "GitHub", "AWS"});
  CHECK(jane.attrs.at("Team") == "Platform");
  CHECK(jane.list_attrs.count("Nothing") == 0);
  CHECK(jane.status == PersonStatus::active);
  CHECK(r->people[1].roles == std::vector<std::string>{"a", "b"});
  CHECK(r->where(r->people[1]) == "airtable appX/People record recB");
  CHECK(r->find_by_email("BOB@acme.com") == &r->people[1]);

  // The digest is the records', whatever order they were read in, and changes with any value.
  std::vector<SourceRecord> reversed = {records[1], records[0]};
  CHECK(roster_from_records(SourceKind::airtable, "airtable appX/People", reversed, columns)->digest == r->digest);
  records[1].fields[1].second.text = "active";
  CHECK(roster_from_records(SourceKind::airtable, "airtable appX/People", records, columns)->digest != r->digest);

  auto sql = roster_from_records(SourceKind::sql, "hr.db query", {record("", {{"email", text("a@acme.com")}})}, {});
  REQUIRE(sql.ok());
  CHECK(sql->where(sql->people[0]) == "hr.db query row 1");
}

TEST_CASE("roster: a bad registry record names the record and the field; duplicates name both", "[roster]") {
  CHECK(error_of(SourceKind::airtable, {record("recA", {{"email", text("a@acme.com")}, {"status", text("Retired")}})}) ==
        "airtable appX/People record recA: field \"status\": status \"Retired\" is not active, leave or terminated");
  CHECK(error_of(SourceKind::airtable, {record("recA", {{"email", list({"a@acme.com", "b@acme.com"})}})}) ==
        "airtable appX/People record recA: field \"email\": a list of 2 values, where the roster field \"email\" "
        "takes one");
  CHECK(error_of(SourceKind::airtable, {record("recA", {{"name", text("No Email")}})}) ==
        "airtable appX/People record recA: empty email");
  CHECK(error_of(SourceKind::airtable, {record("recA", {{"email", text("a@acme.com")}}),
                                        record("recB", {{"email", text("A@acme.com ")}})}) ==
        "airtable appX/People record recB: duplicate email \"A@acme.com\" (also record recA)");
  CHECK(error_of(SourceKind::sql, {record("", {{"email", text("a@acme.com")}, {"employee_id", text("E1")}}),
                                   record("", {{"email", text("b@acme.com")}, {"employee_id", text("E1")}})}) ==
        "hr.db query row 2: duplicate employee_id \"E1\" (also row 1)");
  CHECK(error_of(SourceKind::sql, {record("", {{"email", text("a@acme.com")}, {"start_date", text("01/02/2020")}})}) ==
        "hr.db query row 1: column \"start_date\": start_date: invalid date/time \"01/02/2020\" (expected ISO 8601)");
  CHECK(error_of(SourceKind::sql, {record("", {{"email", text("a@acme.com")}, {"email", text("b@acme.com")}})}) ==
        "hr.db query row 1: column \"email\" appears twice");
  CHECK(error_of(SourceKind::sql, {record("", {{"mail", text("a@acme.com")}})}, {{"emial", "mail"}}) ==
        "[roster.columns]: unknown roster field \"emial\" (did you mean \"email\"?)");
}

TEST_CASE("roster: JSON arrays in free attributes are lists", "[roster]") {
  testing::TempDir dir;
  auto r = load(dir, "roster.json", R"([{"email": "a@acme.com", "Entitlements": ["Slack", "AWS"], "n": 3}])");
  REQUIRE(r.ok());
  CHECK(r->people[0].list_attrs.at("Entitlements") == std::vector<std::string>{"Slack", "AWS"});
  CHECK(r->people[0].attrs.at("n") == "3");
  CHECK(error_of(load(dir, "roster.json", R"([{"email": ["a@acme.com", "b@acme.com"]}])")) ==
        "roster.json#/people/0: \"email\": a list of 2 values, where the roster field \"email\" takes one");
}

TEST_CASE("roster: a registry type is not read from a file", "[roster]") {
  config::RosterConfig cfg;
  cfg.type = "airtable";
  cfg.where = "rollcall.toml:1";
  CHECK(error_of(load_roster(cfg)) ==
        "rollcall.toml:1: a roster of type \"airtable\" is read through scanner/roster_sources, not from a file");
}

TEST_CASE("roster: hostile input fails with one line naming file, record and field", "[roster][hostile]") {
  testing::TempDir dir;
  // A number too large for a double is an out_of_range error, not only a parse error.
  CHECK(error_of(load(dir, "r.json", R"([{"email": "a@x.com", "score": 1e999}])")) ==
        "r.json: number overflow parsing '1e999'");
  // A list of one value is that value (Airtable lookups arrive so); more is an error, never text.
  CHECK(error_of(load(dir, "r.json", R"([{"email": ["a@x.com", "b@x.com"]}])")) ==
        "r.json#/people/0: \"email\": a list of 2 values, where the roster field \"email\" takes one");
  CHECK(error_of(load(dir, "r.json", R"([{"email": "a@x.com", "department": {"name": "x"}}])")) ==
        "r.json#/people/0: field \"department\" must be a string, found an object");
  CHECK(error_of(load(dir, "r.json", R"([{"email": "a@x.com", "role": ["sre", 7]}])")) ==
        "r.json#/people/0: field \"role\": every element must be a string");
  CHECK(error_of(load(dir, "r.csv", "email,name\na@x.com,Ren\xe9\n")) ==
        "r.csv:2: field \"name\" is not valid UTF-8 (byte 0xe9 at offset 3)");
  CHECK(error_of(load(dir, "r.csv", "email,team\xff\na@x.com,x\n")) ==
        "r.csv:1: a column name is not valid UTF-8 (byte 0xff at offset 4)");
  CHECK(error_of(load(dir, "r.csv", "\xEF\xBB\xBF\xEF\xBB\xBF" "employee_id,email\nE1,a@x.com\n")) ==
        "r.csv:1: two byte-order marks at the start of the file (converted to UTF-8 twice?)");
  const std::string huge(2u << 20, 'x');
  CHECK(error_of(load(dir, "r.csv", "email,name\na@x.com,ok\nb@x.com," + huge + "\n")) ==
        "r.csv:3: a field is longer than 1048576 bytes (the limit for one value)");
  CHECK(error_of(load(dir, "r.json", R"([{"email": "a@x.com", "name": ")" + huge + "\"}]")) ==
        "r.json#/people/0: field \"name\" is longer than 1048576 bytes (the limit for one value)");

  // Look-alikes that must load: numbers and booleans as text, accented names, a single BOM.
  auto ok = load(dir, "r.json", R"([{"email": "a@x.com", "employee_id": 1234, "oncall": true, "name": "Ren\u00e9"}])");
  REQUIRE(ok.ok());
  CHECK(ok->people[0].employee_id == "1234");
  CHECK(ok->people[0].attrs.at("oncall") == "true");
  CHECK(ok->people[0].name == "Ren\xc3\xa9");
  REQUIRE(load(dir, "r.csv", "\xEF\xBB\xBF" "email,name\na@x.com,Ren\xc3\xa9\n").ok());
}
