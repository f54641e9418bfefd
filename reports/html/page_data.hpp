// The findings data the HTML report's script renders, as compact JSON safe to embed in a
// <script type="application/json"> block ('<', '>', '&', U+2028/2029 are \u-escaped, so no
// value can close the element). The shape, read by page_script.cpp:
//
//   {"sev":[severity names by number], "st":[status names by number],
//    "f":[finding row, ...] (Report::findings), "r":[finding row, ...] (Report::resolved),
//    "s":[every distinct string, first-seen order; "" is index 0]}
//
// A finding row is an array; strings are indexes into "s":
//   [fingerprint, kind, severity, status, system, account_id, account_login, person_email,
//    person_name, entitlement_id, expected, actual, first_seen (unix seconds, 0 unknown),
//    message, evidence, owner]
// evidence is an object whose keys are present only when set:
//   {"r": roster_row, "p": [policy line, ...], "s": [snapshot id, taken_at, digest],
//    "x": [ticket, expires (unix seconds, 0 none), reason, source], "e": [key, value, ...]}
//
// Interning the strings keeps 100k findings compact: kinds, systems, entitlements, people and
// policy lines repeat across findings.
#pragma once

#include <string>

#include "reports/report.hpp"

namespace rollcall::reports::html {

// Appends the JSON to `out` (the page is built in one string; the data is most of it).
void append_page_data_json(std::string& out, const Report& report);

}  // namespace rollcall::reports::html
