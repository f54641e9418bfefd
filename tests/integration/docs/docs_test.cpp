// The manual stays true (docs/*.md, docs/connectors/*.md and README.md):
// - every configuration key the code accepts (the KeySpec lists of rollcall.toml's sections and
//   of every connector type) is named in it, as `key`;
// - every fenced code block says what it is (an info string), and each block that is a command or
//   a configuration is exercised here: ```toml blocks are loaded by the real configuration
//   loader, ```lua blocks by the real policy engine, ```sh blocks run (with `rollcall` on PATH)
//   in a copy of examples/acme (also reachable there as examples/acme) and each command must exit
//   0 or 2 (2: findings or pending changes); in ```console blocks only the `$ ` lines run.
//   A block that must not run (it installs packages, needs a server, shows a synopsis) says so
//   with `no-test` in its info string: ```sh no-test. Other info strings (text, json, sql, ini)
//   are not configurations rollcall reads and are not checked.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "connectors/api/connector.hpp"
#include "policies/engine/policy.hpp"
#include "scanner/config/config.hpp"
#include "scanner/roster/roster.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using rollcall::testing::TempDir;
namespace fs = std::filesystem;

namespace {

struct CodeBlock {
  std::string where;  // "docs/x.md:12" (the opening fence)
  std::string lang;   // first word of the info string, "" when there is none
  bool no_test = false;
  std::string text;
};

std::vector<fs::path> manual_pages() {
  std::vector<fs::path> pages{testing::source_dir() / "README.md"};
  for (const auto& e : fs::recursive_directory_iterator(testing::source_dir() / "docs")) {
    if (e.path().extension() == ".md") pages.push_back(e.path());
  }
  std::sort(pages.begin(), pages.end());
  return pages;
}

// Fenced blocks (```), also indented ones inside list items; the indentation is removed.
std::vector<CodeBlock> code_blocks() {
  std::vector<CodeBlock> blocks;
  for (const auto& page : manual_pages()) {
    std::istringstream in(testing::read_file(page));
    const std::string name = fs::relative(page, testing::source_dir()).string();
    std::string line;
    int n = 0;
    CodeBlock* open = nullptr;
    std::size_t indent = 0;
    while (std::getline(in, line)) {
      ++n;
      const std::size_t first = line.find_first_not_of(' ');
      const bool fence = first != std::string::npos && line.compare(first, 3, "```") == 0;
      if (!open && fence) {
        std::istringstream info(line.substr(first + 3));
        CodeBlock b;
        b.where = name + ":" + std::to_string(n);
        info >> b.lang;
        for (std::string word; info >> word;) b.no_test = b.no_test || word == "no-test";
        blocks.push_back(b);
        open = &blocks.back();
        indent = first;
      } else if (open && fence) {
        open = nullptr;
      } else if (open) {
        open->text += (line.size() >= indent ? line.substr(indent) : std::string()) + "\n";
      }
    }
    if (open) FAIL(open->where << ": code block is never closed");
  }
  return blocks;
}

std::vector<CodeBlock> blocks_of(const std::string& lang) {
  std::vector<CodeBlock> out;
  for (auto& b : code_blocks()) {
    const bool match =
        lang == "sh" ? (b.lang == "sh" || b.lang == "bash" || b.lang == "shell" || b.lang == "console") : b.lang == lang;
    if (match && !b.no_test) out.push_back(b);
  }
  return out;
}

void check_documented(const std::string& doc, const std::string& what, const std::vector<config::KeySpec>& keys) {
  for (const auto& key : keys) {
    INFO(what << " key " << key.name);
    CHECK(doc.find("`" + key.name + "`") != std::string::npos);
  }
}

}  // namespace

TEST_CASE("docs: every configuration key the code accepts is named in docs/", "[docs]") {
  std::string doc;
  for (const auto& page : manual_pages()) {
    if (page.filename() != "README.md") doc += testing::read_file(page);
  }
  check_documented(doc, "[[system]]", config::common_system_keys());
  check_documented(doc, "[[notify]]", config::notify_keys());
  for (const auto& [section, keys] : config::section_specs()) check_documented(doc, "[" + section + "]", keys);
  for (const char* type : {"csv", "json", "airtable", "sql"}) check_documented(doc, std::string("[roster] ") + type, *config::roster_keys(type));
  connectors::Registry registry;
  connectors::register_builtin_connectors(registry);
  for (const std::string& type : registry.names()) check_documented(doc, "connector " + type, registry.find(type)->keys);
}

namespace {

// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens.
std::string anchor_of(const std::string& heading) {
  std::string out;
  for (unsigned char c : heading) {
    if (std::isalnum(c) || c == '-' || c == '_') out += static_cast<char>(std::tolower(c));
    else if (c == ' ') out += '-';
    else if (c >= 0x80) out += static_cast<char>(c);
  }
  return out;
}

std::set<std::string> anchors(const fs::path& page) {
  std::set<std::string> out;
  std::istringstream in(testing::read_file(page));
  bool fence = false;
  for (std::string line; std::getline(in, line);) {
    const std::size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, 3, "```") == 0) fence = !fence;
    else if (!fence && line.rfind("#", 0) == 0) out.insert(anchor_of(line.substr(line.find(' ') + 1)));
  }
  return out;
}

}  // namespace

