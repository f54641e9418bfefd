// rollcall scan [--fail-on SEVERITY|none] [--format json,html,csv] [--out DIR] [--owner TEAM]...:
// evaluates the policies against the latest snapshots, stores the scan, writes the reports and
// prints a one-screen summary. Exit code 2 when an open finding is at or above --fail-on
// (default "high", like oscap and Powerpipe; "none" opts out). --owner narrows the reports, the
// summary and the exit code to the findings routed to those teams; the stored scan is whole.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "policies/engine/policy.hpp"
#include "reports/output.hpp"
#include "scanner/cli/context.hpp"
#include "scanner/cli/format.hpp"
#include "scanner/cli/safe_text.hpp"
#include "scanner/cli/version.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/drift/history.hpp"
#include "scanner/drift/scan.hpp"
#include "scanner/review/review.hpp"
#include "scanner/roster/roster.hpp"
#include "scanner/roster_sources/roster_sources.hpp"

namespace rollcall::cli {
namespace {

using reports::Severity;

constexpr Severity kSeveritiesHighFirst[] = {Severity::error, Severity::critical, Severity::high,
                                             Severity::medium, Severity::low, Severity::info};
constexpr std::size_t kTopFindings = 10;
constexpr std::size_t kMessageWidth = 100;

// "user@host" of the process, for the report's sign-off block; "" when the system cannot say.
std::string current_user() {
  const passwd* pw = getpwuid(geteuid());
  char host[256] = {};
  if (pw == nullptr || gethostname(host, sizeof host - 1) != 0) return "";
  return std::string(pw->pw_name) + "@" + host;
}

constexpr std::string_view kDefaultFailOn = "high";

struct ScanOptions {
  std::string fail_on;
  std::vector<std::string> formats;
  std::string out;
  std::vector<std::string> owners;
  bool full = false;  // --full: reuse nothing from the previous scan
};

// What the command line and the [scan] section ask for, validated.
struct Settings {
  std::optional<Severity> fail_on;
  std::vector<const reports::Format*> formats;
  std::filesystem::path out;
};

Result<Settings> settings(const ScanOptions& opts, const config::WorkspaceConfig& cfg) {
  Settings s;
  const config::Table* section = cfg.sections.count("scan") ? &cfg.sections.at("scan") : nullptr;
  std::string fail_on = opts.fail_on;
  std::string fail_on_where = "--fail-on";
  if (fail_on.empty() && section && section->string("fail_on")) {
    fail_on = *section->string("fail_on");
    fail_on_where = section->where("fail_on") + ": fail_on";
  }
  if (fail_on.empty()) fail_on = kDefaultFailOn;
  if (fail_on != "none") {
    s.fail_on = reports::parse_severity(fail_on);
    if (!s.fail_on) {
      return fail(fail_on_where + ": " + quote(fail_on) +
                  " is not one of info, low, medium, high, critical, error, none");
    }
  }
  std::vector<std::string> formats = opts.formats;
  std::string formats_where = "--format";
  if (formats.empty() && section && section->list("formats")) {
    formats = *section->list("formats");
    formats_where = section->where("formats") + ": formats";
  }
  if (formats.empty()) formats = {"json", "html", "csv"};
  for (const auto& name : formats) {
    const reports::Format* f = reports::find_format(name);
    if (f == nullptr) return fail(formats_where + ": unknown report format " + quote(name) + " (json, html, csv or sarif)");
    if (std::find(s.formats.begin(), s.formats.end(), f) == s.formats.end()) s.formats.push_back(f);
  }
  s.out = (opts.out.empty() ? cfg.reports_dir : std::filesystem::absolute(opts.out)).lexically_normal();
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}


// The one-screen summary: totals, a system x severity table of open findings, the top findings.
std::string summary(const reports::Report& r, const std::filesystem::path& out,
                    const std::vector<std::string>& written) {
  const auto& m = r.summary;
  std::int64_t incomplete = 0;
  for (const auto& s : r.systems) incomplete += s.status != "complete";
  std::string text = "Scan #" + std::to_string(r.scan_id) + ": " + thousands(r.people) + " people, " +
                     std::to_string(r.systems.size()) + (r.systems.size() == 1 ? " system" : " systems") +
                     (incomplete ? " (" + std::to_string(incomplete) + " incomplete)" : "") + ", " +
                     thousands(m.open) + " open findings (" + thousands(m.new_) + " new), " +
                     thousands(m.excepted) + " excepted, " + thousands(m.resolved) + " resolved\n\n";

  std::map<std::string, std::map<Severity, std::int64_t>> counts;
  for (const auto& s : r.systems) counts[s.name];
  for (const auto& f : r.findings) {
    if (f.status != reports::FindingStatus::excepted) ++counts[f.system][f.severity];
  }
  std::vector<std::string> header = {"SYSTEM", "STATUS"};
  for (Severity s : kSeveritiesHighFirst) header.push_back(upper(to_string(s)));
  header.push_back("OPEN");
  TextTable table(header);
  std::map<Severity, std::int64_t> total;
  for (const auto& [system, by] : counts) {
    std::string status = "-";
    for (const auto& s : r.systems) {
      if (s.name == system) status = s.status;
    }
    std::vector<std::string> row = {system.empty() ? "-" : system, status};
    std::int64_t open = 0;
    for (Severity s : kSeveritiesHighFirst) {
      auto it = by.find(s);
      std::int64_t n = it == by.end() ? 0 : it->second;
      row.push_back(thousands(n));
      open += n;
      total[s] += n;
    }
    row.push_back(thousands(open));
    table.add(row);
  }
  std::vector<std::string> row = {"TOTAL", ""};
  for (Severity s : kSeveritiesHighFirst) row.push_back(thousands(total[s]));
  row.push_back(thousands(m.open));
  table.add(row);
  for (const auto& line : split(table.str(), '\n')) {
    if (!line.empty()) text += "  " + line + "\n";
  }

  std::vector<const reports::Finding*> top;
  for (const auto& f : r.findings) {
    if (f.status == reports::FindingStatus::excepted) continue;
    if (top.size() == kTopFindings) break;
    top.push_back(&f);
  }
  if (!top.empty()) {
    text += "\nTop findings" + (m.open > static_cast<std::int64_t>(top.size())
                                    ? " (" + std::to_string(top.size()) + " of " + thousands(m.open) + ")"
                                    : std::string()) + ":\n";
    TextTable list({"SEVERITY", "KIND", "SYSTEM", "STATUS", "WHAT"});
    for (const auto* f : top) {
      list.add({std::string(to_string(f->severity)), f->kind, f->system.empty() ? "-" : f->system,
                std::string(to_string(f->status)), terminal_safe(f->message, kMessageWidth)});
    }
    for (const auto& line : split(list.str(), '\n')) {
      if (!line.empty()) text += "  " + line + "\n";
    }
  }
  if (!written.empty()) text += "\nReports in " + out.string() + ": " + join(written, ", ") + "\n";
  text.pop_back();
  return text;
}

Result<int> run(Context& ctx, const ScanOptions& opts) {
  RC_ASSIGN(config::WorkspaceConfig cfg, ctx.load_config());
  RC_ASSIGN(Settings s, settings(opts, cfg));
  RC_ASSIGN(auto db, ctx.open_database(cfg));
  connectors::ConnectorEnv env{*ctx.secrets, *ctx.log, *ctx.clock, cfg.dir};
  env.http = ctx.http;
  RC_ASSIGN(roster::Roster roster, roster_sources::load_roster(cfg.roster, env));
  std::vector<std::string> systems;
  for (const auto& sys : cfg.systems) systems.push_back(sys.name);
  RC_ASSIGN(auto policy, policy::PolicyEngine::load(cfg.policies_dir, cfg.dir, systems, roster, ctx.clock->now()));
  for (const auto& w : policy->warnings()) ctx.log->warn(terminal_safe_lines(w));

  drift::ScanInputs inputs{cfg, roster, *policy, *db, *ctx.clock, std::string(kVersion)};
  inputs.reuse = !opts.full;
  // On a terminal, once the scan has taken a second, each phase replaces the line before.
  const bool draw = ctx.interactive();
  const auto started = std::chrono::steady_clock::now();
  bool drawn = false;
  inputs.progress = [&](const std::string& phase) {
    if (!draw || std::chrono::steady_clock::now() - started < std::chrono::seconds(1)) return;
    std::fprintf(stderr, "\r\033[K  scan: %s", phase.c_str());
    std::fflush(stderr);
    drawn = true;
  };
  auto scanned = drift::run_scan(inputs);
  if (drawn) std::fprintf(stderr, "\r\033[K");
  RC_ASSIGN(drift::ScanOutcome outcome, std::move(scanned));
  if (!outcome.reused.empty()) {
    ctx.log->info("scan: reused the previous scan's results for " + std::to_string(outcome.reused.size()) + " of " +
                  std::to_string(cfg.systems.size()) + " systems, unchanged since: " + join(outcome.reused, ", "));
  }
  reports::Report& report = outcome.report;
  report.run_by = current_user();
  RC_ASSIGN(report.reviews, review::review_statuses(*db));
  if (!opts.owners.empty()) {
    auto other = [&](const reports::Finding& f) {
      return std::find(opts.owners.begin(), opts.owners.end(), f.owner) == opts.owners.end();
    };
    std::erase_if(report.findings, other);
    std::erase_if(report.resolved, other);
    report.summary = drift::summarize(report.findings, static_cast<std::int64_t>(report.resolved.size()));
  }
  for (const auto& phase : outcome.phases) {
    ctx.log->debug("scan: " + phase.name + ": " + seconds(phase.time.wall) + " (CPU " + seconds(phase.time.cpu) + ")");
  }

  std::error_code ec;
  std::filesystem::create_directories(s.out, ec);
  if (ec) return fail(s.out.string() + ": cannot create the reports folder: " + ec.message());
  RC_TRY(reports::write_reports(report, s.out, s.formats));
  std::vector<std::string> written;
  for (const auto* f : s.formats) written.emplace_back(f->file);
  ctx.out(summary(report, s.out, written));

  if (s.fail_on) {
    std::int64_t failing = 0;
    for (const auto& f : report.findings) {
      failing += f.status != reports::FindingStatus::excepted && f.severity >= *s.fail_on;
    }
    if (failing > 0) {
      // Said on stderr too, so a quiet scheduled scan (-q, cron) still mails one line.
      ctx.log->error("scan #" + std::to_string(report.scan_id) + ": " + thousands(failing) +
                     " open finding(s) at or above " + std::string(to_string(*s.fail_on)) + " (" +
                     thousands(report.summary.open) + " open in all); reports in " + s.out.string());
      return kExitFindings;
    }
  }
  return kExitOk;
}

}  // namespace

void add_scan_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<ScanOptions>();
  CLI::App* cmd = app.add_subcommand("scan", "compare desired and actual access, store the scan, write reports");
  cmd->add_option("--fail-on", opts->fail_on,
                  "exit 2 when an open finding is at or above this severity "
                  "(info, low, medium, high, critical, error; default high; none: never)");
  cmd->add_option("--owner", opts->owners, "only findings routed to these teams (repeatable)");
  cmd->add_option("--format", opts->formats, "report formats: json, html, csv, sarif (default: json, html, csv)")->delimiter(',');
  cmd->add_option("--out", opts->out, "folder for the reports (default: the workspace's reports folder)");
  cmd->add_flag("--full", opts->full,
                "check every system again instead of reusing the previous scan's results for systems "
                "whose inputs (roster, policies, snapshot, configuration, clock) did not change");
  cmd->callback([&ctx, opts] {
    auto r = run(ctx, *opts);
    if (!r) ctx.report(r.error());
    else ctx.exit_code = *r;
  });
}

}  // namespace rollcall::cli
