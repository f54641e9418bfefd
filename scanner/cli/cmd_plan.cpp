// rollcall plan [--out FILE] [--system NAME]... [--kind KIND]... [--owner TEAM]...
// [--detailed-exitcode] [--from-review]: the actions that would fix the latest scan's findings, written as
// rollcall.plan/v1 JSON and summarized one line per action. Like terraform: exit 0 on success,
// and with --detailed-exitcode 2 when changes are pending. A selected system the scan could not
// judge is named with its reason and makes the exit code 1: a plan never claims a match for a
// system it did not see. --from-review plans only what access-review "revoke" decisions ask
// for (scanner/review/review.hpp) and lists the decisions it cannot carry out.
#include <filesystem>
#include <fstream>

#include "scanner/cli/context.hpp"
#include "scanner/cli/safe_text.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/plan/plan.hpp"
#include "scanner/review/review.hpp"
#include "scanner/store/review_store.hpp"
#include "scanner/store/scan_store.hpp"

namespace rollcall::cli {
namespace {

struct PlanOptions {
  std::string out;
  std::vector<std::string> systems;
  std::vector<std::string> kinds;
  std::vector<std::string> owners;
  bool detailed_exitcode = false;
  bool from_review = false;
};

Result<void> write_text(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f || !(f << text) || !f.flush()) return fail(path.string() + ": cannot write");
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(path.string() + ": " + ec.message());
  return {};
}

// The findings that access-review revoke decisions act on; the decisions no action carries out
// are listed, those that contradict the policy for its owner.
Result<std::vector<store::FindingRecord>> reviewed_revocations(Context& ctx, store::Database& db,
                                                               const std::vector<store::FindingRecord>& findings) {
  store::ReviewStore reviews(db);
  RC_ASSIGN(auto rows, reviews.rows());
  RC_ASSIGN(auto decisions, reviews.latest_decisions());
  if (decisions.empty()) return fail("--from-review: no review decisions recorded: run `rollcall review import` first");
  review::Revocations r = review::select_revocations(decisions, rows, findings);
  for (const auto& n : r.not_planned) {
    const auto& d = n.decision;
    const std::string what = d.system + " " + d.account_id + (d.entitlement_id.empty() ? "" : " " + d.entitlement_id);
    const std::string to = n.policy_conflict ? "for the policy owner" + (n.owner.empty() ? "" : " " + quote(n.owner)) + ": "
                                             : "not planned: ";
    ctx.log->warn(terminal_safe(to + d.reviewer +
                                " decided to revoke " + what + " (" + d.source + "), but " + n.why));
  }
  return std::move(r.findings);
}

Result<void> run(Context& ctx, const PlanOptions& opts) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  for (const auto& s : opts.systems) {
    if (!cfg.find_system(s)) return fail("--system " + quote(s) + ": no such system in rollcall.toml");
  }
  RC_ASSIGN(auto db, ctx.open_database(cfg));
  store::ScanStore scans(*db);
  RC_ASSIGN(auto scan, scans.latest());
  if (!scan) return fail("no scan stored yet: run `rollcall scan` first");
  RC_ASSIGN(auto findings, scans.findings(scan->id));
  if (opts.from_review) {
    RC_ASSIGN(auto reviewed, reviewed_revocations(ctx, *db, findings));
    findings = std::move(reviewed);
  }
  RC_ASSIGN(plan::Plan p, plan::build_plan(*scan, findings, {opts.systems, opts.kinds, opts.owners},
                                           format_iso8601(ctx.clock->now())));
  const std::filesystem::path out =
      (opts.out.empty() ? cfg.dir / "rollcall.plan.json" : std::filesystem::absolute(opts.out)).lexically_normal();
  RC_TRY(write_text(out, plan::to_json(p)));

  std::string text = "Plan " + p.id + " from scan #" + std::to_string(scan->id) + ":";
  std::size_t destructive = 0;
  for (const auto& a : p.actions) {
    text += "\n  " + terminal_safe(plan::describe(a));
    destructive += a.destructive ? 1 : 0;
  }
  text += "\n" + std::to_string(p.actions.size()) + " action(s), " + std::to_string(destructive) +
          " destructive. Written to " + out.string();
  if (p.actions.empty()) {
    text = p.skipped_systems.empty() ? "No changes: the systems match the desired access."
                                     : "No changes for the systems the scan judged.";
    text += " Plan " + p.id + " written to " + out.string();
  }
  ctx.out(text);
  if (!p.skipped_systems.empty()) {
    std::string names;
    for (const auto& s : p.skipped_systems) {
      if (!names.empty()) names += "; ";
      names += terminal_safe(s.system) + " (" + plan::skip_reason(s.status) + ")";
    }
    ctx.report(Error(std::to_string(p.skipped_systems.size()) + " selected system(s) not judged, nothing planned " +
                     "for them: " + names));
    return {};
  }
  if (!p.actions.empty() && opts.detailed_exitcode) ctx.exit_code = kExitFindings;
  return {};
}

}  // namespace

void add_plan_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<PlanOptions>();
  CLI::App* cmd = app.add_subcommand("plan", "write the actions that would fix the latest scan's findings");
  cmd->add_option("--out", opts->out, "plan file (default: <workspace>/rollcall.plan.json)");
  cmd->add_option("--system", opts->systems, "only these systems (repeatable)");
  cmd->add_option("--kind", opts->kinds, "only these action types or finding kinds (repeatable)");
  cmd->add_option("--owner", opts->owners, "only findings routed to these teams (repeatable)");
  cmd->add_flag("--detailed-exitcode", opts->detailed_exitcode,
                "exit 2 when changes are pending, 0 when none (1 on error or an unjudged system)");
  cmd->add_flag("--from-review", opts->from_review,
                "only the revocations access-review decisions ask for (rollcall review import)");
  cmd->callback([&ctx, opts] {
    if (auto r = run(ctx, *opts); !r) ctx.report(r.error());
  });
}

}  // namespace rollcall::cli
