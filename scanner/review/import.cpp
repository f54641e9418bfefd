// review import: the filled-in sheets, read strictly. Nothing is recorded unless every row of
// every sheet is valid.
#include <algorithm>
#include <fstream>
#include <map>

#include "scanner/core/csv.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/review/review.hpp"

namespace rollcall::review {
namespace {

constexpr std::size_t kColumnCount = std::size(kColumns);

// Undoes csv_safe_field's guard: a formula-like value was exported with a leading quote.
std::string unguarded(const std::string& v) {
  if (v.size() > 1 && v.front() == '\'' && csv_formula_like(std::string_view(v).substr(1))) return v.substr(1);
  return v;
}

}  // namespace

Result<std::vector<store::ReviewDecisionRecord>> read_decisions(
    const std::filesystem::path& dir, const std::unordered_map<std::string, store::ReviewRowRecord>& rows,
    const std::string& reviewer, UnixTime now) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return fail(dir.string() + ": not a folder");
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".csv") files.push_back(e.path());
  }
  if (ec) return fail(dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) return fail(dir.string() + ": no .csv sheets to import");

  std::vector<store::ReviewDecisionRecord> out;
  std::map<std::string, std::string> seen;  // row id -> where
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(path.string() + ": cannot read");
    CsvReader csv(in);
    std::vector<std::string> f;
    auto first = csv.next(f);
    if (!first) return fail(name + ":" + first.error().message());
    if (!*first) return fail(name + ": empty file (expected the header of an exported sheet)");
    if (f.size() != kColumnCount || !std::equal(f.begin(), f.end(), std::begin(kColumns)))
      return fail(name + ":1: not an access review sheet (the header is not that of `rollcall review export`)");
    while (true) {
      auto more = csv.next(f);
      if (!more) return fail(name + ":" + more.error().message());
      if (!*more) break;
      const std::string where = name + ":" + std::to_string(csv.line());
      if (f.size() != kColumnCount)
        return fail(where + ": expected " + std::to_string(kColumnCount) + " columns, found " + std::to_string(f.size()));
      for (auto& v : f) v = unguarded(v);
      Row r{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]};
      auto known = rows.find(r.row_id);
      if (known == rows.end()) return fail(where + ": unknown row " + quote(r.row_id) + " (not in the last export)");
      if (auto [it, fresh] = seen.emplace(r.row_id, where); !fresh)
        return fail(where + ": row " + r.row_id + " is also at " + it->second);
      if (row_digest(r) != known->second.digest || r.digest != known->second.digest)
        return fail(where + ": row " + r.row_id + ": grant columns changed since the export");
      const std::string decision = to_lower(trim(f[12]));
      if (decision.empty()) continue;
      if (decision != "keep" && decision != "revoke")
        return fail(where + ": decision " + quote(f[12]) + " is not keep, revoke or empty");
      out.push_back({r.row_id, r.system, r.account_id, r.entitlement_id, r.person, decision,
                     std::string(trim(f[13])), reviewer.empty() ? r.manager : reviewer, now, where});
    }
  }
  return out;
}

}  // namespace rollcall::review
