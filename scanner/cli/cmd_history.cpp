// rollcall history [--system NAME] [--limit N]: the snapshots taken, newest first.
// rollcall history --scans [--limit N]: the scans, newest first.
#include "scanner/cli/context.hpp"
#include "scanner/cli/format.hpp"
#include "scanner/cli/scan_history.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::cli {
namespace {

struct HistoryOptions {
  std::string system;
  int limit = 20;
  bool scans = false;
};

Result<void> run_snapshots(Context& ctx, const HistoryOptions& opts) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  RC_ASSIGN(auto db, ctx.open_database(cfg));
  store::SnapshotStore store(*db);
  RC_ASSIGN(auto rows, store.list(opts.system, opts.limit));
  if (rows.empty()) {
    ctx.out("no snapshots yet; run `rollcall snapshot`");
    return {};
  }
  TextTable table({"ID", "SYSTEM", "TAKEN", "STATUS", "ACCOUNTS", "ENTITLEMENTS", "GRANTS", "DIGEST", "NOTE"});
  for (const auto& s : rows) {
    std::string note;
    if (s.unchanged()) note = "unchanged (data of #" + std::to_string(s.data_id) + ")";
    else if (s.status != SnapshotStatus::complete) note = s.error;
    table.add({std::to_string(s.id), s.system, format_iso8601(s.finished_at),
               std::string(to_string(s.status)), thousands(s.accounts), thousands(s.entitlements),
               thousands(s.grants), s.digest.substr(0, 12), note});
  }
  std::string text = table.str();
  text.pop_back();
  ctx.out(text);
  return {};
}

}  // namespace

void add_history_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<HistoryOptions>();
  CLI::App* cmd = app.add_subcommand("history", "list past snapshots, newest first");
  cmd->add_option("--system,-s", opts->system, "only this system");
  cmd->add_option("--limit,-n", opts->limit, "at most this many rows")->check(CLI::PositiveNumber);
  cmd->add_flag("--scans", opts->scans, "list past scans instead of snapshots");
  cmd->callback([&ctx, opts] {
    auto r = opts->scans ? print_scan_history(ctx, opts->limit) : run_snapshots(ctx, *opts);
    if (!r) ctx.report(r.error());
  });
}

}  // namespace rollcall::cli
