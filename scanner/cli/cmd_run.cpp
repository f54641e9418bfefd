// rollcall run [--fail-on SEVERITY]: the one command for schedulers. Under a workspace lock it
// snapshots every system, scans, writes the reports, notifies the [[notify]] targets and, with
// [run] self_heal = true, applies the additive actions of the plan (grant, create_account,
// enable_account) through the same apply and guards as `rollcall apply`, while the destructive
// ones are only planned (rollcall.plan.json) for review. Every run ends with one line saying
// whether it changed anything. Exit code: the scan's (2 at/above --fail-on), 3 when the
// self-healing apply was incomplete, 1 on an error.
//
// A second run while one holds the lock exits at once with a message and code 1: a scheduler
// starts the next one on time, and two runs never interleave.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "connectors/api/snapshot_runner.hpp"
#include "policies/engine/policy.hpp"
#include "reports/output.hpp"
#include "scanner/cli/apply_support.hpp"
#include "scanner/cli/context.hpp"
#include "scanner/cli/format.hpp"
#include "scanner/cli/safe_text.hpp"
#include "scanner/cli/version.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/drift/scan.hpp"
#include "scanner/notify/notify.hpp"
#include "scanner/review/review.hpp"
#include "scanner/plan/apply.hpp"
#include "scanner/plan/plan.hpp"
#include "scanner/roster/roster.hpp"
#include "scanner/store/scan_store.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::cli {
namespace {

struct RunOptions {
  std::string fail_on;
};

// <workspace>/rollcall.run.lock, held with flock for the whole run; the holder's pid is written
// into it so the refusal can name it.
class RunLock {
 public:
  static Result<std::unique_ptr<RunLock>> acquire(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return fail(path.string() + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      char pid[32] = {};
      const ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
      ::close(fd);
      if (err != EWOULDBLOCK) return fail(path.string() + ": " + std::strerror(err));
      std::string holder = n > 0 ? std::string(trim(std::string(pid, static_cast<std::size_t>(n)))) : "";
      return fail("another `rollcall run` is in progress on this workspace (" + path.string() + " is locked" +
                  (holder.empty() ? "" : " by process " + holder) + "); this run did nothing");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
      const int err = errno;
      ::close(fd);
      return fail(path.string() + ": " + std::strerror(err));
    }
    return std::unique_ptr<RunLock>(new RunLock(fd));
  }
  ~RunLock() { ::close(fd_); }
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

// --fail-on, else [scan] fail_on, else high; "none" never fails.
Result<std::optional<reports::Severity>> threshold(const RunOptions& opts, const config::WorkspaceConfig& cfg) {
  std::string value = opts.fail_on;
  std::string where = "--fail-on";
  if (value.empty() && cfg.sections.count("scan") && cfg.sections.at("scan").string("fail_on")) {
    value = *cfg.sections.at("scan").string("fail_on");
    where = cfg.sections.at("scan").where("fail_on") + ": fail_on";
  }
  if (value.empty()) value = "high";
  if (value == "none") return std::optional<reports::Severity>();
  auto s = reports::parse_severity(value);
  if (!s) {
    return fail(where + ": " + quote(value) + " is not one of info, low, medium, high, critical, error, none");
  }
  return std::optional<reports::Severity>(*s);
}

Result<std::vector<const reports::Format*>> formats(const config::WorkspaceConfig& cfg) {
  std::vector<std::string> names = {"json", "html", "csv"};
  std::string where = "formats";
  if (cfg.sections.count("scan") && cfg.sections.at("scan").list("formats")) {
    names = *cfg.sections.at("scan").list("formats");
    where = cfg.sections.at("scan").where("formats") + ": formats";
  }
  std::vector<const reports::Format*> out;
  for (const auto& n : names) {
    const reports::Format* f = reports::find_format(n);
    if (f == nullptr) return fail(where + ": unknown report format " + quote(n) + " (json, html, csv or sarif)");
    out.push_back(f);
  }
  return out;
}

// Snapshots every system; a system that cannot be read is logged and counted (the scan reports it
// as incomplete). Returns how many failed.
Result<int> snapshot_all(Context& ctx, const config::WorkspaceConfig& cfg, store::Database& db) {
  store::SnapshotStore store(db);
  connectors::ConnectorEnv env{*ctx.secrets, *ctx.log, *ctx.clock, cfg.dir};
  env.http = ctx.http;
  int failures = 0;
  for (const auto& sys : cfg.systems) {
    auto outcome = connectors::take_snapshot(sys, ctx.registry, env, store);
    if (!outcome) return outcome.context("system " + quote(sys.name));
    const store::SnapshotInfo& info = outcome->info;
    if (outcome->error) {
      ++failures;
      ctx.log->error(outcome->error->message());
      continue;
    }
    ctx.out(sys.name + ": snapshot #" + std::to_string(info.id) +
            (info.unchanged() ? " unchanged" : " complete") + ", " + thousands(info.accounts) + " accounts, " +
            thousands(info.grants) + " grants");
  }
  return failures;
}

struct HealOutcome {
  int changed = 0;
  bool incomplete = false;  // a conflict or failure
};

// Plans the latest scan; applies the additive actions (when `heal`), writes the whole plan to
// <workspace>/rollcall.plan.json and lists the destructive actions left for review.
Result<HealOutcome> plan_and_heal(Context& ctx, const config::WorkspaceConfig& cfg, store::Database& db, bool heal) {
  HealOutcome out;
  store::ScanStore scans(db);
  RC_ASSIGN(auto scan, scans.latest());
  if (!scan) return fail("no scan stored after the scan step");
  RC_ASSIGN(auto findings, scans.findings(scan->id));
  const std::string now = format_iso8601(ctx.clock->now());
  RC_ASSIGN(plan::Plan full, plan::build_plan(*scan, findings, {}, now));
  const std::filesystem::path plan_path = cfg.dir / "rollcall.plan.json";
  {
    std::ofstream f(plan_path, std::ios::binary | std::ios::trunc);
    if (!f || !(f << plan::to_json(full)) || !f.flush()) return fail(plan_path.string() + ": cannot write the plan");
  }
  std::vector<const plan::Action*> review;
  for (const auto& a : full.actions) {
    if (a.destructive || !heal) review.push_back(&a);
  }
  if (!review.empty()) {
    std::string text = "Review: " + std::to_string(review.size()) + " action(s) planned and not applied (plan " +
                       full.id + " in " + plan_path.string() + "; `rollcall apply` it after review):";
    for (const auto* a : review) text += "\n  " + terminal_safe(plan::describe(*a));
    ctx.out(text);
  }
  if (!heal) return out;

  RC_ASSIGN(plan::Plan additive, plan::build_plan(*scan, findings, {{}, {"grant", "create_account", "enable_account"}}, now));
  if (additive.actions.empty()) {
    ctx.out("Self-heal: nothing to add; no change made");
    return out;
  }
  // The same guards as `rollcall apply`: one apply per workspace, a fresh basis, the blast-radius
  // limits (an additive plan has no destructive action, but the check stays in the path).
  RC_ASSIGN(auto lock, plan::ApplyLock::acquire(cfg.dir / "rollcall.apply.lock"));
  RC_TRY(plan::check_fresh(additive, db));
  RC_ASSIGN(plan::BlastLimits limits, blast_limits(cfg));
  RC_TRY(plan::check_blast_radius(additive, limits, db));
  connectors::ConnectorEnv env{*ctx.secrets, *ctx.log, *ctx.clock, cfg.dir};
  env.http = ctx.http;
  std::map<std::string, std::unique_ptr<connectors::Writer>> writers;
  for (const auto& a : additive.actions) {
    if (!writers.count(a.system)) {
      RC_ASSIGN(writers[a.system], make_writer(ctx, cfg, env, db, a.system));
    }
  }
  auto lookup = [&](const std::string& system) -> Result<connectors::Writer*> { return writers.at(system).get(); };
  std::map<plan::Outcome, int> counts;
  plan::ApplyOptions options;
  options.clock = ctx.clock.get();
  ctx.out("Self-heal: applying plan " + additive.id + " (" + std::to_string(additive.actions.size()) +
          " additive action(s)):");
  RC_TRY(plan::apply_plan(additive, db, lookup, options, [&](const plan::ActionReport& r) {
    ++counts[r.outcome];
    std::string line = "  " + std::string(to_string(r.outcome));
    line.resize(16, ' ');
    line += terminal_safe(plan::describe(*r.action));
    if (!r.detail.empty()) line += ": " + terminal_safe(r.detail);
    ctx.out(line);
  }));
  out.changed = counts[plan::Outcome::done];
  out.incomplete = counts[plan::Outcome::conflict] + counts[plan::Outcome::failed] > 0;
  ctx.out("Self-heal: " + std::to_string(out.changed) + " changed, " + std::to_string(counts[plan::Outcome::noop]) +
          " no-op, " + std::to_string(counts[plan::Outcome::conflict]) + " conflict, " +
          std::to_string(counts[plan::Outcome::failed]) + " failed");
  return out;
}

Result<int> run(Context& ctx, const RunOptions& opts) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  RC_ASSIGN(auto fail_on, threshold(opts, cfg));
  RC_ASSIGN(auto report_formats, formats(cfg));
  RC_ASSIGN(auto targets, notify::read_targets(cfg.notify, *ctx.secrets, cfg.dir));
  const config::Table run_section = cfg.sections.count("run") ? cfg.sections.at("run") : config::Table();
  const bool heal = run_section.boolean("self_heal").value_or(false);
  const bool notify_errors_fail = run_section.boolean("fail_on_notify_error").value_or(false);
  if (cfg.systems.empty()) return fail(cfg.file.filename().string() + ": no [[system]] configured");

