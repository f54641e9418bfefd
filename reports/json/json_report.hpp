// The rollcall.report/v1 JSON encoding. write_json (reports/writers.hpp) renders a whole
// Report with it; the evidence functions are also how the scan history stores each finding's
// evidence, so a resolved finding shown in a later report carries the evidence it had.
//
// Deterministic: the same Report always gives the same bytes (fixed key order, the Report's
// own finding order). Invalid UTF-8 in a value is replaced by U+FFFD, never an error.
#pragma once

#include <string>
#include <string_view>

#include "reports/report.hpp"
#include "scanner/core/result.hpp"

namespace rollcall::reports {

inline constexpr std::string_view kReportSchema = "rollcall.report/v1";

// Evidence as one line of compact JSON (the "evidence" object of a finding in the report).
std::string evidence_to_json(const Evidence& evidence);
// Reads what evidence_to_json wrote. Fails with "evidence: <why>" on malformed input.
Result<Evidence> evidence_from_json(std::string_view text);

}  // namespace rollcall::reports
