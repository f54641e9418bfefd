#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "reports/json/json_report.hpp"
#include "reports/writers.hpp"

namespace rollcall::reports {
namespace {

using Json = nlohmann::ordered_json;

constexpr Severity kSeveritiesHighFirst[] = {Severity::error, Severity::critical, Severity::high,
                                             Severity::medium, Severity::low, Severity::info};

std::string dump(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

Json snapshot_json(const std::optional<SnapshotRef>& s) {
  if (!s) return nullptr;
  return Json{{"id", s->id}, {"taken_at", format_iso8601(s->taken_at)}, {"digest", s->digest}};
}

Json evidence_json(const Evidence& e) {
  Json j;
  j["roster_row"] = e.roster_row;
  j["policy"] = e.policy;
  j["snapshot"] = snapshot_json(e.snapshot);
  if (e.exception_ticket.empty() && !e.exception_expires && e.exception_source.empty()) {
    j["exception"] = nullptr;
  } else {
    j["exception"] = Json{{"ticket", e.exception_ticket},
                          {"expires", e.exception_expires ? Json(format_date(*e.exception_expires)) : Json()},
                          {"reason", e.exception_reason},
                          {"source", e.exception_source}};
  }
  j["facts"] = Json::object();
  for (const auto& [k, v] : e.extra) j["facts"][k] = v;
  return j;
}

Json finding_json(const Finding& f) {
  return Json{{"fingerprint", f.fingerprint},
              {"kind", f.kind},
              {"severity", to_string(f.severity)},
              {"status", to_string(f.status)},
              {"system", f.system},
              {"account_id", f.account_id},
              {"account_login", f.account_login},
              {"person_email", f.person_email},
              {"person_name", f.person_name},
              {"entitlement_id", f.entitlement_id},
              {"expected", f.expected},
              {"actual", f.actual},
              {"message", f.message},
              {"first_seen", format_iso8601(f.first_seen)},
              {"evidence", evidence_json(f.evidence)}};
}

Json severity_counts(const std::map<std::string, std::int64_t>& counts) {
  Json j = Json::object();
  for (Severity s : kSeveritiesHighFirst) {
    auto it = counts.find(std::string(to_string(s)));
    j[std::string(to_string(s))] = it == counts.end() ? 0 : it->second;
  }
  return j;
}

Json counts_json(const std::map<std::string, std::int64_t>& counts) {
  Json j = Json::object();
  for (const auto& [k, v] : counts) j[k] = v;
  return j;
}

// Writes `j` pretty-printed as a value nested `depth` levels deep in the document.
void put(std::ostream& out, const Json& j, int depth) {
  std::string text = dump(j, 2);
  const std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
  for (char c : text) {
    out.put(c);
    if (c == '\n') out << pad;
  }
}

// A top-level array of findings, one element at a time, so a report with 100k findings never
// exists as one JSON tree in memory.
void put_findings(std::ostream& out, const char* key, const std::vector<Finding>& findings) {
  out << "  \"" << key << "\": [";
  for (std::size_t i = 0; i < findings.size(); ++i) {
    out << (i ? ",\n    " : "\n    ");
    put(out, finding_json(findings[i]), 2);
  }
  out << (findings.empty() ? "]" : "\n  ]");
}

void write_report_body(std::ostream& out, const Report& r) {
  Json tool{{"name", "rollcall"}, {"version", r.tool_version}};
  Json scan{{"id", r.scan_id},
            {"started_at", format_iso8601(r.started_at)},
            {"finished_at", format_iso8601(r.finished_at)},
            {"workspace", r.workspace},
            {"people", r.people},
            {"roster_digest", r.roster_digest},
            {"policy_digest", r.policy_digest}};
  Json systems = Json::array();
  for (const auto& s : r.systems) {
    systems.push_back(Json{{"name", s.name},
                           {"type", s.type},
                           {"status", s.status},
                           {"snapshot", snapshot_json(s.snapshot)},
                           {"error", s.error},
                           {"accounts", s.accounts},
                           {"entitlements", s.entitlements},
                           {"grants", s.grants}});
  }
  const ScanSummary& m = r.summary;
  Json summary{{"open", m.open},
               {"new", m.new_},
               {"persisting", m.persisting},
               {"excepted", m.excepted},
               {"resolved", m.resolved},
               {"by_severity", severity_counts(m.by_severity)},
               {"by_kind", counts_json(m.by_kind)},
               {"by_system", counts_json(m.by_system)}};
  Json trend = Json::array();
  for (const auto& t : r.trend) {
    trend.push_back(Json{{"scan_id", t.scan_id},
                         {"at", format_iso8601(t.at)},
                         {"by_severity", severity_counts(t.by_severity)}});
  }

  out << "{\n  \"schema\": \"" << kReportSchema << "\",\n  \"tool\": ";
  put(out, tool, 1);
  out << ",\n  \"scan\": ";
  put(out, scan, 1);
  out << ",\n  \"systems\": ";
  put(out, systems, 1);
  out << ",\n  \"summary\": ";
  put(out, summary, 1);
  out << ",\n";
  put_findings(out, "findings", r.findings);
  out << ",\n";
  put_findings(out, "resolved", r.resolved);
  out << ",\n  \"trend\": ";
  put(out, trend, 1);
  out << "\n}\n";
}

std::string text_or_empty(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<std::optional<SnapshotRef>> snapshot_from_json(const Json& j) {
  if (j.is_null()) return std::optional<SnapshotRef>();
  SnapshotRef s;
  s.id = j.at("id").get<std::int64_t>();
  RC_ASSIGN(s.taken_at, parse_iso8601(j.at("taken_at").get<std::string>()));
  s.digest = j.at("digest").get<std::string>();
  return std::optional<SnapshotRef>(std::move(s));
}

}  // namespace

std::string evidence_to_json(const Evidence& evidence) { return dump(evidence_json(evidence)); }

Result<Evidence> evidence_from_json(std::string_view text) {
  Evidence e;
  try {
    Json j = Json::parse(text);
    e.roster_row = text_or_empty(j, "roster_row");
    e.policy = j.at("policy").get<std::vector<std::string>>();
    auto snap = snapshot_from_json(j.at("snapshot"));
    if (!snap) return snap.context("evidence");
    e.snapshot = std::move(*snap);
    const Json& x = j.at("exception");
    if (!x.is_null()) {
      e.exception_ticket = text_or_empty(x, "ticket");
      e.exception_reason = text_or_empty(x, "reason");
      e.exception_source = text_or_empty(x, "source");
      if (x.contains("expires") && x["expires"].is_string()) {
        auto t = parse_iso8601(x["expires"].get<std::string>());
        if (!t) return t.context("evidence");
        e.exception_expires = *t;
      }
    }
    for (const auto& [k, v] : j.at("facts").items()) e.extra[k] = v.get<std::string>();
  } catch (const nlohmann::json::exception& ex) {
    return fail(std::string("evidence: ") + ex.what());
  }
  return e;
}

Result<void> write_json(const Report& report, const std::filesystem::path& path) {
  // Streamed to a temporary file beside the target, then renamed over it: a reader sees the
  // previous report or the complete new one, and the whole text is never held in memory.
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  auto failed = [&](const std::string& why) -> Result<void> {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return fail(path.string() + ": " + why);
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return failed(std::string("cannot create: ") + std::strerror(errno));
    write_report_body(out, report);
    out.flush();
    if (!out) return failed(std::string("write failed: ") + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return failed("cannot replace: " + ec.message());
  return {};
}

}  // namespace rollcall::reports
