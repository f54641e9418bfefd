// rollcall snapshot [--system NAME]...: reads each configured system into a new snapshot.
#include <chrono>
#include <cstdio>

#include "connectors/api/snapshot_runner.hpp"
#include "scanner/cli/context.hpp"
#include "scanner/cli/format.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::cli {
namespace {

struct SnapshotOptions {
  std::vector<std::string> systems;
};

// Draws "  github: 120,000 accounts, 1,234,567 grants" on one terminal line, at most 10 times
// per second.
class ProgressLine {
 public:
  ProgressLine(bool enabled, std::string system) : enabled_(enabled), system_(std::move(system)) {}
  ~ProgressLine() { clear(); }
  void update(std::int64_t accounts, std::int64_t grants) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    std::fprintf(stderr, "\r\033[K  %s: %s accounts, %s grants", system_.c_str(),
                 thousands(accounts).c_str(), thousands(grants).c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
  void clear() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
    drawn_ = false;
  }

 private:
  bool enabled_;
  std::string system_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

Result<void> run(Context& ctx, const SnapshotOptions& opts) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  std::vector<const config::SystemConfig*> selected;
  for (const auto& name : opts.systems) {
    const config::SystemConfig* sys = cfg.find_system(name);
    if (sys == nullptr) {
      std::vector<std::string> names;
      for (const auto& s : cfg.systems) names.push_back(s.name);
      std::string guess = closest_match(name, names);
      return fail("no system named " + quote(name) + " in " + cfg.file.filename().string() +
                  (guess.empty() ? "" : " (did you mean " + quote(guess) + "?)"));
    }
    selected.push_back(sys);
  }
  if (opts.systems.empty()) {
    for (const auto& s : cfg.systems) selected.push_back(&s);
  }
  if (selected.empty()) return fail(cfg.file.filename().string() + ": no [[system]] configured");

  RC_ASSIGN(auto db, ctx.open_database(cfg));
  store::SnapshotStore store(*db);
  connectors::ConnectorEnv env{*ctx.secrets, *ctx.log, *ctx.clock, cfg.dir};
  env.http = ctx.http;

  int failures = 0;
  for (const config::SystemConfig* sys : selected) {
    auto t0 = std::chrono::steady_clock::now();
    ProgressLine progress(ctx.interactive(), sys->name);
    auto outcome = connectors::take_snapshot(
        *sys, ctx.registry, env, store,
        [&](std::int64_t accounts, std::int64_t grants) { progress.update(accounts, grants); });
    progress.clear();
    if (!outcome) return outcome.context("system " + quote(sys->name));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const store::SnapshotInfo& info = outcome->info;
    if (outcome->error) {
      ++failures;
      ctx.log->error(outcome->error->message());
      ctx.log->info(sys->name + ": snapshot #" + std::to_string(info.id) + " recorded as " +
                    std::string(to_string(info.status)) + "; the previous snapshot stays in use "
                    "and the scan will report this system as incomplete");
      continue;
    }
    std::string what = info.unchanged()
                           ? "unchanged since snapshot #" + std::to_string(info.data_id) + ", no data stored"
                           : "complete";
    ctx.out(sys->name + ": snapshot #" + std::to_string(info.id) + " " + what + ": " +
                  thousands(info.accounts) + " accounts, " + thousands(info.entitlements) +
                  " entitlements, " + thousands(info.grants) + " grants (digest " +
                  info.digest.substr(0, 12) + ", " + seconds(secs) + ")");
  }
  if (failures > 0) {
    return fail(std::to_string(failures) + " of " + std::to_string(selected.size()) +
                " systems could not be read completely");
  }
  return {};
}

}  // namespace

void add_snapshot_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<SnapshotOptions>();
  CLI::App* cmd = app.add_subcommand("snapshot", "read current access from the configured systems");
  cmd->add_option("--system,-s", opts->systems, "only this system (repeatable)");
  cmd->callback([&ctx, opts] {
    if (auto r = run(ctx, *opts); !r) ctx.report(r.error());
  });
}

}  // namespace rollcall::cli
