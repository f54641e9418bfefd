// Takes one snapshot: runs a system's connector into a store SnapshotWriter and records the
// outcome. The only place where connectors meet the store, so connectors stay SQL-free and the
// store stays connector-agnostic.
#pragma once

#include <functional>

#include "connectors/api/connector.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::connectors {

// Called now and then during a fetch with the running record counts.
using ProgressFn = std::function<void(std::int64_t accounts, std::int64_t grants)>;

// Builds the system's connector, fetches into a new snapshot and commits it (complete, or an
// unchanged re-observation). When the connector or the data fails, the attempt is recorded as
// partial/failed with the error and no data, and the error is returned as well, prefixed with
// `system "<name>"`. Only a failure to write the store itself leaves no record.
struct SnapshotOutcome {
  store::SnapshotInfo info;
  std::optional<Error> error;  // set when the snapshot is partial/failed
};
Result<SnapshotOutcome> take_snapshot(const config::SystemConfig& system, const Registry& registry,
                                      const ConnectorEnv& env, store::SnapshotStore& store,
                                      const ProgressFn& progress = nullptr);

}  // namespace rollcall::connectors
