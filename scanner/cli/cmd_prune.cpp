// rollcall prune --keep 90d [--dry-run]: removes the scans and snapshots older than the window
// that nothing kept still needs, then compacts the database (scanner/store/retention.hpp).
#include <nlohmann/json.hpp>

#include "scanner/cli/context.hpp"
#include "scanner/cli/format.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/store/retention.hpp"

namespace rollcall::cli {
namespace {

struct PruneOptions {
  std::string keep;
  bool dry_run = false;
};

// The snapshot ids in a scan's snapshot list (the drift engine's JSON: [{"snapshot_id": 5, ...}]).
Result<std::vector<std::int64_t>> scan_snapshots(const store::ScanRecord& scan) {
  const auto j = nlohmann::json::parse(scan.snapshots_json, nullptr, false);
  if (!j.is_array()) return fail("scan #" + std::to_string(scan.id) + ": snapshots: not a JSON array");
  std::vector<std::int64_t> out;
  for (const auto& s : j) {
    if (!s.is_object() || !s.contains("snapshot_id")) continue;  // a system missing in that scan
    if (!s["snapshot_id"].is_number_integer()) {
      return fail("scan #" + std::to_string(scan.id) + ": snapshots: snapshot_id is not an integer");
    }
    out.push_back(s["snapshot_id"].get<std::int64_t>());
  }
  return out;
}

std::string megabytes(std::int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

Result<void> run(Context& ctx, const PruneOptions& opts) {
  auto keep = parse_duration(opts.keep);
  if (!keep) return fail("--keep: " + keep.error().message());
  if (*keep <= 0) return fail("--keep: " + quote(opts.keep) + " must be longer than zero");
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  RC_ASSIGN(auto db, ctx.open_database(cfg));
  const UnixTime cutoff = ctx.clock->now() - *keep;
  RC_ASSIGN(store::PruneResult r, store::prune(*db, cutoff, scan_snapshots, opts.dry_run));
  std::string text = std::string(opts.dry_run ? "Would remove " : "Removed ") + thousands(r.scans) + " scan(s) (" +
                     thousands(r.findings) + " findings) and " + thousands(r.snapshots) + " snapshot(s) (" +
                     thousands(r.grants) + " grants) older than " + format_iso8601(cutoff);
  if (!opts.dry_run) text += "; database " + megabytes(r.bytes_before) + " -> " + megabytes(r.bytes_after);
  ctx.out(text);
  return {};
}

}  // namespace

void add_prune_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<PruneOptions>();
  CLI::App* cmd = app.add_subcommand("prune", "remove old scans and snapshots no kept scan needs; compact the store");
  cmd->add_option("--keep", opts->keep, "keep this much history, e.g. 90d, 26h")->required()->option_text("AGE");
  cmd->add_flag("--dry-run", opts->dry_run, "say what would be removed; remove nothing");
  cmd->callback([&ctx, opts] {
    if (auto r = run(ctx, *opts); !r) ctx.report(r.error());
  });
}

}  // namespace rollcall::cli
