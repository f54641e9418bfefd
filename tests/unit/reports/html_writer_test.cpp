#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <regex>

#include "reports/common/text.hpp"
#include "reports/writers.hpp"
#include "scanner/core/digest.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/reports/sample_report.hpp"

using namespace rollcall::reports;
using rollcall::testing::hostile_report;
using rollcall::testing::hostile_strings;
using rollcall::testing::sample_report;

namespace {

std::string render(const Report& report) {
  rollcall::testing::TempDir dir;
  auto path = dir / "report.html";
  auto written = write_html(report, path);
  REQUIRE(written.ok());
  return rollcall::testing::read_file(path);
}

std::size_t count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The text between the first `open` and the next `close` after it.
std::string between(const std::string& text, std::string_view open, std::string_view close) {
  auto start = text.find(open);
  REQUIRE(start != std::string::npos);
  start += open.size();
  auto end = text.find(close, start);
  REQUIRE(end != std::string::npos);
  return text.substr(start, end - start);
}

std::string csp_hash(std::string_view code) {
  return "'sha256-" + base64(hex_to_bytes(rollcall::sha256_hex(code))) + "'";
}

const char* const kDataOpen = "<script type=\"application/json\" id=\"rollcall-data\">";

}  // namespace

TEST_CASE("html: the report loads nothing from outside the file", "[report][html]") {
  std::string page = render(sample_report());
  CHECK(count(page, "src=") == 0);
  CHECK(count(page, "<link") == 0);
  CHECK(count(page, "<iframe") == 0);
  CHECK(count(page, "@import") == 0);
  CHECK(count(page, "url(") == 0);
  // The only web URL is the SVG namespace, which is a name, not a fetch.
  CHECK(count(page, "http://") + count(page, "https://") ==
        count(page, "xmlns=\"http://www.w3.org/2000/svg\""));
  std::regex href("href=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), href); it != std::sregex_iterator(); ++it) {
    CHECK((*it)[1].str().front() == '#');
  }
}

TEST_CASE("html: the CSP allows exactly the emitted inline script and style, by hash", "[report][html]") {
  std::string page = render(sample_report());
  std::string csp = between(page, "<meta http-equiv=\"Content-Security-Policy\" content=\"", "\">");
  CHECK(page.find("Content-Security-Policy") < page.find("<style>"));

  REQUIRE(count(page, "<style") == 1);
  REQUIRE(count(page, "<script") == 2);
  std::string style = between(page, "<style>", "</style>");
  std::string data_end = page.substr(page.find(kDataOpen));
  std::string script = between(data_end, "</script>\n<script>", "</script>");
  CHECK(csp == "default-src 'none'; script-src " + csp_hash(script) + "; style-src " +
                   csp_hash(style) + "; base-uri 'none'; form-action 'none'");
  // The JSON block is data, not code: its type keeps it from running, so it needs no hash.
  CHECK(page.find(kDataOpen) != std::string::npos);
}

TEST_CASE("html: hostile values are escaped in every position", "[report][html]") {
  Report report = hostile_report(20);
  std::string page = render(report);
  // The markup outside the JSON block; the block is checked by the next test.
  auto data_at = page.find(kDataOpen);
  std::string markup = page.substr(0, data_at) + page.substr(page.find("</script>", data_at));

  for (const std::string& bad : hostile_strings()) {
    if (bad.find_first_of("<>\"'&") != std::string::npos) {
      INFO(bad);
      CHECK(markup.find(bad) == std::string::npos);
    }
  }
  CHECK(count(page, "<img") == 0);
  CHECK(count(page, "<pwned") == 0);
  CHECK(count(page, "onload=\"") == 0);
  CHECK(count(markup, "' onmouseover='") == 0);
  CHECK(count(page, "<!--") == 0);
  CHECK(count(page, "<script") == 2);
  CHECK(count(page, "</script") == 2);
  CHECK(count(page, "<style") == 1);
  CHECK(count(page, "</style") == 1);
  CHECK(count(page, "<svg") == 3);
  // Escaped, the markup is still there as text for the reader.
  CHECK(count(page, "&lt;img src=x onerror=&quot;document.body.appendChild") > 0);
  std::string repaired;
  append_utf8(repaired, page);
  CHECK(repaired == page);  // the page is valid UTF-8
}

TEST_CASE("html: the data block holds every finding and round-trips hostile strings", "[report][html]") {
  Report report = hostile_report(20);
  std::string page = render(report);
  std::string data = between(page, kDataOpen, "</script>");
  CHECK(data.find_first_of("<>&") == std::string::npos);
  CHECK(data.find("\xE2\x80\xA8") == std::string::npos);
  CHECK(data.find("\xE2\x80\xA9") == std::string::npos);

  auto j = nlohmann::json::parse(data);
  const auto& s = j.at("s");
  REQUIRE(j.at("f").size() == report.findings.size());
  REQUIRE(j.at("r").size() == report.resolved.size());
  CHECK(j.at("sev") == nlohmann::json({"info", "low", "medium", "high", "critical", "error"}));
  CHECK(j.at("st") == nlohmann::json({"new", "persisting", "excepted", "resolved"}));
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    const Finding& f = report.findings[i];
    const auto& row = j.at("f")[i];
    std::string name;
    append_utf8(name, f.person_name);
    CHECK(s[row[8].get<std::size_t>()] == name);
    std::string system;
    append_utf8(system, f.system);
    CHECK(s[row[4].get<std::size_t>()] == system);
    CHECK(row[2] == static_cast<int>(f.severity));
    CHECK(row[3] == static_cast<int>(f.status));
    CHECK(row[12] == f.first_seen);
  }
  CHECK(s[j.at("f")[0][8].get<std::size_t>()] == hostile_strings()[0]);
  const auto& ev = j.at("f")[1][14];
  CHECK(s[ev.at("p")[0].get<std::size_t>()] == hostile_strings()[1]);
  CHECK(ev.at("s")[0] == 1);
  for (const auto& row : j.at("r")) CHECK(row[3] == static_cast<int>(FindingStatus::resolved));
}

