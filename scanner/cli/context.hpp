// What every subcommand shares: global options, the logger, the clock, the connector registry,
// and helpers to load the workspace. Owned by main(); commands borrow it.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "connectors/api/connector.hpp"
#include "scanner/config/config.hpp"
#include "scanner/core/log.hpp"
#include "scanner/core/result.hpp"
#include "scanner/core/secret.hpp"
#include "scanner/core/time.hpp"
#include "scanner/store/sqlite.hpp"

namespace rollcall::cli {

// Exit codes of the CLI contract (docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,
  kExitFindings = 2,   // scan: findings at/above --fail-on; plan: changes pending
  kExitApplyIncomplete = 3,
};

struct Context {
  std::string workspace = ".";
  int verbose = 0;
  bool quiet = false;
  bool no_color = false;  // --no-color
  bool colour = false;    // stdout may be coloured (colour.hpp); set by main after parsing

  std::unique_ptr<Logger> log;
  std::unique_ptr<Clock> clock;
  std::unique_ptr<SecretSource> secrets;
  connectors::Registry registry;
  http::TransportFactory* http = nullptr;  // owned by main; null until HTTP is wired
  int exit_code = kExitOk;

  // Reads and validates <workspace>/rollcall.toml.
  Result<config::WorkspaceConfig> load_config() const;
  // Opens (and migrates) the workspace database.
  Result<std::unique_ptr<store::Database>> open_database(const config::WorkspaceConfig& cfg) const;
  // Opens it for reading only (history, diff): works in a workspace folder that is not writable.
  Result<std::unique_ptr<store::Database>> read_database(const config::WorkspaceConfig& cfg) const;
  // True when stderr is a terminal and -q was not given: progress lines may be drawn.
  bool interactive() const;
  // Logs the error as one line and sets exit code 1.
  void report(const Error& error);
  // Prints a result line on stdout (not with -q), coloured when `colour`.
  void out(const std::string& line) const;
};

// One function per subcommand, each in cmd_<name>.cpp: adds the subcommand and its callback.
void add_init_command(CLI::App& app, Context& ctx);
void add_snapshot_command(CLI::App& app, Context& ctx);
void add_history_command(CLI::App& app, Context& ctx);
void add_policy_command(CLI::App& app, Context& ctx);
// `policy diff`, added under `policy` by add_policy_command (cmd_policy_diff.cpp).
void add_policy_diff_command(CLI::App& policy, Context& ctx);
void add_scan_command(CLI::App& app, Context& ctx);
void add_diff_command(CLI::App& app, Context& ctx);
void add_plan_command(CLI::App& app, Context& ctx);
void add_apply_command(CLI::App& app, Context& ctx);
void add_run_command(CLI::App& app, Context& ctx);
void add_prune_command(CLI::App& app, Context& ctx);
void add_review_command(CLI::App& app, Context& ctx);

}  // namespace rollcall::cli