TEST_CASE("docs: every relative link points at a file (and heading) that exists", "[docs]") {
  std::vector<fs::path> pages = manual_pages();
  pages.push_back(testing::source_dir() / "ARCHITECTURE.md");
  for (const auto& page : pages) {
    const std::string text = testing::read_file(page);
    for (auto at = text.find("]("); at != std::string::npos; at = text.find("](", at + 2)) {
      const std::string link = text.substr(at + 2, text.find(')', at) - at - 2);
      if (link.rfind("http", 0) == 0 || link.rfind("mailto:", 0) == 0) continue;
      const std::string file = link.substr(0, link.find('#'));
      const std::string anchor = link.find('#') == std::string::npos ? "" : link.substr(link.find('#') + 1);
      const fs::path target = file.empty() ? page : page.parent_path() / file;
      INFO(fs::relative(page, testing::source_dir()).string() << ": link " << link);
      CHECK(fs::exists(target));
      if (!anchor.empty() && target.extension() == ".md" && fs::exists(target)) CHECK(anchors(target).count(anchor) == 1);
    }
  }
}

TEST_CASE("docs: every code block says what it is in its info string", "[docs]") {
  for (const auto& b : code_blocks()) {
    INFO(b.where << ": give the block an info string (sh, toml, lua, text, json, ...)");
    CHECK(!b.lang.empty());
  }
}

TEST_CASE("docs: every TOML block loads with the real configuration loader", "[docs]") {
  connectors::Registry registry;
  connectors::register_builtin_connectors(registry);
  const auto blocks = blocks_of("toml");
  CHECK(blocks.size() >= 10);
  for (const auto& b : blocks) {
    TempDir dir;
    // A fragment without [roster] gets a minimal one after it (a table header, so the fragment's
    // own top-level keys stay top-level).
    const bool has_roster = b.text.find("[roster") != std::string::npos;
    dir.write("rollcall.toml", b.text + (has_roster ? "" : "\n[roster]\npath = \"roster.csv\"\n"));
    auto cfg = config::load_workspace(dir.path(), registry.key_lookup(), registry.names());
    INFO(b.where << ":\n" << b.text);
    INFO((cfg ? std::string() : cfg.error().message()));
    CHECK(cfg.ok());
  }
}

TEST_CASE("docs: every Lua block loads with the real policy engine", "[docs]") {
  connectors::Registry registry;
  connectors::register_builtin_connectors(registry);
  const fs::path acme = testing::source_dir() / "examples" / "acme";
  auto cfg = config::load_workspace(acme, registry.key_lookup(), registry.names());
  REQUIRE(cfg.ok());
  auto roster = roster::load_roster(cfg->roster);
  REQUIRE(roster.ok());
  // The example's systems plus the other system names the manual's examples use.
  std::vector<std::string> systems = {"ad", "app", "aws", "directory", "entra", "jira", "ldap", "pg-prod"};
  for (const auto& s : cfg->systems) systems.push_back(s.name);
  const auto blocks = blocks_of("lua");
  CHECK(blocks.size() >= 10);
  for (const auto& b : blocks) {
    TempDir dir;
    dir.write("policies/doc.lua", b.text);
    auto engine = policy::PolicyEngine::load(dir / "policies", dir.path(), systems, *roster,
                                             *parse_iso8601("2026-12-10T06:00:00Z"));
    INFO(b.where << ":\n" << b.text);
    INFO((engine ? std::string() : engine.error().message()));
    CHECK(engine.ok());
  }
}

TEST_CASE("docs: every shell block runs in a copy of examples/acme", "[docs]") {
  // A template: the example with its systems snapshotted and scanned once (examples/acme inside
  // it is the workspace itself, for commands written to run from the source tree), and
  // `rollcall` on PATH.
  TempDir base;
  fs::copy(testing::source_dir() / "examples" / "acme", base / "template", fs::copy_options::recursive);
  for (const char* sub : {"rollcall.db", "rollcall.db-wal", "rollcall.db-shm", "reports", "tickets", "rollcall.plan.json"}) {
    fs::remove_all(base / "template" / sub);
  }
  fs::create_directories(base / "template" / "examples");
  fs::create_directory_symlink("..", base / "template" / "examples" / "acme");
  fs::create_directories(base / "bin");
  fs::create_symlink(ROLLCALL_BINARY, base / "bin" / "rollcall");
  const std::string env = "PATH=" + (base / "bin").string() + ":$PATH ROLLCALL_NOW=2026-12-10T06:00:00Z";
  const auto setup = testing::run_shell(
      base, "cd " + (base / "template").string() + " && " + env + " rollcall -q -w examples/acme snapshot && " + env +
                " rollcall -q -w examples/acme scan --fail-on none");
  INFO(setup.err);
  REQUIRE(setup.exit_code == 0);

  const auto blocks = blocks_of("sh");
  CHECK(blocks.size() >= 3);
  for (const auto& b : blocks) {
    TempDir dir;
    fs::copy(base / "template", dir / "cwd", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    // Each command line must exit 0 or 2; the first other exit names the line.
    std::string script = "set -u\ncd " + (dir / "cwd").string() + "\nexport HOME=" + dir.path().string() +
                         " PATH=" + (base / "bin").string() + ":$PATH ROLLCALL_NOW=2026-12-10T06:00:00Z\n";
    std::istringstream lines(b.text);
    int n = 0;
    for (std::string line; std::getline(lines, line);) {
      ++n;
      if (b.lang == "console" && line.rfind("$ ", 0) != 0) continue;  // output
      if (line.rfind("$ ", 0) == 0) line = line.substr(2);
      const std::size_t first = line.find_first_not_of(' ');
      if (first == std::string::npos || line[first] == '#') continue;
      script += line + "\nrc=$?; if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then echo \"line " + std::to_string(n) +
                " of the block exited $rc\" >&2; exit 1; fi\n";
    }
    dir.write("block.sh", script);
    const auto r = testing::run_shell(dir, "timeout 120 bash " + (dir / "block.sh").string() + " </dev/null");
    INFO(b.where << ":\n" << b.text << "\nstderr:\n" << r.err);
    CHECK(r.exit_code == 0);
  }
}
