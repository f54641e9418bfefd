// write_html: the self-contained HTML report.
//
// Layout: everything an auditor needs without JavaScript (basis, summary cards, charts, per-
// system counts) is rendered here in C++ and escaped; the findings, people and resolved views
// are rendered in the browser by the inline script from an embedded JSON block, one page at a
// time, so 100k findings never become a 100k-row DOM.
//
// Safety: the Content-Security-Policy allows no source but the one inline script and the one
// inline style, each by its SHA-256 hash; it has no 'unsafe-inline', so even markup that got
// past the escaping could not run. Data never becomes markup: here it goes through
// append_html(), in the JSON block through script-safe escaping, in the script through
// textContent.
#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "reports/common/atomic_file.hpp"
#include "reports/common/text.hpp"
#include "reports/html/charts.hpp"
#include "reports/html/credentials_view.hpp"
#include "reports/html/page_assets.hpp"
#include "reports/html/page_data.hpp"
#include "reports/writers.hpp"
#include "scanner/core/digest.hpp"

namespace rollcall::reports {

namespace {

using html::kSeverityOrder;
using html::SeverityCounts;

constexpr std::size_t kChartSystems = 15;
constexpr std::size_t kTrendScans = 30;
// The printout lists every finding with its evidence up to this many; a larger report says
// where the complete list is instead of printing thousands of pages.
constexpr std::size_t kPrintMax = 2000;

// "'sha256-<base64>'" as a CSP source for an inline block with exactly this text.
std::string csp_hash(std::string_view code) {
  return "'sha256-" + base64(hex_to_bytes(sha256_hex(code))) + "'";
}

std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::int64_t lookup(const std::map<std::string, std::int64_t>& m, std::string_view key) {
  auto it = m.find(std::string(key));
  return it == m.end() ? 0 : it->second;
}

bool is_open(const Finding& f) {
  return f.status == FindingStatus::new_ || f.status == FindingStatus::persisting;
}

std::string sev_class(Severity s) { return "sev-" + std::string(to_string(s)); }

// Open and excepted findings per system (every system in the basis, plus any only findings name).
struct SystemCounts {
  SeverityCounts open{};
  std::int64_t excepted = 0;
};

// Of a system's accounts and grants in its snapshot, how many no open finding is about. Only
// complete systems are judged. An account is flagged by any open finding naming it (as its
// account, or among the accounts of a duplicate, nested or everyone finding); a grant by an
// unauthorized_access or privilege_mismatch finding (one per level held), and by nested_access
// and everyone_access for each account they reach.
struct Coverage {
  bool judged = false;
  std::int64_t accounts = 0, accounts_flagged = 0, grants = 0, grants_flagged = 0;
};

std::map<std::string, Coverage> coverage_by_system(const Report& r) {
  std::map<std::string, Coverage> out;
  std::map<std::string, std::set<std::string_view>> flagged;
  for (const SystemStatus& s : r.systems) {
    Coverage& c = out[s.name];
    c.judged = s.status == "complete";
    c.accounts = s.accounts;
    c.grants = s.grants;
  }
  for (const Finding& f : r.findings) {
    auto it = out.find(f.system);
    if (!is_open(f) || it == out.end() || !it->second.judged) continue;
    auto& ids = flagged[f.system];
    if (!f.account_id.empty()) ids.insert(f.account_id);
    const auto kind = parse_finding_kind(f.kind);
    if (!kind) continue;
    switch (*kind) {
      case FindingKind::unauthorized_access:
      case FindingKind::privilege_mismatch:
        it->second.grants_flagged += std::max<std::int64_t>(1, static_cast<std::int64_t>(f.facts.held.size()));
        break;
      case FindingKind::nested_access:
      case FindingKind::everyone_access:
        it->second.grants_flagged += f.facts.reach;
        [[fallthrough]];
      case FindingKind::duplicate_account:
        for (const auto& a : f.facts.accounts) ids.insert(a);
        break;
      default:
        break;
    }
  }
  for (auto& [name, c] : out) {
    c.accounts_flagged = std::min<std::int64_t>(c.accounts, static_cast<std::int64_t>(flagged[name].size()));
    c.grants_flagged = std::min(c.grants, c.grants_flagged);
  }
  return out;
}

// "57 of 60 (95.0%)"
std::string compliant(std::int64_t total, std::int64_t flagged) {
  std::string out = with_commas(total - flagged) + " of " + with_commas(total);
  if (total > 0) {
    const std::int64_t per_mille = (total - flagged) * 1000 / total;
    out += " (" + std::to_string(per_mille / 10) + "." + std::to_string(per_mille % 10) + "%)";
  }
  return out;
}

std::map<std::string, SystemCounts> count_by_system(const Report& r) {
  std::map<std::string, SystemCounts> out;
  for (const SystemStatus& s : r.systems) out[s.name];
  for (const Finding& f : r.findings) {
    SystemCounts& c = out[f.system];
    if (is_open(f)) {
      ++c.open[static_cast<int>(f.severity)];
    } else if (f.status == FindingStatus::excepted) {
      ++c.excepted;
    }
  }
  return out;
}

class Page {
 public:
  // `folder` is where the report files are written, named where the printout is cut short.
  Page(const Report& r, std::string folder)
      : r_(r), by_system_(count_by_system(r)), coverage_(coverage_by_system(r)), folder_(std::move(folder)) {}

