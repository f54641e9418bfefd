// Retention: `rollcall prune --keep 90d` removes what is older than a cutoff and no longer
// needed, then compacts the file. What stays is always enough for history, diff and plan:
//
//   - scans finished before the cutoff go, with their findings, except the latest scan;
//   - snapshots finished before the cutoff go, except those a remaining scan was read from, the
//     latest (and latest complete) snapshot of each system, and those whose data a remaining
//     snapshot shares (an unchanged re-observation stores no copy of its own);
//   - the apply journal is kept whole (it is the audit trail).
//
// The scans' snapshot lists are JSON owned by the drift engine: the caller says which snapshots
// a scan references. Not thread-safe, like the Database it borrows.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"
#include "scanner/store/scan_store.hpp"
#include "scanner/store/sqlite.hpp"

namespace rollcall::store {

struct PruneResult {
  std::int64_t scans = 0;      // removed (or that would be, in a dry run)
  std::int64_t findings = 0;
  std::int64_t snapshots = 0;
  std::int64_t grants = 0;     // grant rows of the removed snapshots' data
  std::int64_t bytes_before = 0;
  std::int64_t bytes_after = 0;  // after VACUUM; = bytes_before in a dry run
};

// The snapshot ids a stored scan was read from; fails on a malformed record.
using ScanSnapshots = std::function<Result<std::vector<std::int64_t>>(const ScanRecord& scan)>;

// Removes what is older than `cutoff` as described above, in one transaction, then VACUUMs.
// With `dry_run`, counts and changes nothing. Fails on an SQL error (nothing removed) or when
// `referenced` fails.
Result<PruneResult> prune(Database& db, UnixTime cutoff, const ScanSnapshots& referenced, bool dry_run);

}  // namespace rollcall::store
