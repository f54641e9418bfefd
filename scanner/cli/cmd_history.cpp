// rollcall history [--system NAME] [--limit N]: the snapshots taken, newest first.
// rollcall history --scans [--limit N]: the scans, newest first.
// rollcall history --applies [--limit N]: the plans applied, most recent first;
// rollcall history --plan ID: what apply did with each action of one plan (the audit trail).
#include "scanner/cli/context.hpp"
#include "scanner/cli/format.hpp"
#include "scanner/cli/safe_text.hpp"
#include "scanner/cli/scan_history.hpp"
#include "scanner/store/apply_journal.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::cli {
namespace {

struct HistoryOptions {
  std::string system;
  int limit = 20;
  bool scans = false;
  bool applies = false;
  std::string plan;
};

Result<void> run_snapshots(Context& ctx, const HistoryOptions& opts) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  RC_ASSIGN(auto db, ctx.read_database(cfg));
  store::SnapshotStore store(*db);
  RC_ASSIGN(auto rows, store.list(opts.system, opts.limit));
  if (rows.empty() && !opts.system.empty() && !cfg.find_system(opts.system)) {
    std::vector<std::string> names;
    for (const auto& s : cfg.systems) names.push_back(s.name);
    const std::string guess = closest_match(opts.system, names);
    return fail("no system named " + quote(opts.system) + " in " + cfg.file.filename().string() +
                (guess.empty() ? "" : " (did you mean " + quote(guess) + "?)"));
  }
  if (rows.empty()) {
    ctx.out("no snapshots yet; run `rollcall snapshot`");
    return {};
  }
  TextTable table({"ID", "SYSTEM", "TAKEN", "STATUS", "ACCOUNTS", "ENTITLEMENTS", "GRANTS", "DIGEST", "NOTE"});
  for (const auto& s : rows) {
    std::string note;
    if (s.unchanged()) note = "unchanged (data of #" + std::to_string(s.data_id) + ")";
    else if (s.status != SnapshotStatus::complete) note = s.error;
    table.add({"#" + std::to_string(s.id), s.system, format_iso8601(s.finished_at),
               std::string(to_string(s.status)), thousands(s.accounts), thousands(s.entitlements),
               thousands(s.grants), s.digest.substr(0, 12), note});
  }
  std::string text = table.str();
  text.pop_back();
  ctx.out(text);
  return {};
}

std::string count(const std::map<std::string, std::int64_t>& states, const std::string& state) {
  auto it = states.find(state);
  return std::to_string(it == states.end() ? 0 : it->second);
}

Result<void> run_applies(Context& ctx, const HistoryOptions& opts) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  RC_ASSIGN(auto db, ctx.read_database(cfg));
  RC_ASSIGN(auto plans, store::ApplyJournal::plans(*db, opts.limit));
  if (plans.empty()) {
    ctx.out("no plan applied yet; see `rollcall plan` and `rollcall apply`");
    return {};
  }
  TextTable table({"PLAN", "FIRST", "LAST", "DONE", "NOOP", "CONFLICT", "FAILED", "PENDING"});
  for (const auto& p : plans) {
    table.add({p.plan_id, format_iso8601(p.first_at), format_iso8601(p.updated_at), count(p.states, "done"),
               count(p.states, "noop"), count(p.states, "conflict"), count(p.states, "failed"),
               count(p.states, "pending")});
  }
  std::string text = table.str();
  text.pop_back();
  ctx.out(text);
  return {};
}

Result<void> run_plan(Context& ctx, const HistoryOptions& opts) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  RC_ASSIGN(auto db, ctx.read_database(cfg));
  store::ApplyJournal journal(*db, opts.plan);
  RC_ASSIGN(auto entries, journal.entries());
  if (entries.empty()) return fail("plan " + quote(opts.plan) + " was never applied in this workspace");
  TextTable table({"STATE", "UPDATED", "ATTEMPTS", "ACTION", "DETAIL"});
  for (const auto& e : entries) {
    table.add({e.state, format_iso8601(e.updated_at), std::to_string(e.attempts), terminal_safe(e.action),
               terminal_safe(e.last_error)});
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
  auto* scans = cmd->add_flag("--scans", opts->scans, "list past scans instead of snapshots");
  auto* applies = cmd->add_flag("--applies", opts->applies, "list the plans applied, with their actions' outcomes");
  auto* plan = cmd->add_option("--plan", opts->plan, "show what apply did with each action of this plan");
  scans->excludes(applies)->excludes(plan);
  applies->excludes(plan);
  cmd->callback([&ctx, opts] {
    Result<void> r = opts->scans     ? print_scan_history(ctx, opts->limit)
                     : opts->applies ? run_applies(ctx, *opts)
                     : !opts->plan.empty() ? run_plan(ctx, *opts)
                                           : run_snapshots(ctx, *opts);
    if (!r) ctx.report(r.error());
  });
}

}  // namespace rollcall::cli
