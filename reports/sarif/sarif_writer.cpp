// write_sarif: the open and excepted findings as SARIF 2.1.0, for code-scanning UIs (GitHub code
// scanning, GitLab, Azure DevOps) over a policy-as-code repository.
//
// One run per scan; one rule per finding kind (from the kinds table, with its default severity
// and who is exempt); one result per finding. A result is located at the policy line that
// decided it (the last "file.lua:N" of its first provenance line, or the exception's source), so
// the UI shows it beside the policy; the system, account and entitlement are its logical
// location. The rollcall fingerprint is its partial fingerprint, so the UI tracks it across scans.
// Excepted findings carry an accepted external suppression with the exception's ticket. Resolved
// findings are left out (SARIF reports what is, not what was).
#include <nlohmann/json.hpp>

#include <cctype>
#include <string>

#include "reports/common/atomic_file.hpp"
#include "reports/common/text.hpp"
#include "reports/writers.hpp"

namespace rollcall::reports {

namespace {

using nlohmann::ordered_json;

std::string_view level(Severity s) {
  switch (s) {
    case Severity::error:
    case Severity::critical:
    case Severity::high:
      return "error";
    case Severity::medium:
      return "warning";
    default:
      return "note";
  }
}

// Text from target systems may hold invalid UTF-8; nlohmann would throw on it.
std::string text(std::string_view s) {
  std::string out;
  append_utf8(out, s);
  return out;
}

// "policies/eng.lua:12" at the end of a provenance line or a source: the file and line.
bool policy_place(std::string_view line, std::string& file, int& number) {
  const auto colon = line.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= line.size()) return false;
  number = 0;
  for (char c : line.substr(colon + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || number > 10'000'000) return false;
    number = number * 10 + (c - '0');
  }
  auto start = line.rfind(' ', colon);
  start = start == std::string_view::npos ? 0 : start + 1;
  file = text(line.substr(start, colon - start));
  return number > 0 && file.size() > 4 && file.compare(file.size() - 4, 4, ".lua") == 0;
}

ordered_json result(const Finding& f) {
  ordered_json r;
  r["ruleId"] = text(f.kind);
  r["level"] = level(f.severity);
  r["message"] = {{"text", text(f.message)}};
  std::string file;
  int line = 0;
  const bool placed = (!f.evidence.policy.empty() && policy_place(f.evidence.policy.front(), file, line)) ||
                      policy_place(f.evidence.exception_source, file, line);
  ordered_json location;
  if (placed) {
    location["physicalLocation"] = {{"artifactLocation", {{"uri", file}}}, {"region", {{"startLine", line}}}};
  }
  std::string name = text(f.system);
  if (!f.account_id.empty()) name += "/" + text(f.account_id);
  if (!f.entitlement_id.empty()) name += "/" + text(f.entitlement_id);
  location["logicalLocations"] = ordered_json::array({{{"fullyQualifiedName", name}, {"kind", "resource"}}});
  r["locations"] = ordered_json::array({location});
  r["partialFingerprints"] = {{"rollcall/v1", text(f.fingerprint)}};
  if (f.status == FindingStatus::excepted) {
    std::string why = text(f.evidence.exception_ticket);
    if (!f.evidence.exception_reason.empty()) why += ": " + text(f.evidence.exception_reason);
    if (f.evidence.exception_expires) why += " (until " + format_iso8601(*f.evidence.exception_expires).substr(0, 10) + ")";
    r["suppressions"] = ordered_json::array({{{"kind", "external"}, {"status", "accepted"}, {"justification", why}}});
  }
  r["properties"] = {{"severity", to_string(f.severity)}, {"status", to_string(f.status)},
                     {"system", text(f.system)},         {"account", text(f.account_id)},
                     {"person", text(f.person_email)},   {"entitlement", text(f.entitlement_id)},
                     {"owner", text(f.owner)},           {"expected", text(f.expected)},
                     {"actual", text(f.actual)}};
  return r;
}

}  // namespace

Result<void> write_sarif(const Report& report, const std::filesystem::path& path) {
  ordered_json rules = ordered_json::array();
  for (const FindingKindInfo& k : finding_kinds()) {
    rules.push_back({{"id", k.name},
                     {"name", k.name},
                     {"shortDescription", {{"text", std::string(k.name) + " (docs/findings.md)"}}},
                     {"fullDescription", {{"text", "Exempt: " + std::string(k.exempt)}}},
                     {"defaultConfiguration", {{"level", level(k.severity)}}},
                     {"properties", {{"severity", to_string(k.severity)}}}});
  }
  ordered_json results = ordered_json::array();
  for (const Finding& f : report.findings) results.push_back(result(f));
  ordered_json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", ordered_json::array({{
                   {"tool", {{"driver", {{"name", "rollcall"}, {"version", text(report.tool_version)}, {"rules", rules}}}}},
                   {"automationDetails", {{"id", "rollcall/scan/" + std::to_string(report.scan_id)}}},
                   {"results", results},
               }})},
  };
  std::string out;
  try {
    out = doc.dump(1) + "\n";
  } catch (const nlohmann::json::exception& e) {  // every string is repaired first; never expected
    return fail(path.string() + ": " + e.what());
  }
  return write_file_atomic(path, out);
}

}  // namespace rollcall::reports
