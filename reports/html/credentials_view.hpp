// The HTML report's credentials view: per system, an age histogram of the active credentials
// (server-side SVG, like the other charts), and the oldest active credentials as a table. Only
// ids and dates: a report never holds a secret value.
#pragma once

#include <string>

#include "reports/report.hpp"

namespace rollcall::reports::html {

// Age buckets, in days since creation: < 30, 30-89, 90-179, 180-364, >= 365, and unknown.
inline constexpr int kAgeBuckets = 6;

// The bucket of a credential created at `created` as of `now` (unknown: kAgeBuckets - 1).
int age_bucket(const std::optional<UnixTime>& created, UnixTime now);

// The <section id="credentials"> of the report, or "" when no checked system has credentials.
// The table lists at most `max_rows` active credentials, oldest first, and says how many more
// the JSON report holds.
std::string credentials_section(const Report& report, std::size_t max_rows = 500);

}  // namespace rollcall::reports::html
