// Listing of stored scans (`rollcall history --scans`).
#pragma once

#include "scanner/cli/context.hpp"

namespace rollcall::cli {

// Prints the last `limit` scans, newest first: id, time, open/new/resolved/excepted counts,
// open findings by severity, and the policy digest. Fails on a store error.
Result<void> print_scan_history(Context& ctx, int limit);

}  // namespace rollcall::cli
