#include "scanner/drift/history.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "reports/json/json_report.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/drift/findings.hpp"

namespace rollcall::drift {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kCarried = "carried";
constexpr std::string_view kResolved = "resolved";


Json counts(const std::map<std::string, std::int64_t>& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

std::string summary_json(const reports::ScanSummary& s) {
  Json j{{"open", s.open},         {"new", s.new_},           {"persisting", s.persisting},
         {"excepted", s.excepted}, {"resolved", s.resolved},  {"by_severity", counts(s.by_severity)},
         {"by_kind", counts(s.by_kind)}, {"by_system", counts(s.by_system)}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string snapshots_json(const std::vector<reports::SystemStatus>& systems) {
  Json j = Json::array();
  for (const auto& s : systems) {
    Json row{{"system", s.name}, {"status", s.status}};
    if (s.snapshot) {
      row["snapshot_id"] = s.snapshot->id;
      row["taken_at"] = s.snapshot->taken_at;
      row["digest"] = s.snapshot->digest;
    }
    j.push_back(std::move(row));
  }
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A trend point from a stored summary. Tolerates a summary without by_severity (empty point).
reports::TrendPoint trend_point(const store::ScanRecord& scan) {
  reports::TrendPoint t;
  t.scan_id = scan.id;
  t.at = scan.started_at;
  Json j = Json::parse(scan.summary_json, nullptr, false);
  if (j.is_object() && j.contains("by_severity") && j["by_severity"].is_object()) {
    for (const auto& [k, v] : j["by_severity"].items()) {
      if (v.is_number_integer()) t.by_severity[k] = v.get<std::int64_t>();
    }
  }
  return t;
}

// Systems a finding is about: "github", or "github,netsuite" for a cross-system SoD finding.
bool touches(const std::string& systems, const std::set<std::string>& names) {
  for (const auto& s : split(systems, ',')) {
    if (names.count(s)) return true;
  }
  return false;
}

}  // namespace

reports::ScanSummary summarize(const std::vector<reports::Finding>& findings, std::int64_t resolved) {
  reports::ScanSummary s;
  for (const auto& f : findings) {
    if (f.status == reports::FindingStatus::excepted) {
      ++s.excepted;
      continue;
    }
    ++s.open;
    ++(f.status == reports::FindingStatus::new_ ? s.new_ : s.persisting);
    ++s.by_severity[std::string(to_string(f.severity))];
    ++s.by_kind[f.kind];
    ++s.by_system[f.system];
  }
  s.resolved = resolved;
  return s;
}

store::FindingRecord to_record(const reports::Finding& f, std::string_view status) {
  store::FindingRecord r;
  r.fingerprint = f.fingerprint;
  r.kind = f.kind;
  r.severity = std::string(to_string(f.severity));
  r.status = std::string(status);
  r.system = f.system;
  r.account_id = f.account_id;
  r.account_login = f.account_login;
  r.person_id = f.person_email;
  r.person_name = f.person_name;
  r.entitlement_id = f.entitlement_id;
  r.expected = f.expected;
  r.actual = f.actual;
  r.message = f.message;
  r.first_seen = f.first_seen;
  r.evidence_json = reports::evidence_to_json(f.evidence);
  r.owner = f.owner;
  r.facts_json = facts_to_json(f.facts);
  return r;
}

Result<reports::Finding> from_record(const store::FindingRecord& r) {
  const std::string where = "finding " + r.fingerprint;
  reports::Finding f;
  f.fingerprint = r.fingerprint;
  f.kind = r.kind;
  auto severity = reports::parse_severity(r.severity);
  if (!severity) return fail(where + ": unknown severity " + quote(r.severity));
  f.severity = *severity;
  if (r.status == "new") f.status = reports::FindingStatus::new_;
  else if (r.status == "persisting" || r.status == kCarried) f.status = reports::FindingStatus::persisting;
  else if (r.status == "excepted") f.status = reports::FindingStatus::excepted;
  else if (r.status == kResolved) f.status = reports::FindingStatus::resolved;
  else return fail(where + ": unknown status " + quote(r.status));
  f.system = r.system;
  f.account_id = r.account_id;
  f.account_login = r.account_login;
  f.person_email = r.person_id;
  f.person_name = r.person_name;
  f.entitlement_id = r.entitlement_id;
  f.expected = r.expected;
  f.actual = r.actual;
  f.message = r.message;
  f.first_seen = r.first_seen;
  auto evidence = reports::evidence_from_json(r.evidence_json);
  if (!evidence) return evidence.context(where);
  f.evidence = std::move(*evidence);
  f.owner = r.owner;
  auto facts = facts_from_json(r.facts_json);
  if (!facts) return facts.context(where);
  f.facts = std::move(*facts);
  return f;
}

Result<void> record_scan(store::ScanStore& scans, reports::Report& report,
                         const std::set<std::string>& incomplete, int trend_points,
                         const std::vector<store::SystemRecord>& systems) {
  // The previous scan's findings, keys only: the full records are read for the few that are
  // gone (resolved or carried), not for the many that persist.
  std::vector<store::FindingKey> previous;
  RC_ASSIGN(auto last, scans.latest());
  if (last) {
    RC_ASSIGN(previous, scans.finding_keys(last->id));
  }
  std::unordered_map<std::string_view, const store::FindingKey*> before;
  for (const auto& r : previous) {
    if (r.status != kResolved) before.emplace(r.fingerprint, &r);
  }

  std::unordered_set<std::string_view> now;  // fingerprints of this scan
  for (auto& f : report.findings) {
    now.insert(f.fingerprint);
    auto it = before.find(f.fingerprint);
    if (it == before.end()) {
      f.first_seen = report.started_at;
      continue;
    }
    f.first_seen = it->second->first_seen;
    if (f.status == reports::FindingStatus::new_) f.status = reports::FindingStatus::persisting;
  }

  std::vector<std::string> gone;
  std::set<std::string_view> carry;
  std::map<std::string, std::int64_t> carried_by_system;
  for (const auto& r : previous) {
    if (r.status == kResolved || now.count(r.fingerprint)) continue;
    gone.push_back(r.fingerprint);
    if (r.kind != to_string(Kind::system_incomplete) && r.kind != to_string(Kind::exception_expired) &&
        touches(r.system, incomplete)) {
      carry.insert(r.fingerprint);
      ++carried_by_system[r.system];
    }
  }
  std::vector<store::FindingRecord> carried;
  report.resolved.clear();
  if (!gone.empty()) {
    RC_ASSIGN(auto records, scans.findings(last->id, gone));
    for (auto& r : records) {
      if (carry.count(r.fingerprint)) {
        r.status = std::string(kCarried);
        carried.push_back(std::move(r));
        continue;
      }
      RC_ASSIGN(reports::Finding f, from_record(r));
      f.status = reports::FindingStatus::resolved;
      report.resolved.push_back(std::move(f));
    }
  }
  for (auto& f : report.findings) {
    if (f.kind != to_string(Kind::system_incomplete)) continue;
    auto it = carried_by_system.find(f.system);
    if (it != carried_by_system.end()) f.evidence.extra["carried_findings"] = std::to_string(it->second);
  }
  sort_findings(report.findings);
  sort_findings(report.resolved);
  report.summary = summarize(report.findings, static_cast<std::int64_t>(report.resolved.size()));

  // Records are made one at a time while they are written (never all held at once: at 200k
  // findings they were the scan's peak memory), in fingerprint order.
  struct Source {
    const std::string* fingerprint;
    const reports::Finding* finding;  // else carried
    const store::FindingRecord* record;
    bool resolved;
  };
  std::vector<Source> sources;
  sources.reserve(report.findings.size() + report.resolved.size() + carried.size());
  for (const auto& f : report.findings) sources.push_back({&f.fingerprint, &f, nullptr, false});
  for (const auto& f : report.resolved) sources.push_back({&f.fingerprint, &f, nullptr, true});
  for (const auto& r : carried) sources.push_back({&r.fingerprint, nullptr, &r, false});
  std::sort(sources.begin(), sources.end(), [](const Source& a, const Source& b) { return *a.fingerprint < *b.fingerprint; });
  auto record_at = [&](std::size_t i, store::FindingRecord& out) {
    const Source& src = sources[i];
    if (src.record) out = *src.record;
    else out = to_record(*src.finding, src.resolved ? kResolved : to_string(src.finding->status));
  };

  store::ScanRecord scan;
  scan.started_at = report.started_at;
  scan.finished_at = report.finished_at;
  scan.roster_digest = report.roster_digest;
  scan.policy_digest = report.policy_digest;
  scan.snapshots_json = snapshots_json(report.systems);
  scan.summary_json = summary_json(report.summary);
  RC_ASSIGN(report.scan_id, scans.save(scan, sources.size(), record_at, systems));

  RC_ASSIGN(auto recent, scans.list(trend_points));
  report.trend.clear();
  for (auto it = recent.rbegin(); it != recent.rend(); ++it) report.trend.push_back(trend_point(*it));
  return {};
}

Result<ScanDiff> diff_scans(store::ScanStore& scans, std::int64_t a, std::int64_t b) {
  std::map<std::string, store::FindingRecord> sides[2];
  const std::int64_t ids[2] = {a, b};
  for (int i = 0; i < 2; ++i) {
    RC_ASSIGN(auto scan, scans.get(ids[i]));
    if (!scan) return fail("no scan #" + std::to_string(ids[i]) + " (`rollcall history --scans` lists them)");
    RC_ASSIGN(auto rows, scans.findings(ids[i]));
    for (auto& r : rows) {
      if (r.status != kResolved) sides[i].emplace(r.fingerprint, std::move(r));
    }
  }
  ScanDiff d;
  for (int i = 0; i < 2; ++i) {
    for (const auto& [fp, r] : sides[i]) {
      if (sides[1 - i].count(fp)) continue;
      RC_ASSIGN(reports::Finding f, from_record(r));
      (i == 0 ? d.resolved : d.added).push_back(std::move(f));
    }
  }
  sort_findings(d.added);
  sort_findings(d.resolved);
  return d;
}

}  // namespace rollcall::drift
