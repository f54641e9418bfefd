#include "scanner/cli/context.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "scanner/cli/colour.hpp"
#include "scanner/cli/safe_text.hpp"

namespace rollcall::cli {

Result<config::WorkspaceConfig> Context::load_config() const {
  return config::load_workspace(workspace, registry.key_lookup(), registry.names());
}

Result<std::unique_ptr<store::Database>> Context::open_database(const config::WorkspaceConfig& cfg) const {
  return store::Database::open(cfg.database);
}

Result<std::unique_ptr<store::Database>> Context::read_database(const config::WorkspaceConfig& cfg) const {
  // No database yet: an empty one in memory, so "no snapshots yet" is said without creating it.
  std::error_code ec;
  if (!std::filesystem::exists(cfg.database, ec)) return store::Database::open_memory();
  return store::Database::open_read_only(cfg.database);
}

bool Context::interactive() const { return !quiet && ::isatty(STDERR_FILENO) == 1; }

void Context::report(const Error& error) {
  // The last line of defence for stderr: every secret resolved in this run, in every form; and
  // errors quote policy text, roster and API data, so control characters are shown escaped.
  const std::string text = secrets ? secrets->redactor().redact(error.message()) : error.message();
  log->error(terminal_safe_lines(text));
  exit_code = kExitError;
}

void Context::out(const std::string& line) const {
  if (quiet) return;
  const std::string text = colour ? paint(line) : line;
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace rollcall::cli
