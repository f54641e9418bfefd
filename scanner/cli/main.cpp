// rollcall's entry point: global options, then one subcommand. Each subcommand lives in its
// own cmd_<name>.cpp and is added here.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "connectors/http/transport_factory.hpp"
#include "scanner/cli/colour.hpp"
#include "scanner/cli/context.hpp"
#include "scanner/cli/usage.hpp"
#include "scanner/cli/version.hpp"

int main(int argc, char** argv) {
  using namespace rollcall;
  cli::Context ctx;
  connectors::register_builtin_connectors(ctx.registry);
  ctx.clock = std::make_unique<SystemClock>();
  // ROLLCALL_NOW=2026-12-10T06:00:00Z pins "now" (expiries, staleness, dormancy, snapshot and
  // scan times), so a demo or a golden test gives the same findings on any day.
  if (const char* now = std::getenv("ROLLCALL_NOW"); now != nullptr && *now != '\0') {
    auto t = parse_iso8601(now);
    if (!t) {
      std::fprintf(stderr, "rollcall: error: ROLLCALL_NOW: %s\n", t.error().message().c_str());
      return cli::kExitError;
    }
    ctx.clock = std::make_unique<FixedClock>(*t);
  }
  ctx.secrets = std::make_unique<SecretSource>(SecretSource::from_process_env());
  http::CurlTransportFactory http_factory;  // lent to HTTP connectors for the whole run
  ctx.http = &http_factory;

  // Named, so usage lines say `rollcall` and not the path the binary was started by.
  CLI::App app{"rollcall: desired vs actual access, and the drift between them", "rollcall"};
  app.set_version_flag("--version", std::string("rollcall ") + cli::kVersion);
  app.option_defaults()->always_capture_default();
  app.add_option("--workspace,-w", ctx.workspace, "workspace folder")->default_val(".");
  app.add_flag("-v,--verbose", ctx.verbose, "more detail (repeat for more)");
  app.add_flag("-q,--quiet", ctx.quiet, "errors only");
  app.add_flag("--no-color", ctx.no_color, "no colour even on a terminal (so does NO_COLOR=1)");
  app.require_subcommand(1);
  app.fallthrough();

  cli::add_init_command(app, ctx);
  cli::add_snapshot_command(app, ctx);
  cli::add_history_command(app, ctx);
  cli::add_policy_command(app, ctx);
  cli::add_scan_command(app, ctx);
  cli::add_diff_command(app, ctx);
  cli::add_plan_command(app, ctx);
  cli::add_apply_command(app, ctx);
  cli::add_run_command(app, ctx);
  cli::add_prune_command(app, ctx);
  cli::add_review_command(app, ctx);
  cli::add_help_command(app, ctx.exit_code);
  cli::add_help_footers(app);

  // The logger must exist before any callback runs but depends on -v/-q: build it in the
  // pre-callback of the parse.
  app.parse_complete_callback([&] {
    LogLevel level = ctx.quiet ? LogLevel::error : ctx.verbose > 0 ? LogLevel::debug : LogLevel::info;
    ctx.log = std::make_unique<StderrLogger>(level);
    ctx.colour = cli::colour_wanted(STDOUT_FILENO, ctx.no_color);
  });
  if (auto unknown = cli::check_words(app, argc, argv)) {
    std::fputs(unknown->c_str(), stderr);
    return cli::kExitError;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fputs(cli::parse_error_message(app, e, argc, argv).c_str(), stderr);
    return cli::kExitError;
  }
  return ctx.exit_code;
}
