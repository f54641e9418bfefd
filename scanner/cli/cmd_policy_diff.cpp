// rollcall policy diff [--base REF | --base-dir DIR] [--format text|json|markdown]
// [--max-lines N]: what a change to the policies does to desired access (per person, system and
// entitlement, with provenance from both sides) and to the findings against the latest
// snapshots, like `terraform plan`. Exit 0: no change; 2: changes; 1: error.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include "policies/engine/policy.hpp"
#include "scanner/cli/context.hpp"
#include "scanner/cli/safe_text.hpp"
#include "scanner/cli/version.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/drift/scan.hpp"
#include "scanner/preview/git_tree.hpp"
#include "scanner/preview/policy_diff.hpp"
#include "scanner/roster_sources/roster_sources.hpp"

namespace rollcall::cli {
namespace {

struct DiffOptions {
  std::string base = "HEAD";
  std::string base_dir;
  std::string format = "text";
  std::size_t max_lines = 200;
};

// A temporary folder removed when it goes out of scope.
class ScratchDir {
 public:
  static Result<ScratchDir> create() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rollcall-base-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return fail("cannot create a temporary folder for the base policies");
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ScratchDir(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScratchDir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

// The scan's findings under one set of policies, computed in memory: nothing is stored.
Result<reports::Report> findings_under(const config::WorkspaceConfig& cfg, const roster::Roster& roster,
                                       policy::PolicyEngine& engine, store::Database& db, const Clock& clock) {
  drift::ScanInputs in{cfg, roster, engine, db, clock, std::string(kVersion)};
  in.record = false;
  RC_ASSIGN(drift::ScanOutcome outcome, drift::run_scan(in));
  return std::move(outcome.report);
}

Result<preview::PolicyDiff> compute(Context& ctx, const DiffOptions& opts) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  connectors::ConnectorEnv env{*ctx.secrets, *ctx.log, *ctx.clock, cfg.dir};
  env.http = ctx.http;
  RC_ASSIGN(roster::Roster roster, roster_sources::load_roster(cfg.roster, env));
  roster.index();
  std::vector<std::string> systems;
  for (const auto& s : cfg.systems) systems.push_back(s.name);
  const UnixTime now = ctx.clock->now();

  preview::PolicyDiff d;
  std::optional<ScratchDir> scratch;
  std::filesystem::path base_policies, base_workspace;
  if (!opts.base_dir.empty()) {
    base_policies = std::filesystem::absolute(opts.base_dir).lexically_normal();
    if (base_policies.filename().empty()) base_policies = base_policies.parent_path();
    if (!std::filesystem::is_directory(base_policies)) return fail("--base-dir " + opts.base_dir + ": not a folder");
    base_workspace = base_policies.parent_path();
    d.base_label = opts.base_dir;
  } else {
    RC_ASSIGN(ScratchDir dir, ScratchDir::create());
    scratch.emplace(std::move(dir));
    RC_TRY(preview::export_git_folder(cfg.dir, cfg.policies_dir, opts.base, scratch->path()));
    base_workspace = scratch->path();
    base_policies = base_workspace / cfg.policies_dir.lexically_relative(cfg.dir);
    d.base_label = opts.base;
  }
  d.head_label = "working tree";
  auto base = policy::PolicyEngine::load(base_policies, base_workspace, systems, roster, now);
  if (!base) return base.context("base policies (" + d.base_label + ")");
  RC_ASSIGN(auto head, policy::PolicyEngine::load(cfg.policies_dir, cfg.dir, systems, roster, now));
  d.base_digest = (*base)->digest();
  d.head_digest = head->digest();
  d.people = roster.people.size();
  if (d.base_digest == d.head_digest) {  // the same files: nothing to evaluate
    d.findings_note = "the base and working-tree policy files are identical";
    return d;
  }
  RC_ASSIGN(d.access, preview::diff_access(roster, **base, *head));

  std::error_code ec;
  if (!std::filesystem::exists(cfg.database, ec)) {
    d.findings_note = "no snapshot taken yet (run `rollcall snapshot`)";
    return d;
  }
  // A preview compares the two sides on the latest complete snapshots however old they are (a
  // CI job restores them from the last nightly run): staleness is the scan's judgement.
  config::WorkspaceConfig latest = cfg;
  for (auto& s : latest.systems) s.max_snapshot_age_s.reset();
  // The two sides share nothing but read-only inputs: the base side runs on a thread of its
  // own, with its own engine and database connection.
  RC_ASSIGN(auto db, ctx.read_database(cfg));
  RC_ASSIGN(auto base_db, ctx.read_database(cfg));
  std::optional<Result<reports::Report>> before;
  std::thread base_side([&] { before.emplace(findings_under(latest, roster, **base, *base_db, *ctx.clock)); });
  auto after_result = findings_under(latest, roster, *head, *db, *ctx.clock);
  base_side.join();
  if (!*before) return before->context("base policies (" + d.base_label + ")");
  RC_ASSIGN(reports::Report after, std::move(after_result));
  for (const auto& s : after.systems) {
    if (s.status != "complete") d.incomplete_systems.push_back(s.name);
  }
  d.findings_compared = true;
  d.findings = preview::diff_findings((*before)->findings, after.findings);
  return d;
}

Result<int> run(Context& ctx, const DiffOptions& opts) {
  if (opts.format != "text" && opts.format != "json" && opts.format != "markdown")
    return fail("--format " + quote(opts.format) + ": not one of text, json, markdown");
  RC_ASSIGN(preview::PolicyDiff d, compute(ctx, opts));
  if (opts.format == "text") {
    ctx.out(terminal_safe_lines(preview::to_text(d, opts.max_lines)));
  } else {
    const std::string text = opts.format == "json" ? preview::to_json(d) : preview::to_markdown(d, opts.max_lines);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
  return d.changed() ? kExitFindings : kExitOk;
}

}  // namespace

void add_policy_diff_command(CLI::App& policy, Context& ctx) {
  auto opts = std::make_shared<DiffOptions>();
  CLI::App* cmd = policy.add_subcommand(
      "diff", "who gains or loses what under the changed policies, and the findings that would change");
  auto* base = cmd->add_option("--base", opts->base, "git revision holding the base policies (default HEAD)");
  cmd->add_option("--base-dir", opts->base_dir, "folder holding the base policies (instead of --base)")
      ->excludes(base);
  cmd->add_option("--format", opts->format, "text, json or markdown (a pull-request comment)");
  cmd->add_option("--max-lines", opts->max_lines, "cap on change lines in text and markdown (0: no cap)");
  cmd->callback([&ctx, opts] {
    auto r = run(ctx, *opts);
    if (!r) ctx.report(r.error());
    else ctx.exit_code = *r;
  });
}

}  // namespace rollcall::cli
