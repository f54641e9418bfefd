// rollcall init [DIR]: scaffolds a workspace that works at once: `rollcall snapshot` reads its
// sample file export, and `rollcall scan` compares it with the sample roster and policy.
#include <filesystem>
#include <fstream>

#include "scanner/cli/context.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::cli {
namespace {

constexpr const char* kConfig = R"(# rollcall workspace configuration. Reference: docs/configuration.md.

# The HR roster: who exists, their roles and status. type: csv, json, airtable or sql
# (an Airtable table or a SQL query instead of a file: see docs/roster.md).
[roster]
type = "csv"
path = "roster.csv"
# Map the roster fields to your HRIS export's headers when they differ:
# [roster.columns]
# email = "Work Email"
# role = "Job Role"

# One [[system]] per target system. Secrets are given by reference only
# (token_env / token_file, password_env / password_file), never inline.
[[system]]
name = "app"
type = "file"              # an export on disk: JSON, or a folder of CSVs
path = "exports/app.json"
max_snapshot_age = "26h"   # older snapshots make the system "incomplete" in a scan
owner = "team-it"          # findings no policy owner decided are routed to this team

# [[system]]
# name = "github"
# type = "github"
# org = "acme"
# token_env = "GITHUB_TOKEN"
# apply_via = "tickets"    # `rollcall apply` files changes as tickets instead of using the API
# Okta (type = "okta", base_url, token_env or client_id + private_key_file): docs/connectors/okta.md
# AWS IAM (type = "aws-iam", access_key_id_env + secret_access_key_env or AWS_PROFILE): docs/connectors/aws-iam.md

# [[system]]               # docs/connectors/jira.md
# name = "jira"
# type = "jira"
# base_url = "https://acme.atlassian.net"
# email = "rollcall@acme.com"
# api_token_env = "JIRA_API_TOKEN"
# projects = ["ENG"]

# [[system]]               # Microsoft Entra ID: docs/connectors/entra.md
# name = "entra"
# type = "entra"
# tenant = "acme.onmicrosoft.com"
# client_id = "00000000-0000-0000-0000-000000000000"
# client_secret_env = "ENTRA_CLIENT_SECRET"

# `rollcall scan` exits 2 when an open finding is at or above this severity, so schedulers and
# CI notice; "none" never fails on findings. `--fail-on` overrides it.
[scan]
fail_on = "high"

# Limits of `rollcall apply` (docs/plan-apply.md):
# [apply]
# max_destructive = 25           # refuse plans with more destructive actions than this
# max_destructive_share = "10%"  # ... or that remove more than this share of a system's accounts
)";

constexpr const char* kRoster =
    "employee_id,email,name,department,title,role,status,manager_email,start_date,end_date\n"
    "E1001,jane.doe@example.com,Jane Doe,Engineering,Staff Engineer,engineer;admin,active,,2021-03-01,\n"
    "E1002,raj.patel@example.com,Raj Patel,Engineering,Engineer,engineer,active,jane.doe@example.com,2023-06-12,\n"
    "E1003,lee.wong@example.com,Lee Wong,Sales,Account Executive,,terminated,,2020-01-06,2026-09-30\n";

constexpr const char* kExport = R"({
  "accounts": [
    { "id": "u-1", "login": "jdoe", "email": "jane.doe@example.com", "display_name": "Jane Doe",
      "last_login": "2026-10-01T12:00:00Z" },
    { "id": "u-2", "login": "rpatel", "email": "raj.patel@example.com", "display_name": "Raj Patel" },
    { "id": "u-3", "login": "lwong", "email": "lee.wong@example.com", "display_name": "Lee Wong" },
    { "id": "u-4", "login": "deploy-bot", "kind": "bot", "display_name": "Deploy bot" }
  ],
  "entitlements": [
    { "id": "role:admin", "privileged": true }
  ],
  "grants": [
    { "account": "u-1", "entitlement": "role:admin" },
    { "account": "u-1", "entitlement": "group:engineering" },
    { "account": "u-2", "entitlement": "group:engineering" },
    { "account": "u-2", "entitlement": "role:admin" },
    { "account": "u-3", "entitlement": "group:sales" }
  ]
}
)";

constexpr const char* kPolicy = R"(-- Who should have what. Reference: docs/policies.md.
owner "team-platform"

role "engineer" {
  app = { "group:engineering" },
}

role "admin" {
  privileged = true,
  app = { "role:admin" },
}

settings { dormant_days = 90 }
)";

Result<void> write_new(const std::filesystem::path& path, const char* contents) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (std::filesystem::exists(path, ec)) return fail(quote(path.string()) + " already exists");
  std::ofstream out(path, std::ios::binary);
  out << contents;
  out.close();
  if (!out) return fail("cannot write " + quote(path.string()));
  return {};
}

Result<void> run(Context& ctx, const std::string& dir_arg) {
  std::filesystem::path dir = dir_arg.empty() ? ctx.workspace : dir_arg;
  std::error_code ec;
  if (std::filesystem::exists(dir / "rollcall.toml", ec)) {
    return fail(quote(dir.string()) + " is already a rollcall workspace (rollcall.toml exists)");
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail("cannot create " + quote(dir.string()) + ": " + ec.message());
  RC_TRY(write_new(dir / "roster.csv", kRoster));
  RC_TRY(write_new(dir / "exports" / "app.json", kExport));
  RC_TRY(write_new(dir / "policies" / "platform.lua", kPolicy));
  std::filesystem::create_directories(dir / "reports", ec);
  // Last, so a failed init leaves no half workspace that later commands would accept.
  RC_TRY(write_new(dir / "rollcall.toml", kConfig));
  ctx.out("Created a rollcall workspace in " + dir.string() + ":\n"
          "  rollcall.toml        systems and roster (edit to add yours)\n"
          "  roster.csv           the HR roster\n"
          "  policies/            who should have what (Lua)\n"
          "  exports/app.json     a sample export read by the `file` connector\n"
          "Next: rollcall --workspace " + dir.string() + " snapshot");
  return {};
}

}  // namespace

void add_init_command(CLI::App& app, Context& ctx) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("init", "create a workspace (default: the --workspace folder)");
  cmd->add_option("dir", *dir, "folder to create");
  cmd->callback([&ctx, dir] {
    if (auto r = run(ctx, *dir); !r) ctx.report(r.error());
  });
}

}  // namespace rollcall::cli
