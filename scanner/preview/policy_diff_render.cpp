// The three renderings of a PolicyDiff: text for a terminal, Markdown for a pull-request
// comment, JSON for machines.
#include <nlohmann/json.hpp>

#include "scanner/core/strings.hpp"
#include "scanner/preview/policy_diff.hpp"

namespace rollcall::preview {
namespace {

using Json = nlohmann::ordered_json;

struct Counts {
  std::size_t gained = 0, lost = 0, level = 0, subjects = 0;
  std::size_t appears = 0, disappears = 0, now_excepted = 0, no_longer_excepted = 0;
};

Counts count(const PolicyDiff& d) {
  Counts c;
  const std::string* last = nullptr;
  for (const auto& a : d.access) {
    if (!last || *last != a.subject) ++c.subjects;
    last = &a.subject;
    (a.kind == AccessChangeKind::gained ? c.gained : a.kind == AccessChangeKind::lost ? c.lost : c.level)++;
  }
  for (const auto& f : d.findings) {
    switch (f.kind) {
      case FindingChangeKind::appears: ++c.appears; break;
      case FindingChangeKind::disappears: ++c.disappears; break;
      case FindingChangeKind::now_excepted: ++c.now_excepted; break;
      case FindingChangeKind::no_longer_excepted: ++c.no_longer_excepted; break;
    }
  }
  return c;
}

std::string n_of(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string access_summary(const Counts& c) {
  return n_of(c.gained, "entitlement gained", "entitlements gained") + ", " + std::to_string(c.lost) + " lost, " +
         n_of(c.level, "level change", "level changes") + " for " + n_of(c.subjects, "subject", "subjects");
}

std::string findings_summary(const Counts& c) {
  std::string s = n_of(c.appears, "finding appears", "findings appear") + ", " + std::to_string(c.disappears) +
                  " disappear";
  if (c.now_excepted) s += ", " + std::to_string(c.now_excepted) + " become excepted";
  if (c.no_longer_excepted) s += ", " + std::to_string(c.no_longer_excepted) + " no longer excepted";
  return s;
}

const char* sign(AccessChangeKind k) {
  return k == AccessChangeKind::gained ? "+" : k == AccessChangeKind::lost ? "-" : "~";
}

const char* sign(FindingChangeKind k) {
  return k == FindingChangeKind::appears ? "+" : k == FindingChangeKind::disappears ? "-" : "~";
}

std::string level_text(const AccessChange& a) {
  if (a.kind == AccessChangeKind::level)
    return policy::describe_levels(a.base->level) + " -> " + policy::describe_levels(a.head->level);
  return policy::describe_levels(a.base ? a.base->level : a.head->level);
}

// "kind system subject entitlement" of a finding, for one line.
std::string finding_subject(const reports::Finding& f) {
  std::vector<std::string> parts = {f.kind};
  if (!f.system.empty()) parts.push_back(f.system);
  if (!f.person_email.empty()) parts.push_back(f.person_email);
  else if (!f.account_login.empty()) parts.push_back(f.account_login);
  else if (!f.account_id.empty()) parts.push_back(f.account_id);
  if (!f.entitlement_id.empty()) parts.push_back(f.entitlement_id);
  return join(parts, " ");
}

std::string finding_note(const FindingChange& c) {
  const auto& e = c.finding.evidence;
  switch (c.kind) {
    case FindingChangeKind::now_excepted:
      return "now excepted by " + e.exception_ticket + " (" + e.exception_source + ")";
    case FindingChangeKind::no_longer_excepted: return "no longer excepted";
    default: return c.finding.message;
  }
}

// Cuts `lines` to `max` (0: no cap), counting what is left off.
std::string capped(const std::vector<std::string>& lines, std::size_t max, const std::string& more_prefix,
                   const std::string& what) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && (max == 0 || i < max); ++i) out += lines[i] + "\n";
  if (max != 0 && lines.size() > max) {
    out += more_prefix + "… and " + std::to_string(lines.size() - max) + " more " + what + "\n";
  }
  return out;
}

// ---- Markdown ----

// Escapes a value for a Markdown table cell: no markup, no HTML, one line.
std::string md(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\n': case '\r': case '\t': out += ' '; break;
      case '|': case '\\': case '`': case '*': case '_': case '[': case ']': case '#': case '~': case '!':
        out += '\\';
        out += ch;
        break;
      default: out += ch;
    }
  }
  return out;
}

std::string md_why(const std::optional<GrantSide>& s) {
  if (!s) return "";
  std::vector<std::string> parts;
  for (const auto& w : s->why) parts.push_back(md(w));
  return join(parts, "<br>");
}

Json side_json(const std::optional<GrantSide>& s) {
  if (!s) return nullptr;
  return Json{{"level", s->level}, {"privileged", s->privileged}, {"why", s->why}};
}

}  // namespace

