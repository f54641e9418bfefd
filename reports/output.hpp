// The report formats rollcall writes, and how `rollcall scan` writes several: each format to its
// own file in one folder.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "reports/report.hpp"
#include "scanner/core/result.hpp"

namespace rollcall::reports {

struct Format {
  std::string_view name;  // "json", "html", "csv"
  std::string_view file;  // "report.json", ...
  Result<void> (*write)(const Report&, const std::filesystem::path&);
};

// Every format, in the order json, html, csv.
const std::vector<Format>& formats();
// The format called `name`, or nullptr.
const Format* find_format(std::string_view name);

// Writes `report` in each of `which` to dir/<file>, in that order. Fails with the first error
// (the writer names its file); the formats before it are written by then.
Result<void> write_reports(const Report& report, const std::filesystem::path& dir,
                           const std::vector<const Format*>& which);

}  // namespace rollcall::reports
