// rollcall apply PLAN [--dry-run] [--yes] [--force-stale] [--allow-destructive]: executes a
// plan safely (scanner/plan/apply.hpp): fresh basis, one apply per workspace, blast-radius
// limits, confirmation, read-before-act per action, journaled. Exit code 3 when an action
// conflicted or failed.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "scanner/cli/apply_support.hpp"
#include "scanner/cli/context.hpp"
#include "scanner/cli/safe_text.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/plan/apply.hpp"
#include "scanner/plan/ticket_writer.hpp"

namespace rollcall::cli {
namespace {

struct ApplyCliOptions {
  std::string plan;
  bool dry_run = false;
  bool yes = false;
  bool force_stale = false;
  bool allow_destructive = false;
};

Result<plan::Plan> read_plan(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(path + ": cannot read the plan file");
  std::stringstream text;
  text << in.rdbuf();
  auto p = plan::parse_plan(text.str());
  if (!p) return p.context(path);
  return p;
}

Result<bool> confirm(const plan::Plan& p, const ApplyCliOptions& opts) {
  if (opts.dry_run || opts.yes) return true;
  if (!::isatty(STDIN_FILENO)) {
    return fail("apply needs confirmation: pass --yes (standard input is not a terminal)");
  }
  // Like `terraform apply`: show what will be done, then ask.
  std::size_t destructive = 0;
  for (const auto& a : p.actions) {
    std::cerr << "  " << terminal_safe(plan::describe(a)) << "\n";
    destructive += plan::destructive(a.type) ? 1 : 0;
  }
  std::cerr << "Apply " << p.actions.size() << " action(s) of plan " << p.id << " (" << destructive
            << " destructive)? Type yes to continue: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return trim(answer) == "yes";
}

Result<void> run(Context& ctx, const ApplyCliOptions& opts) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  RC_ASSIGN(plan::Plan p, read_plan(opts.plan));
  RC_ASSIGN(auto db, ctx.open_database(cfg));
  RC_ASSIGN(auto lock, plan::ApplyLock::acquire(cfg.dir / "rollcall.apply.lock"));
  RC_TRY(plan::check_derived(p, *db));  // a plan file is untrusted: no flag skips this
  if (!opts.force_stale) RC_TRY(plan::check_fresh(p, *db));
  std::string refused;  // why a real apply would refuse this plan, shown by a dry run
  if (!opts.allow_destructive) {
    RC_ASSIGN(plan::BlastLimits l, blast_limits(cfg));
    if (auto r = check_blast_radius(p, l, *db); !r) {
      if (!opts.dry_run) return r;
      refused = r.error().message();
    }
  }
  // Every writer is built before anything is asked or done: a system that cannot be written
  // (bad config, missing credential) stops the apply with nothing changed.
  connectors::ConnectorEnv env{*ctx.secrets, *ctx.log, *ctx.clock, cfg.dir};
  env.http = ctx.http;
  std::map<std::string, std::unique_ptr<connectors::Writer>> writers;
  for (const plan::Action& a : p.actions) {
    if (!writers.count(a.system)) {
      RC_ASSIGN(writers[a.system], make_writer(ctx, cfg, env, *db, a.system));
    }
  }
  auto lookup = [&](const std::string& system) -> Result<connectors::Writer*> { return writers.at(system).get(); };

  RC_ASSIGN(bool go, confirm(p, opts));
  if (!go) {
    ctx.out("Apply cancelled; nothing was changed.");
    return {};
  }

  std::map<plan::Outcome, int> counts;
  auto progress = [&](const plan::ActionReport& r) {
    ++counts[r.outcome];
    std::string line = "  " + std::string(to_string(r.outcome));
    line.resize(16, ' ');
    line += terminal_safe(plan::describe(*r.action));
    if (!r.detail.empty()) line += ": " + terminal_safe(r.detail);
    ctx.out(line);
  };
  plan::ApplyOptions options;
  options.dry_run = opts.dry_run;
  options.clock = ctx.clock.get();
  ctx.out(std::string(opts.dry_run ? "Dry run of plan " : "Applying plan ") + p.id + ":");
  std::vector<std::string> ticketed;
  for (const auto& [system, writer] : writers) {
    if (dynamic_cast<const plan::TicketWriter*>(writer.get()) != nullptr) ticketed.push_back(system);
  }
  if (!ticketed.empty()) {
    ctx.out("  (changes to " + join(ticketed, ", ") + " are filed as tickets in " + (cfg.dir / "tickets").string() +
            "/, not made)");
  }
  RC_ASSIGN(auto reports, plan::apply_plan(p, *db, lookup, options, progress));
  const int bad = counts[plan::Outcome::conflict] + counts[plan::Outcome::failed];
  ctx.out(std::to_string(counts[plan::Outcome::done]) + " changed, " + std::to_string(counts[plan::Outcome::noop]) +
          " no-op, " + (opts.dry_run ? std::to_string(counts[plan::Outcome::would_change]) + " would change, " : "") +
          std::to_string(counts[plan::Outcome::conflict]) + " conflict, " +
          std::to_string(counts[plan::Outcome::failed]) + " failed");
  if (!refused.empty()) {
    // A dry run changes nothing, so it shows the whole plan and exits 0; a real apply would stop.
    ctx.out("Note: `rollcall apply` without --dry-run would refuse this plan: " + terminal_safe(refused));
  }
  if (bad > 0) ctx.exit_code = kExitApplyIncomplete;
  return {};
}

}  // namespace

void add_apply_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<ApplyCliOptions>();
  CLI::App* cmd = app.add_subcommand("apply", "carry out a plan: read each target, act only where needed, journal");
  cmd->add_option("PLAN", opts->plan, "plan file written by `rollcall plan`")->required();
  cmd->add_flag("--dry-run", opts->dry_run, "read the live state and say what would be done; write nothing");
  cmd->add_flag("--yes", opts->yes, "do not ask for confirmation (required when not on a terminal)");
  cmd->add_flag("--force-stale", opts->force_stale, "apply even if the plan's basis is no longer the latest");
  cmd->add_flag("--allow-destructive", opts->allow_destructive, "apply even over the [apply] blast-radius limits");
  cmd->callback([&ctx, opts] {
    if (auto r = run(ctx, *opts); !r) ctx.report(r.error());
  });
}

}  // namespace rollcall::cli