  std::string render() {
    // Roughly 300 bytes a finding: one allocation for typical reports instead of a dozen.
    out_.reserve(html::kPageStyle.size() + html::kPageScript.size() + 64 * 1024 +
                 300 * (r_.findings.size() + r_.resolved.size()));
    head();
    out_ += "<body>\n<header class=\"top\"><h1>Access compliance report</h1><p>Scan ";
    out_ += std::to_string(r_.scan_id) + " \u00B7 finished " + format_iso8601(r_.finished_at) +
            " \u00B7 rollcall ";
    esc(r_.tool_version);
    out_ += "</p>\n<nav class=\"toc\" aria-label=\"Sections\"><a href=\"#summary\">Summary</a>"
            "<a href=\"#basis\">Basis</a><a href=\"#systems\">Systems</a><a href=\"#findings\">"
            "Findings</a><a href=\"#people\">People</a><a href=\"#resolved\">Resolved</a>" +
            std::string(r_.credentials.empty() ? "" : "<a href=\"#credentials\">Credentials</a>") + "</nav>"
            "</header>\n<main>\n";
    incomplete_alert();
    summary();
    charts();
    basis();
    systems();
    views();
    out_ += html::credentials_section(r_);
    out_ += "</main>\n<footer>Generated by rollcall ";
    esc(r_.tool_version);
    out_ += " from scan #" + std::to_string(r_.scan_id) +
            ". Self-contained: this file loads nothing from the network, and its "
            "Content-Security-Policy allows only its own script and style.</footer>\n"
            "<script type=\"application/json\" id=\"rollcall-data\">";
    html::append_page_data_json(out_, r_);
    out_ += "</script>\n<script>";
    out_ += html::kPageScript;
    out_ += "</script>\n</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  void esc(std::string_view s) { append_html(out_, s); }
  // Opens a table cell (closing the previous one of the row): `label` is its column's name, shown
  // beside the value when a narrow screen lays each row out as a card.
  void td(std::string_view label, std::string_view cls = "") {
    if (out_.compare(out_.size() - 4, 4, "<tr>") != 0) out_ += "</td>";
    out_ += "<td data-label=\"";
    esc(label);
    out_ += cls.empty() ? "\">" : "\" class=\"" + std::string(cls) + "\">";
  }
  // A data value in running text: escaped and isolated, so right-to-left overrides inside it
  // cannot reorder the text around it.
  void value(std::string_view s) {
    out_ += "<bdi>";
    esc(s);
    out_ += "</bdi>";
  }

  void head() {
    out_ += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src ";
    out_ += csp_hash(html::kPageScript);
    out_ += "; style-src ";
    out_ += csp_hash(html::kPageStyle);
    out_ += "; base-uri 'none'; form-action 'none'\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>rollcall report \u2014 scan ";
    out_ += std::to_string(r_.scan_id) + "</title>\n<style>";
    out_ += html::kPageStyle;
    out_ += "</style>\n</head>\n";
  }

  void incomplete_alert() {
    std::string items;
    for (const SystemStatus& s : r_.systems) {
      if (s.status == "complete") continue;
      items += "<li><bdi>" + html_escaped(s.name) + "</bdi>: " + html_escaped(s.status);
      if (!s.error.empty()) items += " \u2014 <bdi>" + html_escaped(s.error) + "</bdi>";
      items += "</li>";
    }
    if (items.empty()) return;
    out_ += "<div class=\"alert\" role=\"alert\"><strong>Incomplete data.</strong> No access "
            "findings were computed for these systems, so missing or unauthorized access in them "
            "is not shown:<ul>" + items + "</ul></div>\n";
  }

  void card(std::string_view cls, std::int64_t n, std::string_view label) {
    out_ += "<div class=\"card " + std::string(cls) + "\"><span class=\"n\">" + with_commas(n) +
            "</span><span class=\"l\">";
    esc(label);
    out_ += "</span></div>";
  }

  void summary() {
    const ScanSummary& s = r_.summary;
    out_ += "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">";
    card("", s.open, "open findings");
    for (Severity sev : kSeverityOrder) {
      std::string name(to_string(sev));
      card(sev_class(sev), lookup(s.by_severity, name),
           sev == Severity::error ? "error (incomplete data)" : name);
    }
    card("", s.new_, "new");
    card("", s.persisting, "persisting");
    card("", s.excepted, "excepted");
    card("", s.resolved, "resolved");
    card("", r_.people, "people in roster");
    card("", static_cast<std::int64_t>(r_.systems.size()), "systems");
    out_ += "</div>";
    Coverage all;
    std::int64_t judged = 0;
    for (const auto& [name, c] : coverage_) {
      if (!c.judged) continue;
      ++judged;
      all.accounts += c.accounts;
      all.accounts_flagged += c.accounts_flagged;
      all.grants += c.grants;
      all.grants_flagged += c.grants_flagged;
    }
    out_ += "<p class=\"coverage\" id=\"coverage\"><strong>Compliant:</strong> " +
            compliant(all.accounts, all.accounts_flagged) + " accounts and " +
            compliant(all.grants, all.grants_flagged) + " grants have no open finding, in the " +
            with_commas(judged) + " of " + with_commas(static_cast<std::int64_t>(coverage_.size())) +
            " systems with complete data" + (judged < static_cast<std::int64_t>(coverage_.size())
                                                 ? " (the others are not judged: see the banner)."
                                                 : ".") +
            " Per system under \u201CBy system\u201D.</p></section>\n";
  }

  void legend() {
    out_ += "<ul class=\"legend\" aria-hidden=\"true\">";
    for (Severity sev : kSeverityOrder) {
      out_ += "<li class=\"" + sev_class(sev) + "\">" + std::string(to_string(sev)) + "</li>";
    }
    out_ += "</ul>";
  }

  void charts() {
    SeverityCounts by_sev{};
    for (Severity sev : kSeverityOrder) {
      by_sev[static_cast<int>(sev)] = lookup(r_.summary.by_severity, to_string(sev));
    }
    std::vector<std::pair<std::string, SeverityCounts>> systems;
    for (const auto& [name, c] : by_system_) systems.emplace_back(name, c.open);
    out_ += "<section id=\"charts\" aria-label=\"Charts\"><div class=\"charts\">"
            "<figure><figcaption>Open findings by severity</figcaption>";
    out_ += html::severity_chart(by_sev);
    out_ += "</figure><figure><figcaption>Open findings by system";
    if (systems.size() > kChartSystems) {
      out_ += " (the " + std::to_string(kChartSystems) + " with most)";
    }
    out_ += "</figcaption>";
    out_ += html::system_chart(systems, kChartSystems);
    legend();
    out_ += "</figure><figure><figcaption>Trend over recent scans</figcaption>";
    std::string trend = html::trend_chart(r_.trend, kTrendScans);
    if (trend.empty()) {
      out_ += "<p class=\"muted\">No scan history yet.</p>";
    } else {
      out_ += trend;
      legend();
    }
    out_ += "</figure></div></section>\n";
  }

  void basis() {
    out_ += "<section id=\"basis\"><h2>Basis of this scan</h2><dl class=\"basis\">";
    auto row = [&](std::string_view label, std::string_view v, bool code = false) {
      out_ += "<dt>";
      esc(label);
      out_ += code ? "</dt><dd><code>" : "</dt><dd>";
      value(v);
      out_ += code ? "</code></dd>" : "</dd>";
    };
    row("Scan", std::to_string(r_.scan_id));
    row("Started", format_iso8601(r_.started_at));
    row("Finished", format_iso8601(r_.finished_at));
    row("Tool version", r_.tool_version);
    row("Workspace", r_.workspace);
    row("Roster digest", r_.roster_digest, true);
    row("Policy digest", r_.policy_digest, true);
    row("People in roster", with_commas(r_.people));
    out_ += "</dl>\n<h3>Snapshots</h3><div class=\"table-wrap\"><table><caption class=\"sr-only\">"
            "Snapshot of each system used by this scan</caption><thead><tr><th scope=\"col\">"
            "System</th><th scope=\"col\">Type</th><th scope=\"col\">Status</th><th scope=\"col\" "
            "class=\"num\">Snapshot</th><th scope=\"col\">Taken at</th><th scope=\"col\">Digest"
            "</th><th scope=\"col\" class=\"num\">Accounts</th><th scope=\"col\" class=\"num\">"
            "Entitlements</th><th scope=\"col\" class=\"num\">Grants</th><th scope=\"col\">Error"
            "</th></tr></thead><tbody>";
    for (const SystemStatus& s : r_.systems) {
      out_ += "<tr>";
      td("System", "id");
      esc(s.name);
      td("Type", "nw");
      esc(s.type);
      td("Status", s.status == "complete" ? "status-ok" : "status-bad");
      esc(s.status);
      td("Snapshot", "num");
      if (s.snapshot) out_ += std::to_string(s.snapshot->id);
      td("Taken at", "nw");
      if (s.snapshot) out_ += format_iso8601(s.snapshot->taken_at);
      td("Digest");
      out_ += "<code>";
      if (s.snapshot) esc(s.snapshot->digest);
      out_ += "</code>";
      td("Accounts", "num");
      out_ += with_commas(s.accounts);
      td("Entitlements", "num");
      out_ += with_commas(s.entitlements);
      td("Grants", "num");
      out_ += with_commas(s.grants);
      td("Error");
      esc(s.error);
      out_ += "</td></tr>";
    }
    out_ += "</tbody></table></div>";
    signoff();
    out_ += "</section>\n";
  }

  // What the review covers and who ran it, with fields a reviewer fills in on screen or by hand
  // on paper.
  void signoff() {
    out_ += "<div class=\"signoff\" id=\"signoff\"><h3>Scope and sign-off</h3><p>This report covers " +
            with_commas(static_cast<std::int64_t>(r_.systems.size())) +
            " systems as of the snapshots listed above, the roster with digest <code>";
    esc(r_.roster_digest);
    out_ += "</code> (" + with_commas(r_.people) + " people) and the policies with digest <code>";
    esc(r_.policy_digest);
    out_ += "</code>, compared in scan #" + std::to_string(r_.scan_id) + " finished " +
            format_iso8601(r_.finished_at) + ". Scan run by ";
    if (r_.run_by.empty()) {
      out_ += "(not recorded)";
    } else {
      value(r_.run_by);
    }
    out_ += ".</p><div class=\"fields\">"
            "<label>Reviewed by <input type=\"text\" autocomplete=\"off\"></label>"
            "<label>Date <input type=\"text\" placeholder=\"YYYY-MM-DD\" autocomplete=\"off\"></label>"
            "<label>Decision and notes <input type=\"text\" class=\"wide\" autocomplete=\"off\"></label>"
            "<label>Signature <input type=\"text\" tabindex=\"-1\" aria-hidden=\"true\"></label>"
            "</div></div>";
  }

  void systems() {
    out_ += "<section id=\"systems\"><h2>By system</h2><p class=\"lead\">Open findings per "
            "system and severity, and how many of the system\u2019s accounts and grants no open "
            "finding is about.</p><div class=\"table-wrap\"><table><caption class=\"sr-only\">"
            "Open findings by system</caption><thead><tr><th scope=\"col\">System</th>"
            "<th scope=\"col\">Snapshot</th>";
    for (Severity sev : kSeverityOrder) {
      out_ += "<th scope=\"col\" class=\"num\">" + std::string(to_string(sev)) + "</th>";
    }
    out_ += "<th scope=\"col\" class=\"num\">Open</th><th scope=\"col\" class=\"num\">Excepted</th>"
            "<th scope=\"col\" class=\"num\">Accounts compliant</th><th scope=\"col\" class=\"num\">"
            "Grants compliant</th>"
            "<th scope=\"col\" class=\"js-only\"><span class=\"sr-only\">Actions</span></th>"
            "</tr></thead><tbody>";
    std::map<std::string_view, std::string_view> status;
    for (const SystemStatus& s : r_.systems) status[s.name] = s.status;
    for (const auto& [name, c] : by_system_) {
      std::int64_t open = 0;
      for (auto n : c.open) open += n;
      out_ += "<tr>";
      td("System", "id");
      esc(name);
      auto st = status.find(name);
      std::string_view st_text = st == status.end() ? "not in basis" : st->second;
      td("Snapshot", st_text == "complete" ? "status-ok" : "status-bad");
      esc(st_text);
      for (Severity sev : kSeverityOrder) {
        auto n = c.open[static_cast<int>(sev)];
        td(to_string(sev), "num");
        if (n) out_ += with_commas(n);
      }
      td("Open", "num");
      out_ += with_commas(open);
      td("Excepted", "num");
      if (c.excepted) out_ += with_commas(c.excepted);
      auto cov = coverage_.find(name);
      const bool judged = cov != coverage_.end() && cov->second.judged;
      td("Accounts compliant", judged ? "num cov" : "num cov muted");
      out_ += judged ? compliant(cov->second.accounts, cov->second.accounts_flagged) : "not judged";
      td("Grants compliant", judged ? "num cov" : "num cov muted");
      out_ += judged ? compliant(cov->second.grants, cov->second.grants_flagged) : "not judged";
      td("", "js-only");
      if (open + c.excepted > 0) {
        out_ += "<button type=\"button\" data-system=\"";
        esc(name);
        out_ += "\">Show findings</button>";
      }
      out_ += "</td></tr>";
    }
    out_ += "</tbody></table></div></section>\n";
  }

  void views() {
    const std::string all = with_commas(static_cast<std::int64_t>(r_.findings.size()));
    out_ += "<section id=\"findings\"><h2>Findings</h2><p class=\"lead\">" + all +
            " open and excepted findings, worst first. Filter, sort by a column, and open a "
            "finding's evidence.</p><noscript><p>The findings list, its filters and the evidence "
            "need JavaScript. The summary, charts, basis and per-system counts above do not; the "
            "CSV report holds every finding.</p></noscript><div id=\"findings-view\" "
            "class=\"js-only\"></div>";
    // The printout (report.js builds it, hidden on screen): every finding with its evidence.
    if (r_.findings.size() > kPrintMax) {
      out_ += "<p class=\"print-only print-note\">This printout lists the " + with_commas(kPrintMax) +
              " worst of " + all + " findings. The complete list, with evidence, is in report.csv "
              "and report.json of scan #" + std::to_string(r_.scan_id) + " in ";
      value(folder_);
      out_ += " (when the scan wrote those formats), and in this file on screen.</p>";
    }
    out_ += "<div id=\"print-view\" class=\"print-only\" data-max=\"" + std::to_string(kPrintMax) +
            "\"></div></section>\n";
    out_ += "<section id=\"people\"><h2>By person</h2><p class=\"lead\">People with findings, "
            "worst first. Open counts exclude excepted findings.</p><noscript><p>This view needs "
            "JavaScript.</p></noscript><div id=\"people-view\" class=\"js-only\"></div></section>\n";
    out_ += "<section id=\"resolved\"><h2>Resolved since the previous scan</h2>";
    if (r_.resolved.empty()) {
      out_ += "<p class=\"lead\">No findings were resolved since the previous scan.</p>";
    } else {
      out_ += "<p class=\"lead\">" + with_commas(static_cast<std::int64_t>(r_.resolved.size())) +
              " findings of the previous scan are gone.</p>";
    }
    out_ += "<div id=\"resolved-view\" class=\"js-only\"></div></section>\n";
  }

  const Report& r_;
  const std::map<std::string, SystemCounts> by_system_;
  const std::map<std::string, Coverage> coverage_;
  const std::string folder_;
  std::string out_;
};

}  // namespace

Result<void> write_html(const Report& report, const std::filesystem::path& path) {
  return write_file_atomic(path, Page(report, path.parent_path().string()).render());
}

}  // namespace rollcall::reports