  RC_ASSIGN(auto lock, RunLock::acquire(cfg.dir / "rollcall.run.lock"));
  RC_ASSIGN(auto db, ctx.open_database(cfg));
  RC_ASSIGN(int unreadable, snapshot_all(ctx, cfg, *db));

  RC_ASSIGN(roster::Roster roster, roster::load_roster(cfg.roster));
  std::vector<std::string> systems;
  for (const auto& sys : cfg.systems) systems.push_back(sys.name);
  RC_ASSIGN(auto policy, policy::PolicyEngine::load(cfg.policies_dir, cfg.dir, systems, roster, ctx.clock->now()));
  for (const auto& w : policy->warnings()) ctx.log->warn(w);
  RC_ASSIGN(drift::ScanOutcome outcome, drift::run_scan({cfg, roster, *policy, *db, *ctx.clock, std::string(kVersion)}));
  RC_ASSIGN(outcome.report.reviews, review::review_statuses(*db));
  const reports::Report& report = outcome.report;
  std::error_code ec;
  std::filesystem::create_directories(cfg.reports_dir, ec);
  if (ec) return fail(cfg.reports_dir.string() + ": cannot create the reports folder: " + ec.message());
  RC_TRY(reports::write_reports(report, cfg.reports_dir, report_formats));
  const std::filesystem::path main_report = cfg.reports_dir / std::string(report_formats.front()->file);
  ctx.out("Scan #" + std::to_string(report.scan_id) + ": " + thousands(report.summary.open) + " open findings (" +
          thousands(report.summary.new_) + " new), " + thousands(report.summary.resolved) + " resolved; reports in " +
          cfg.reports_dir.string());