TEST_CASE("html: basis, summary, charts and per-system counts need no script", "[report][html]") {
  Report report = sample_report();
  std::string page = render(report);
  std::string body = page.substr(0, page.find(kDataOpen));  // what shows without JavaScript
  CHECK(body.find("<dt>Roster digest</dt><dd><code><bdi>d1e2</bdi></code></dd>") != std::string::npos);
  CHECK(body.find("<dt>Policy digest</dt><dd><code><bdi>p0l1</bdi></code></dd>") != std::string::npos);
  CHECK(body.find("<dt>Started</dt><dd><bdi>2026-09-28T12:53:20Z</bdi></dd>") != std::string::npos);
  CHECK(body.find("<code>def456</code>") != std::string::npos);
  CHECK(body.find("<li><bdi>ldap</bdi>: failed \u2014 <bdi>ldap://dir:389: bind failed: invalid "
                  "credentials</bdi></li>") != std::string::npos);
  CHECK(body.find("<span class=\"n\">" + std::to_string(report.summary.open) +
                  "</span><span class=\"l\">open findings</span>") != std::string::npos);
  CHECK(body.find("<button type=\"button\" data-system=\"github\">Show findings</button>") !=
        std::string::npos);
  CHECK(body.find("aria-label=\"Open findings by system: postgres 3; github 2;\"") != std::string::npos);
  CHECK(body.find("<noscript>") != std::string::npos);
}

TEST_CASE("html: without history the trend chart says so", "[report][html]") {
  Report report = sample_report();
  report.trend.clear();
  std::string page = render(report);
  CHECK(page.find("No scan history yet.") != std::string::npos);
  CHECK(count(page, "<svg") == 2);
}

TEST_CASE("html: the same report gives the same bytes", "[report][html]") {
  Report report = hostile_report(30);
  CHECK(render(report) == render(report));
}

TEST_CASE("html: coverage counts the accounts and grants no open finding is about, per complete system",
          "[report][html]") {
  Report r = sample_report(0);  // github 60 accounts / 120 grants, postgres 40 / 80, ldap failed
  r.resolved.clear();
  auto finding = [&](const char* kind, const char* system, const char* account, FindingStatus status) {
    Finding f = rollcall::testing::sample_finding(1);
    f.kind = kind;
    f.system = system;
    f.account_id = account;
    f.status = status;
    f.facts = {};
    return f;
  };
  r.findings.push_back(finding("unauthorized_access", "github", "u-1", FindingStatus::new_));
  r.findings.push_back(finding("privilege_mismatch", "github", "u-1", FindingStatus::persisting));
  Finding dup = finding("duplicate_account", "github", "", FindingStatus::new_);
  dup.facts.accounts = {"u-2", "u-3"};
  r.findings.push_back(dup);
  Finding nested = finding("nested_access", "postgres", "", FindingStatus::new_);
  nested.facts.accounts = {"p-1", "p-2", "p-3", "p-4"};
  nested.facts.reach = 4;
  r.findings.push_back(nested);
  // Look-alikes that are not counted: an excepted finding, and one in the failed system.
  r.findings.push_back(finding("unauthorized_access", "github", "u-9", FindingStatus::excepted));
  r.findings.push_back(finding("unauthorized_access", "ldap", "l-1", FindingStatus::new_));

  const std::string html = render(r);
  const std::string systems = between(html, "<section id=\"systems\">", "</section>");
  const std::string github = between(systems, "<td data-label=\"System\" class=\"id\">github</td>", "</tr>");
  CHECK(github.find(">57 of 60 (95.0%)</td>") != std::string::npos);
  CHECK(github.find(">118 of 120 (98.3%)</td>") != std::string::npos);
  const std::string postgres = between(systems, "<td data-label=\"System\" class=\"id\">postgres</td>", "</tr>");
  CHECK(postgres.find(">36 of 40 (90.0%)</td>") != std::string::npos);
  CHECK(postgres.find(">76 of 80 (95.0%)</td>") != std::string::npos);
  const std::string ldap = between(systems, "<td data-label=\"System\" class=\"id\">ldap</td>", "</tr>");
  CHECK(count(ldap, "not judged") == 2);
  CHECK(html.find("<strong>Compliant:</strong> 93 of 100 (93.0%) accounts and 194 of 200 (97.0%) grants "
                  "have no open finding, in the 2 of 3 systems with complete data (the others are not "
                  "judged: see the banner).") != std::string::npos);
}

TEST_CASE("html: a report too large to print whole says where the complete list is", "[report][html]") {
  rollcall::testing::TempDir dir;
  auto path = dir / "report.html";
  REQUIRE(write_html(sample_report(2001), path).ok());
  const std::string large = rollcall::testing::read_file(path);
  CHECK(large.find("This printout lists the 2,000 worst of 2,001 findings. The complete list, with "
                   "evidence, is in report.csv and report.json of scan #7 in <bdi>" + dir.path().string() +
                   "</bdi>") != std::string::npos);
  CHECK(large.find("<div id=\"print-view\" class=\"print-only\" data-max=\"2000\"></div>") != std::string::npos);
  // Below the limit the printout holds every finding and needs no such note.
  CHECK(render(sample_report(2000)).find("This printout lists") == std::string::npos);
}
