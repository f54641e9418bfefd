// The roster from CSV, from Airtable (FakeAirtable on 127.0.0.1) and from a SQL query (a SQLite
// file) gives the same scan: the acme example workspace, with an Entitlements column read by
// the prelude's entitlements_from, is snapshotted and scanned three times through the rollcall
// binary, and the JSON reports are identical once the roster's own references (file line,
// record id, query row) and digest are normalised. `policy explain` names the Airtable record.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "scanner/core/strings.hpp"
#include "tests/integration/roster/fake_airtable.hpp"
#include "tests/support/cli_run.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kNow = "ROLLCALL_NOW=2026-12-10T06:00:00Z";
constexpr const char* kToken = "patAcme.cli-5e7f";

// Per person (by email) the Entitlements the registry lists for them.
const std::map<std::string, std::string> kEntitlements = {
    {"jane.doe@acme.com", "Okta;Support"},
    {"raj.patel@acme.com", "Okta"},
};

const char* kAccessPolicy = R"(owner "it-ops"
-- Explicit per-person entitlements from the registry's Entitlements field.
entitlements_from("Entitlements", {
  Okta = { okta = { "group:Everyone" } },
  Support = { okta = { "group:Support" } },
})
)";

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// examples/acme/roster.csv plus the Entitlements column (it has no quoted fields).
Table acme_roster() {
  std::string text = read_file(source_dir() / "examples" / "acme" / "roster.csv");
  REQUIRE(text.find('"') == std::string::npos);
  Table t;
  for (const std::string& line : split(text, '\n')) {
    if (line.empty()) continue;
    std::vector<std::string> cells = split(line, ',');
    if (t.header.empty()) {
      t.header = cells;
      t.header.push_back("Entitlements");
      continue;
    }
    auto it = kEntitlements.find(cells[1]);
    cells.push_back(it == kEntitlements.end() ? "" : it->second);
    t.rows.push_back(cells);
  }
  return t;
}

fs::path workspace(const TempDir& dir, const std::string& name, const std::string& roster_section) {
  const fs::path src = source_dir() / "examples" / "acme";
  const fs::path ws = dir / name;
  fs::create_directories(ws);
  for (const char* entry : {"exports", "policies"}) fs::copy(src / entry, ws / entry, fs::copy_options::recursive);
  std::ofstream(ws / "policies" / "access.lua") << kAccessPolicy;
  std::string toml = read_file(src / "rollcall.toml");
  const std::string csv_roster = "[roster]\ntype = \"csv\"\npath = \"roster.csv\"\n";
  auto at = toml.find(csv_roster);
  REQUIRE(at != std::string::npos);
  toml.replace(at, csv_roster.size(), roster_section);
  std::ofstream(ws / "rollcall.toml") << toml;
  return ws;
}

CliRun rollcall_in(const TempDir& dir, const fs::path& ws, const std::string& args) {
  return run_rollcall(dir, "--workspace " + ws.string() + " " + args, std::string(kNow) + " AIRTABLE_TOKEN=" + kToken);
}

// Snapshots and scans `ws`; the JSON report with the roster references made comparable.
std::string scan(const TempDir& dir, const fs::path& ws) {
  CliRun snap = rollcall_in(dir, ws, "snapshot");
  INFO(snap.err);
  REQUIRE(snap.exit_code == 0);
  CliRun s = rollcall_in(dir, ws, "scan --out " + (ws / "out").string());
  INFO(s.err);
  REQUIRE((s.exit_code == 0 || s.exit_code == 2));
  Json report = Json::parse(read_file(ws / "out" / "report.json"));
  CHECK(report["scan"]["roster_digest"].get<std::string>().size() == 64);
  report["scan"]["roster_digest"] = "<digest>";
  report["scan"]["workspace"] = "<workspace>";
  std::string text = report.dump(1);
  // Person k (1-based, in roster order) is roster.csv:k+1, record reck+1, query row k.
  const std::vector<std::pair<std::regex, int>> refs = {{std::regex(R"(roster\.csv:(\d+))"), -1},
                                                        {std::regex(R"(airtable appAcme/People record rec(\d+))"), -1},
                                                        {std::regex(R"(people\.db query row (\d+))"), 0}};
  for (const auto& [re, shift] : refs) {
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), re);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      out += text.substr(last, it->position() - last) + "<person " + std::to_string(std::stoi((*it)[1]) + shift) + ">";
      last = it->position() + it->length();
    }
    text = out + text.substr(last);
  }
  return text;
}

}  // namespace