  int code = kExitOk;
  if (fail_on) {
    for (const auto& f : report.findings) {
      if (f.status != reports::FindingStatus::excepted && f.severity >= *fail_on) code = kExitFindings;
    }
  }

  bool notify_failed = false;
  if (!targets.empty()) {
    for (const auto& d : notify::send_all(report, targets, main_report.string(), *ctx.http, *ctx.log, *ctx.clock)) {
      if (!d.error.empty()) notify_failed = true;
      else if (!d.sent) ctx.log->info("notify " + quote(d.target) + ": nothing new at or above its threshold");
    }
  }

  RC_ASSIGN(HealOutcome healed, plan_and_heal(ctx, cfg, *db, heal));
  if (healed.changed > 0) {
    ctx.out("Run changed " + std::to_string(healed.changed) + " thing(s) in the target systems");
  } else {
    ctx.out(std::string("Run made no change") + (heal ? " (no-op)" : " (self_heal is off: nothing is applied)"));
  }

  if (unreadable > 0) {
    ctx.log->error(std::to_string(unreadable) + " of " + std::to_string(cfg.systems.size()) +
                   " systems could not be read completely; the scan reports them as incomplete");
    return kExitError;
  }
  if (notify_failed && notify_errors_fail) {
    ctx.log->error("a notification could not be delivered ([run] fail_on_notify_error = true)");
    return kExitError;
  }
  if (healed.incomplete) return kExitApplyIncomplete;
  return code;
}

}  // namespace

void add_run_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "for schedulers: snapshot, scan, report, notify and (if configured) self-heal, under a lock");
  cmd->add_option("--fail-on", opts->fail_on,
                  "exit 2 when an open finding is at or above this severity (default: [scan] fail_on, else high; "
                  "none: never)")
      ->option_text("SEVERITY");
  cmd->callback([&ctx, opts] {
    auto r = run(ctx, *opts);
    if (!r) ctx.report(r.error());
    else ctx.exit_code = *r;
  });
}

}  // namespace rollcall::cli
