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
  std::string_view name;  // "json", "html", "csv", "sarif"
  std::string_view file;  // "report.json", ...
  Result<void> (*write)(const Report&, const std::filesystem::path&);
};

// Every format, in the order json, html, csv, sarif.
const std::vector<Format>& formats();
// The format called `name`, or nullptr.
const Format* find_format(std::string_view name);

// Writes `report` in each of `which` to dir/<file> as one set: every format is first written
// completely into a staging folder dir/.rollcall-reports.tmp-<pid>, then each is renamed into
// place, so a failure or a kill before the renames changes no report, and a kill between two
// renames leaves reports that each state their scan id (so a reader can tell). Leftovers of a
// killed writer (staging folders and report.*.tmp-<pid>-* files whose process is gone) are
// removed first. Fails with the first error (the writer names its file).
Result<void> write_reports(const Report& report, const std::filesystem::path& dir,
                           const std::vector<const Format*>& which);

}  // namespace rollcall::reports
