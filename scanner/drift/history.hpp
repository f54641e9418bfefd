// Scan history on top of store::ScanStore: how one scan's findings relate to the scan before
// (new, persisting with its first-seen date, resolved), how a scan is stored, and how two
// stored scans differ.
//
// A system that is incomplete in this scan proves nothing about its findings of the last scan:
// they are neither listed as resolved nor dropped, but carried (stored with status `carried`,
// not shown as open) until the system is read completely again.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "reports/report.hpp"
#include "scanner/core/result.hpp"
#include "scanner/store/scan_store.hpp"

namespace rollcall::drift {

// Counts of open (new + persisting) findings by severity, kind and system, plus status counts.
reports::ScanSummary summarize(const std::vector<reports::Finding>& findings, std::int64_t resolved);

store::FindingRecord to_record(const reports::Finding& f, std::string_view status);
// Fails naming the fingerprint when the stored severity, status or evidence is malformed.
Result<reports::Finding> from_record(const store::FindingRecord& r);

// Completes `report` against the previous stored scan and stores it: sets each finding's status
// (new/persisting; excepted stays) and first_seen, fills report.resolved, summary, scan_id and
// trend (the last `trend_points` scans, oldest first, this one included), sorts findings.
// `incomplete` names the systems that were not read completely in this scan.
// `systems` are stored with the scan for the next scan to reuse.
Result<void> record_scan(store::ScanStore& scans, reports::Report& report,
                         const std::set<std::string>& incomplete, int trend_points = 30,
                         const std::vector<store::SystemRecord>& systems = {});

struct ScanDiff {
  std::vector<reports::Finding> added;     // in B, not in A
  std::vector<reports::Finding> resolved;  // in A, not in B
};
// Compares two stored scans by fingerprint (open and excepted findings; carried ones count as
// present). Fails naming a scan id that does not exist.
Result<ScanDiff> diff_scans(store::ScanStore& scans, std::int64_t a, std::int64_t b);

}  // namespace rollcall::drift
