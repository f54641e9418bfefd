// rollcall diff SCAN_A SCAN_B: the findings that appeared (+) and disappeared (-) between two
// stored scans, matched by fingerprint.
#include "scanner/cli/context.hpp"
#include "scanner/cli/format.hpp"
#include "scanner/cli/safe_text.hpp"
#include "scanner/drift/history.hpp"
#include "scanner/store/scan_store.hpp"

namespace rollcall::cli {
namespace {

struct DiffOptions {
  std::int64_t a = 0;
  std::int64_t b = 0;
};

Result<void> run(Context& ctx, const DiffOptions& opts) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  RC_ASSIGN(auto db, ctx.read_database(cfg));
  store::ScanStore scans(*db);
  RC_ASSIGN(drift::ScanDiff d, drift::diff_scans(scans, opts.a, opts.b));
  std::string text = "Scan #" + std::to_string(opts.a) + " -> #" + std::to_string(opts.b) + ": " +
                     thousands(static_cast<std::int64_t>(d.added.size())) + " new, " +
                     thousands(static_cast<std::int64_t>(d.resolved.size())) + " resolved";
  if (!d.added.empty() || !d.resolved.empty()) {
    TextTable table({"", "SEVERITY", "KIND", "SYSTEM", "ACCOUNT", "PERSON", "ENTITLEMENT", "FIRST SEEN"});
    for (const auto& [sign, list] : {std::pair{"+", &d.added}, std::pair{"-", &d.resolved}}) {
      for (const auto& f : *list) {
        auto cell = [](const std::string& s) { return s.empty() ? std::string("-") : terminal_safe(s, 60); };
        table.add({sign, std::string(to_string(f.severity)), f.kind, cell(f.system),
                   cell(f.account_login.empty() ? f.account_id : f.account_login), cell(f.person_email),
                   cell(f.entitlement_id), format_date(f.first_seen)});
      }
    }
    text += "\n" + table.str();
    text.pop_back();
  }
  ctx.out(text);
  return {};
}

}  // namespace

void add_diff_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<DiffOptions>();
  CLI::App* cmd = app.add_subcommand("diff", "show the findings new in SCAN_B and resolved since SCAN_A");
  cmd->add_option("SCAN_A", opts->a, "the earlier scan id (see `rollcall history --scans`)")->required();
  cmd->add_option("SCAN_B", opts->b, "the later scan id")->required();
  cmd->callback([&ctx, opts] {
    if (auto r = run(ctx, *opts); !r) ctx.report(r.error());
  });
}

}  // namespace rollcall::cli
