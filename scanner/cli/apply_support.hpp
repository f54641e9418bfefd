// What `rollcall apply` and the self-healing `rollcall run` share: the [apply] blast-radius
// limits and each system's writer, so both go through the same guards.
#pragma once

#include <memory>
#include <string>

#include "connectors/api/writer.hpp"
#include "scanner/cli/context.hpp"
#include "scanner/plan/apply.hpp"

namespace rollcall::cli {

// [apply] max_destructive (default 25) and max_destructive_share (default "10%"). Fails naming
// file:line for a share that is not like "10%" or "0.1".
Result<plan::BlastLimits> blast_limits(const config::WorkspaceConfig& cfg);

// The system's writer: its connector's write side, or tickets (apply_via = "tickets", or a
// connector type without a write API). Fails for an unknown system or a writer that cannot be
// built (bad configuration, missing credential), naming the system.
Result<std::unique_ptr<connectors::Writer>> make_writer(const Context& ctx, const config::WorkspaceConfig& cfg,
                                                        const connectors::ConnectorEnv& env, store::Database& db,
                                                        const std::string& system);

}  // namespace rollcall::cli
