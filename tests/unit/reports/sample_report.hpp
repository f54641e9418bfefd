// Report values for the report-writer tests: a small benign one, and a hostile one whose every
// string field carries markup, script, formula or bidi payloads. The browser test uses the
// hostile one too. The payloads that could run code would add a <pwned-...> element to the
// page, so "no injected code ran" is checked by looking for that element.
#pragma once

#include <string>
#include <vector>

#include "reports/report.hpp"

namespace rollcall::testing {

inline const std::vector<std::string>& hostile_strings() {
  static const std::vector<std::string> kStrings = {
      "<img src=x onerror=\"document.body.appendChild(document.createElement('pwned-img'))\">",
      "</script><script>document.body.appendChild(document.createElement('pwned-script'))</script>",
      "\"><svg onload=\"document.body.appendChild(document.createElement('pwned-svg'))\">",
      "javascript:document.body.appendChild(document.createElement('pwned-js'))",
      "' onmouseover='document.body.appendChild(document.createElement(\"pwned-attr\"))' x='",
      "</style><style>body{display:none}</style>",
      "<!-- </title></textarea></noscript>]]> -->",
      "=HYPERLINK(\"http://evil.example\",\"click\")",
      "\xE2\x80\xAE" "nimda\xE2\x80\xAC Jane (RTL override)",  // U+202E ... U+202C
      "\xD9\x85\xD8\xAF\xD9\x8A\xD8\xB1 \xD8\xA7\xD9\x84\xD9\x86\xD8\xB8\xD8\xA7\xD9\x85",  // Arabic
      "line\xE2\x80\xA8" "sep\xE2\x80\xA9" "end",  // U+2028, U+2029
      "bad utf8 \xFF\xFE\xC3",
      std::string(3000, 'W'),
  };
  return kStrings;
}

inline reports::Finding sample_finding(int i) {
  using namespace rollcall::reports;
  Finding f;
  f.fingerprint = "fp" + std::to_string(1000 + i);
  f.kind = i % 3 == 0 ? "unauthorized_access" : i % 3 == 1 ? "missing_access" : "orphan_account";
  f.severity = i % 3 == 0 ? Severity::high : i % 3 == 1 ? Severity::medium : Severity::critical;
  f.status = i % 4 == 3 ? FindingStatus::excepted : i % 2 ? FindingStatus::persisting : FindingStatus::new_;
  f.system = i % 2 ? "github" : "postgres";
  f.account_id = "u-" + std::to_string(i);
  f.account_login = "user" + std::to_string(i);
  f.person_email = "person" + std::to_string(i % 50) + "@acme.com";
  f.person_name = "Person " + std::to_string(i % 50);
  f.entitlement_id = "team:platform";
  f.expected = "absent";
  f.actual = "member";
  f.message = "user" + std::to_string(i) + " holds team:platform without a policy granting it";
  f.first_seen = 1790000000 + i * 60;
  f.evidence.roster_row = "roster.csv:" + std::to_string(2 + i % 50);
  f.evidence.policy = {"role \"engineer\" <- policies/eng.lua:3"};
  f.evidence.snapshot = SnapshotRef{11, 1790500000, "abc123"};
  if (f.status == FindingStatus::excepted) {
    f.evidence.exception_ticket = "SEC-" + std::to_string(i);
    f.evidence.exception_expires = 1798675200;
    f.evidence.exception_reason = "migration";
    f.evidence.exception_source = "policies/exceptions.lua:4";
  }
  f.evidence.extra = {{"last_login", "2026-01-02T00:00:00Z"}};
  return f;
}

// A small report: two complete systems and a failed one, `findings` findings, two resolved.
inline reports::Report sample_report(int findings = 6) {
  using namespace rollcall::reports;
  Report r;
  r.tool_version = "0.1.0";
  r.scan_id = 7;
  r.started_at = 1790600000;
  r.finished_at = 1790600042;
  r.workspace = "/srv/acme";
  r.roster_digest = "d1e2";
  r.policy_digest = "p0l1";
  r.people = 50;
  r.systems = {
      {"github", "github", "complete", SnapshotRef{11, 1790500000, "abc123"}, "", 60, 5, 120},
      {"ldap", "ldap", "failed", std::nullopt, "ldap://dir:389: bind failed: invalid credentials", 0, 0, 0},
      {"postgres", "postgres", "complete", SnapshotRef{12, 1790500100, "def456"}, "", 40, 9, 80},
  };
  for (int i = 0; i < findings; ++i) r.findings.push_back(sample_finding(i));
  for (int i = 0; i < 2; ++i) {
    Finding f = sample_finding(findings + i);
    f.status = FindingStatus::persisting;  // its status in the previous scan
    r.resolved.push_back(f);
  }
  for (const Finding& f : r.findings) {
    if (f.status == FindingStatus::excepted) {
      ++r.summary.excepted;
      continue;
    }
    ++r.summary.open;
    ++(f.status == FindingStatus::new_ ? r.summary.new_ : r.summary.persisting);
    ++r.summary.by_severity[std::string(to_string(f.severity))];
    ++r.summary.by_kind[f.kind];
    ++r.summary.by_system[f.system];
  }
  r.summary.resolved = static_cast<std::int64_t>(r.resolved.size());
  r.trend = {{5, 1790400000, {{"critical", 3}, {"high", 4}}},
             {6, 1790500000, {{"critical", 2}, {"high", 5}, {"medium", 1}}},
             {7, 1790600000, r.summary.by_severity}};
  return r;
}

// sample_report(findings) with hostile text in every string of the report: each hostile string
// becomes, in turn, the value of every field of a finding, a system, the basis and the trend.
inline reports::Report hostile_report(int findings) {
  using namespace rollcall::reports;
  Report r = sample_report(findings);
  const auto& bad = hostile_strings();
  r.tool_version = bad[0];
  r.workspace = bad[1];
  r.roster_digest = bad[2];
  r.policy_digest = bad[3];
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const std::string& s = bad[i];
    SystemStatus sys{s, s, i % 2 ? "complete" : s, SnapshotRef{100 + static_cast<std::int64_t>(i), 1790500000, s}, s, 1, 1, 1};
    r.systems.push_back(sys);
    Finding f = sample_finding(static_cast<int>(i));
    f.severity = Severity::critical;
    f.status = FindingStatus::new_;
    for (std::string* field : {&f.fingerprint, &f.kind, &f.system, &f.account_id, &f.account_login,
                               &f.person_email, &f.person_name, &f.entitlement_id, &f.expected,
                               &f.actual, &f.message}) {
      *field = s;
    }
    f.fingerprint += std::to_string(i);
    f.evidence.roster_row = s;
    f.evidence.policy = {s, s + " (2)"};
    f.evidence.snapshot = SnapshotRef{1, 1790500000, s};
    f.evidence.exception_ticket = s;
    f.evidence.exception_reason = s;
    f.evidence.exception_source = s;
    f.evidence.extra = {{s, s}};
    r.findings.insert(r.findings.begin() + static_cast<std::ptrdiff_t>(i), f);
    r.resolved.push_back(f);
    ++r.summary.by_severity["critical"];
    ++r.summary.open;
    ++r.summary.new_;
  }
  return r;
}

}  // namespace rollcall::testing
