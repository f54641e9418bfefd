#include "scanner/cli/scan_history.hpp"

#include <nlohmann/json.hpp>

#include "scanner/cli/format.hpp"
#include "scanner/store/scan_store.hpp"

namespace rollcall::cli {

Result<void> print_scan_history(Context& ctx, int limit) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  RC_ASSIGN(auto db, ctx.read_database(cfg));
  store::ScanStore scans(*db);
  RC_ASSIGN(auto rows, scans.list(limit));
  if (rows.empty()) {
    ctx.out("no scans yet; run `rollcall scan`");
    return {};
  }
  const char* severities[] = {"error", "critical", "high", "medium", "low"};
  TextTable table({"ID", "STARTED", "OPEN", "NEW", "RESOLVED", "EXCEPTED", "ERROR", "CRITICAL", "HIGH",
                   "MEDIUM", "LOW", "POLICY"});
  for (const auto& scan : rows) {
    // The summary is rollcall's own JSON; a value it lacks shows as "?" rather than 0.
    auto j = nlohmann::json::parse(scan.summary_json, nullptr, false);
    auto count = [&](const nlohmann::json& obj, const char* key) -> std::string {
      if (!obj.is_object() || !obj.contains(key)) return obj.is_object() ? "0" : "?";
      return obj[key].is_number_integer() ? thousands(obj[key].get<std::int64_t>()) : "?";
    };
    std::vector<std::string> row = {"#" + std::to_string(scan.id), format_iso8601(scan.started_at),
                                    count(j, "open"), count(j, "new"), count(j, "resolved"), count(j, "excepted")};
    const nlohmann::json by = j.is_object() && j.contains("by_severity") ? j["by_severity"] : nlohmann::json();
    for (const char* s : severities) row.push_back(count(by, s));
    row.push_back(scan.policy_digest.substr(0, 12));
    table.add(row);
  }
  std::string text = table.str();
  text.pop_back();
  ctx.out(text);
  return {};
}

}  // namespace rollcall::cli
