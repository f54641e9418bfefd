#include "scanner/cli/context.hpp"

#include <unistd.h>

namespace rollcall::cli {

Result<config::WorkspaceConfig> Context::load_config() const {
  return config::load_workspace(workspace, registry.key_lookup(), registry.names());
}

Result<std::unique_ptr<store::Database>> Context::open_database(const config::WorkspaceConfig& cfg) const {
  return store::Database::open(cfg.database);
}

bool Context::interactive() const { return !quiet && ::isatty(STDERR_FILENO) == 1; }

void Context::report(const Error& error) {
  log->error(error.message());
  exit_code = kExitError;
}

}  // namespace rollcall::cli