TEST_CASE("roster cli: CSV, Airtable and SQL rosters give identical findings", "[integration][roster]") {
  TempDir dir;
  const Table roster = acme_roster();

  // CSV: the export as it is, Entitlements as "a;b" text.
  fs::path csv = workspace(dir, "csv", "[roster]\ntype = \"csv\"\npath = \"roster.csv\"\n");
  {
    std::ofstream out(csv / "roster.csv");
    out << join(roster.header, ",") << "\n";
    for (const auto& row : roster.rows) out << join(row, ",") << "\n";
  }

  // Airtable: one record per row; role, aliases and Entitlements as multiple selects; empty
  // cells left out, as Airtable does.
  FakeServer server;
  FakeAirtable airtable(server, "appAcme", "People", kToken);
  airtable.page_cap = 5;  // three pages
  airtable.rate_limit = false;
  for (std::size_t i = 0; i < roster.rows.size(); ++i) {
    Json fields = Json::object();
    for (std::size_t c = 0; c < roster.header.size(); ++c) {
      const std::string& name = roster.header[c];
      const std::string& cell = roster.rows[i][c];
      if (cell.empty()) continue;
      if (name == "role" || name == "aliases" || name == "Entitlements") {
        fields[name] = split(cell, ';');
      } else {
        fields[name] = cell;
      }
    }
    airtable.records.push_back(FakeAirtable::record("rec" + std::to_string(i + 2), fields));
  }
  airtable.install();
  fs::path at = workspace(dir, "airtable",
                          "[roster]\ntype = \"airtable\"\nbase = \"appAcme\"\ntable = \"People\"\n"
                          "token_env = \"AIRTABLE_TOKEN\"\nbase_url = \"" + server.url() + "\"\n");

  // SQL: a SQLite table with the export's columns, NULL for empty cells.
  fs::path sql = workspace(dir, "sql",
                           "[roster]\ntype = \"sql\"\nsqlite = \"people.db\"\n"
                           "query = \"SELECT * FROM people ORDER BY rowid\"\n");
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((sql / "people.db").string().c_str(), &db) == SQLITE_OK);
    std::string script = "CREATE TABLE people (\"" + join(roster.header, "\" TEXT, \"") + "\" TEXT);";
    for (const auto& row : roster.rows) {
      std::vector<std::string> values;
      for (const auto& cell : row) values.push_back(cell.empty() ? "NULL" : "'" + cell + "'");
      script += "INSERT INTO people VALUES (" + join(values, ", ") + ");";
    }
    REQUIRE(sqlite3_exec(db, script.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }

  const std::string from_csv = scan(dir, csv);
  const std::string from_airtable = scan(dir, at);
  const std::string from_sql = scan(dir, sql);
  CHECK(from_airtable == from_csv);
  CHECK(from_sql == from_csv);
  // The Entitlements field reached the scan (the control: without it jane would not be desired
  // in group:Support).
  CHECK(from_csv.find("roster field Entitlements") != std::string::npos);

  CliRun explain = rollcall_in(dir, at, "policy explain jane.doe@acme.com");
  INFO(explain.err);
  CHECK(explain.exit_code == 0);
  CHECK(explain.out.find("(airtable appAcme/People record rec3)") != std::string::npos);
  CHECK(explain.out.find("rule \"roster field Entitlements\" <- policies/access.lua:3") != std::string::npos);
  CliRun explain_sql = rollcall_in(dir, sql, "policy explain jane.doe@acme.com");
  CHECK(explain_sql.out.find("(people.db query row 2)") != std::string::npos);

  // A malformed record: no scan from a half roster.
  airtable.records[7]["fields"]["status"] = "Retired";
  CliRun bad = rollcall_in(dir, at, "scan --out " + (at / "out2").string());
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("airtable appAcme/People record rec9: field \"status\": status \"Retired\" is not active, "
                     "leave or terminated") != std::string::npos);
  CHECK_FALSE(fs::exists(at / "out2" / "report.json"));
}
