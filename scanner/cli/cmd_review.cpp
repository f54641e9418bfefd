// rollcall review export --by manager [--system NAME]... --out DIR: one sheet per manager (CSV
// to fill in, HTML to read) listing each direct report's accounts and grants.
// rollcall review import DIR [--reviewer NAME]: records the decisions of the filled-in CSVs,
// all or nothing. `rollcall plan --from-review` then plans the revocations.
#include <filesystem>
#include <fstream>

#include "policies/engine/policy.hpp"
#include "scanner/cli/context.hpp"
#include "scanner/cli/safe_text.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/review/review.hpp"
#include "scanner/roster_sources/roster_sources.hpp"
#include "scanner/store/review_store.hpp"

namespace rollcall::cli {
namespace {

struct ExportOptions {
  std::string by = "manager";
  std::vector<std::string> systems;
  std::string out;
};

Result<void> write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f || !(f << text) || !f.flush()) return fail(path.string() + ": cannot write");
  return {};
}

Result<void> run_export(Context& ctx, const ExportOptions& opts) {
  if (opts.by != "manager") return fail("--by " + quote(opts.by) + ": only \"manager\" is supported");
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  connectors::ConnectorEnv env{*ctx.secrets, *ctx.log, *ctx.clock, cfg.dir};
  env.http = ctx.http;
  RC_ASSIGN(roster::Roster roster, roster_sources::load_roster(cfg.roster, env));
  roster.index();
  std::vector<std::string> systems;
  for (const auto& s : cfg.systems) systems.push_back(s.name);
  const UnixTime now = ctx.clock->now();
  RC_ASSIGN(auto engine, policy::PolicyEngine::load(cfg.policies_dir, cfg.dir, systems, roster, now));
  RC_ASSIGN(auto db, ctx.open_database(cfg));
  RC_ASSIGN(review::Campaign c, review::build_campaign({cfg, roster, *engine, *db, now, opts.systems}));

  const std::filesystem::path out = std::filesystem::absolute(opts.out).lexically_normal();
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) return fail(out.string() + ": cannot create: " + ec.message());
  std::size_t rows = 0;
  for (const auto& sheet : c.sheets) {
    const std::string name = review::sheet_name(sheet.manager);
    RC_TRY(write_file(out / (name + ".csv"), review::sheet_csv(sheet)));
    RC_TRY(write_file(out / (name + ".html"), review::sheet_html(sheet, c.scan_id, now)));
    rows += sheet.rows.size();
  }
  store::ReviewStore reviews(*db);
  RC_TRY(reviews.save_rows(review::row_records(c, now)));
  if (!c.skipped_systems.empty())
    ctx.log->warn("not in the review (no complete snapshot in scan #" + std::to_string(c.scan_id) +
                  "): " + join(c.skipped_systems, ", "));
  ctx.out("Access review from scan #" + std::to_string(c.scan_id) + ": " + std::to_string(c.sheets.size()) +
          " manager sheet(s), " + std::to_string(rows) + " row(s), written to " + out.string());
  return {};
}

Result<void> run_import(Context& ctx, const std::string& dir, const std::string& reviewer) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  RC_ASSIGN(auto db, ctx.open_database(cfg));
  store::ReviewStore reviews(*db);
  RC_ASSIGN(auto rows, reviews.rows());
  if (rows.empty()) return fail("no access review exported yet: run `rollcall review export` first");
  RC_ASSIGN(auto decisions, review::read_decisions(dir, rows, reviewer, ctx.clock->now()));
  RC_TRY(reviews.record(decisions));
  std::size_t revoke = 0;
  for (const auto& d : decisions) revoke += d.decision == "revoke";
  ctx.out("Recorded " + std::to_string(decisions.size()) + " decision(s): " + std::to_string(decisions.size() - revoke) +
          " keep, " + std::to_string(revoke) + " revoke. `rollcall plan --from-review` plans the revocations.");
  return {};
}

}  // namespace

void add_review_command(CLI::App& app, Context& ctx) {
  CLI::App* cmd = app.add_subcommand("review", "access reviews: sheets per manager, and their decisions");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<ExportOptions>();
  CLI::App* exp = cmd->add_subcommand("export", "one CSV and one HTML sheet per manager for their direct reports");
  exp->add_option("--by", opts->by, "who reviews: manager (the roster's manager_email)");
  exp->add_option("--system", opts->systems, "only these systems (repeatable)");
  exp->add_option("--out", opts->out, "folder for the sheets")->required();
  exp->callback([&ctx, opts] {
    if (auto r = run_export(ctx, *opts); !r) ctx.report(r.error());
  });
  auto dir = std::make_shared<std::string>();
  auto reviewer = std::make_shared<std::string>();
  CLI::App* imp = cmd->add_subcommand("import", "record the decisions of filled-in sheets (all or nothing)");
  imp->add_option("dir", *dir, "folder of filled-in CSV sheets")->required();
  imp->add_option("--reviewer", *reviewer, "who decided (default: each sheet's manager)");
  imp->callback([&ctx, dir, reviewer] {
    if (auto r = run_import(ctx, *dir, *reviewer); !r) ctx.report(r.error());
  });
}

}  // namespace rollcall::cli