std::string to_text(const PolicyDiff& d, std::size_t max_lines) {
  const Counts c = count(d);
  std::string out = "Policy diff: " + d.base_label + " (" + d.base_digest.substr(0, 12) + ") -> " + d.head_label +
                    " (" + d.head_digest.substr(0, 12) + "), " + n_of(d.people, "person", "people") + " evaluated\n";
  if (d.access.empty()) {
    out += "\nNo change in desired access.\n";
  } else {
    std::vector<std::string> lines;
    const std::string* subject = nullptr;
    for (const auto& a : d.access) {
      if (!subject || *subject != a.subject) {
        lines.push_back("");
        lines.push_back(a.subject + (a.subject_name.empty() ? "" : " (" + a.subject_name + ")"));
      }
      subject = &a.subject;
      lines.push_back("  " + std::string(sign(a.kind)) + " " + a.system + " " + a.entitlement + " (" +
                      level_text(a) + ")");
      if (a.base)
        for (const auto& w : a.base->why) lines.push_back("      was: " + w);
      if (a.head)
        for (const auto& w : a.head->why) lines.push_back("      now: " + w);
    }
    out += capped(lines, max_lines, "", "lines (--max-lines 0 shows all)");
  }
  out += "\n";
  if (!d.findings_compared) {
    out += "Findings not compared: " + d.findings_note + "\n";
  } else {
    out += "Findings against the latest snapshots: " + findings_summary(c) + "\n";
    if (!d.incomplete_systems.empty())
      out += "  (not judged, no complete snapshot: " + join(d.incomplete_systems, ", ") + ")\n";
    std::vector<std::string> lines;
    for (const auto& f : d.findings) {
      lines.push_back("  " + std::string(sign(f.kind)) + " " + std::string(to_string(f.finding.severity)) + " " +
                      finding_subject(f.finding) + ": " + finding_note(f));
    }
    out += capped(lines, max_lines, "  ", "lines");
  }
  out += "\nSummary: " + access_summary(c) + "; " +
         (d.findings_compared ? findings_summary(c) : std::string("findings not compared")) + ".";
  return out;
}

std::string to_markdown(const PolicyDiff& d, std::size_t max_lines) {
  const Counts c = count(d);
  std::string out = "### rollcall policy diff\n\n";
  out += "Base `" + md(d.base_label) + "` (`" + d.base_digest.substr(0, 12) + "`) → " + md(d.head_label) + " (`" +
         d.head_digest.substr(0, 12) + "`), " + n_of(d.people, "person", "people") + " evaluated: **" +
         access_summary(c) + "**";
  out += d.findings_compared ? "; " + findings_summary(c) + ".\n" : ".\n";
  if (!d.access.empty()) {
    out += "\n#### Desired access\n\n| | Who | System | Entitlement | Level | Before | After |\n"
           "|---|---|---|---|---|---|---|\n";
    std::vector<std::string> rows;
    for (const auto& a : d.access) {
      rows.push_back("| " + std::string(sign(a.kind)) + " | " + md(a.subject) + " | " + md(a.system) + " | " +
                     md(a.entitlement) + " | " + md(level_text(a)) + " | " + md_why(a.base) + " | " +
                     md_why(a.head) + " |");
    }
    out += capped(rows, max_lines, "\n", "changes");
  }
  if (!d.findings_compared) {
    out += "\nFindings not compared: " + md(d.findings_note) + "\n";
  } else if (!d.findings.empty()) {
    out += "\n#### Findings against the latest snapshots\n\n| | Severity | Finding | Note |\n|---|---|---|---|\n";
    std::vector<std::string> rows;
    for (const auto& f : d.findings) {
      rows.push_back("| " + std::string(sign(f.kind)) + " | " + std::string(to_string(f.finding.severity)) + " | " +
                     md(finding_subject(f.finding)) + " | " + md(finding_note(f)) + " |");
    }
    out += capped(rows, max_lines, "\n", "findings");
  }
  return out;
}

std::string to_json(const PolicyDiff& d) {
  const Counts c = count(d);
  Json access = Json::array();
  for (const auto& a : d.access) {
    access.push_back({{"change", to_string(a.kind)},
                      {"subject", a.subject},
                      {"name", a.subject_name},
                      {"system", a.system},
                      {"entitlement", a.entitlement},
                      {"base", side_json(a.base)},
                      {"head", side_json(a.head)}});
  }
  Json findings = Json::array();
  for (const auto& f : d.findings) {
    const auto& x = f.finding;
    findings.push_back({{"change", to_string(f.kind)},
                        {"fingerprint", x.fingerprint},
                        {"kind", x.kind},
                        {"severity", to_string(x.severity)},
                        {"system", x.system},
                        {"account_id", x.account_id},
                        {"person", x.person_email},
                        {"entitlement", x.entitlement_id},
                        {"message", x.message},
                        {"exception_ticket", x.evidence.exception_ticket}});
  }
  Json j{{"schema", kPolicyDiffSchema},
         {"base", {{"label", d.base_label}, {"digest", d.base_digest}}},
         {"head", {{"label", d.head_label}, {"digest", d.head_digest}}},
         {"people", d.people},
         {"changed", d.changed()},
         {"summary",
          {{"gained", c.gained},
           {"lost", c.lost},
           {"level_changed", c.level},
           {"subjects", c.subjects},
           {"findings_appear", c.appears},
           {"findings_disappear", c.disappears},
           {"findings_now_excepted", c.now_excepted},
           {"findings_no_longer_excepted", c.no_longer_excepted}}},
         {"access", std::move(access)},
         {"findings",
          {{"compared", d.findings_compared},
           {"note", d.findings_note},
           {"incomplete_systems", d.incomplete_systems},
           {"changes", std::move(findings)}}}};
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace rollcall::preview
