#include "scanner/cli/context.hpp"

#include <unistd.h>

#include <cstdio>

#include "scanner/cli/safe_text.hpp"

namespace rollcall::cli {

Result<config::WorkspaceConfig> Context::load_config() const {
  return config::load_workspace(workspace, registry.key_lookup(), registry.names());
}

Result<std::unique_ptr<store::Database>> Context::open_database(const config::WorkspaceConfig& cfg) const {
  return store::Database::open(cfg.database);
}

bool Context::interactive() const { return !quiet && ::isatty(STDERR_FILENO) == 1; }

void Context::report(const Error& error) {
  log->error(terminal_safe_lines(error.message()));  // errors quote policy text, roster and API data
  exit_code = kExitError;
}

void Context::out(const std::string& line) const {
  if (quiet) return;
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace rollcall::cli
