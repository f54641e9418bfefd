// Report writers: render a Report value (reports/report.hpp) to one file each. They read only
// the Report, never the store or the network, and write atomically (a temp file in the target
// folder, then rename), so a reader never sees a half-written report. Stateless; safe to call
// from several threads for different paths.
#pragma once

#include <filesystem>

#include "reports/report.hpp"
#include "scanner/core/result.hpp"

namespace rollcall::reports {

// rollcall.report/v1 JSON. Fails with "<path>: <why>" when the file cannot be written.
Result<void> write_json(const Report& report, const std::filesystem::path& path);
// One self-contained HTML file (no external assets, strict CSP). Fails like write_json.
Result<void> write_html(const Report& report, const std::filesystem::path& path);
// CSV of findings (open, excepted, resolved), RFC 4180. Fails like write_json.
Result<void> write_csv(const Report& report, const std::filesystem::path& path);
// SARIF 2.1.0 of the open and excepted findings, for code-scanning UIs. Fails like write_json.
Result<void> write_sarif(const Report& report, const std::filesystem::path& path);

}  // namespace rollcall::reports
