// Server-side SVG charts for the HTML report. Rendered in C++ so they show without JavaScript,
// print, and need no script. Every label is escaped; colours come from the page stylesheet via
// the classes sev-<severity>, so the SVG carries no style attributes (the CSP forbids them).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "reports/report.hpp"

namespace rollcall::reports::html {

// Finding counts indexed by static_cast<int>(Severity).
using SeverityCounts = std::array<std::int64_t, 6>;

// Severities in the order the report shows them, worst first.
inline constexpr Severity kSeverityOrder[] = {Severity::error,  Severity::critical, Severity::high,
                                              Severity::medium, Severity::low,      Severity::info};

// Horizontal bars, one per severity.
std::string severity_chart(const SeverityCounts& open);
// Horizontal bars stacked by severity, one per system, the `limit` largest first.
std::string system_chart(const std::vector<std::pair<std::string, SeverityCounts>>& by_system,
                         std::size_t limit);
// Columns stacked by severity, one per scan (the last `limit` points). "" when `trend` is empty.
std::string trend_chart(const std::vector<TrendPoint>& trend, std::size_t limit);

// `text` made safe for a one-line label: valid UTF-8, bidirectional override/isolate controls
// removed (so a name cannot reorder its neighbours), cut to `max_chars` code points with "…".
// Not escaped.
std::string short_label(std::string_view text, std::size_t max_chars);

}  // namespace rollcall::reports::html
