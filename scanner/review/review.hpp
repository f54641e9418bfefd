// Access reviews: every manager certifies, periodically, that each direct report still needs
// the accounts and grants they hold. `review export` writes one sheet per manager (CSV to fill
// in, and a self-contained HTML page to read) from the latest scan; `review import` reads the
// filled-in CSVs back strictly; `plan --from-review` turns "revoke" decisions into the plan
// actions the scan's findings already call for, and reports the rest (revoking what the
// policy grants is for the policy owner, not for apply).
//
// A row is one account (entitlement empty) or one (account, entitlement) of a direct report in
// a system the scan judged complete. Its id is stable across exports (hash of system, account
// and entitlement); its digest covers every column but the decision ones, and the store keeps
// the digest of the last export, so a sheet whose grant columns were edited is refused.
// Plain values and functions; not thread-safe (the policy engine is not).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policies/engine/policy.hpp"
#include "reports/report.hpp"
#include "scanner/config/config.hpp"
#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"
#include "scanner/roster/roster.hpp"
#include "scanner/store/review_store.hpp"
#include "scanner/store/scan_store.hpp"
#include "scanner/store/sqlite.hpp"

namespace rollcall::review {

// The sheet's columns, in order. The last two are the reviewer's.
inline constexpr std::string_view kColumns[] = {"row_id",  "manager", "person",  "person_name", "system",
                                                "account", "login",   "entitlement", "level",   "status",
                                                "reason",  "digest",  "decision",    "comment"};

struct Row {
  std::string row_id;
  std::string manager;
  std::string person;
  std::string person_name;
  std::string system;
  std::string account_id;
  std::string account_login;
  std::string entitlement_id;  // "" for the account row
  std::string level;
  std::string status;  // authorized | finding | other
  std::string reason;  // the policy provenance, or the finding kind (and exception ticket)
  std::string digest;
  std::string owner;   // not a column: the policy owner of what authorizes or flags the row
};

struct Sheet {
  std::string manager;       // roster email
  std::string manager_name;  // "" when the manager is not in the roster
  std::vector<Row> rows;     // by person, system, account, entitlement (account row first)
};

struct Campaign {
  std::int64_t scan_id = 0;
  std::vector<Sheet> sheets;                  // by manager email
  std::vector<std::string> skipped_systems;   // selected but not complete in the scan
};

struct ExportInputs {
  const config::WorkspaceConfig& config;
  const roster::Roster& roster;  // indexed
  policy::PolicyEngine& policy;
  store::Database& db;
  UnixTime now;
  std::vector<std::string> systems;  // empty: all configured
};

// Builds the sheets from the latest stored scan: its complete systems' snapshots, its findings,
// and the policies' provenance for what is authorized. Fails when no scan is stored, a
// --system is not configured, or on a store, mapping or policy error.
Result<Campaign> build_campaign(const ExportInputs& in);

// The row's stable id and the digest of its grant columns.
std::string row_id(std::string_view system, std::string_view account_id, std::string_view entitlement_id);
std::string row_digest(const Row& row);

// The sheet's file name without extension: the manager's email with anything but letters,
// digits, '@', '.', '-' and '_' replaced by '_'.
std::string sheet_name(std::string_view manager);
// CSV (header kColumns, decision and comment empty; values that look like spreadsheet formulas
// are quoted as text) and a self-contained HTML page (no script, a Content-Security-Policy that
// allows only its inline style; every value escaped).
std::string sheet_csv(const Sheet& sheet);
std::string sheet_html(const Sheet& sheet, std::int64_t scan_id, UnixTime exported_at);

// What the store keeps of an export.
std::vector<store::ReviewRowRecord> row_records(const Campaign& c, UnixTime exported_at);

// Reads every *.csv in `dir` (sorted by name) strictly against the exported rows: the header
// must be kColumns; each row id must be known and appear once; the grant columns must hash to
// the exported digest; decision must be empty, "keep" or "revoke". Rows with an empty decision
// are not decisions. Fails on the first problem, naming the file and line:
// `alice@acme.com.csv:4: row 1f2e...: grant columns changed since the export`. The reviewer is
// `reviewer`, or the sheet's manager when empty.
Result<std::vector<store::ReviewDecisionRecord>> read_decisions(
    const std::filesystem::path& dir, const std::unordered_map<std::string, store::ReviewRowRecord>& rows,
    const std::string& reviewer, UnixTime now);

// A revoke decision that no plan action carries out, and why.
struct NotPlanned {
  store::ReviewDecisionRecord decision;
  std::string why;
  bool policy_conflict = false;  // the policy grants it: for the policy owner
  std::string owner;             // that owner (team), when known
};

struct Revocations {
  std::vector<store::FindingRecord> findings;  // the scan's open findings the decisions act on
  std::vector<NotPlanned> not_planned;
};

// Matches the latest decisions to the findings of a scan: a revoke on a grant the scan finds
// unauthorized (unauthorized_access) or on an account of a terminated person
// (terminated_active) selects that finding; a revoke of anything the policy grants (row
// authorized, a privilege_mismatch or an excepted finding) is a policy conflict; anything else
// is left to a person. Keep decisions select nothing.
Revocations select_revocations(const std::vector<store::ReviewDecisionRecord>& decisions,
                               const std::unordered_map<std::string, store::ReviewRowRecord>& rows,
                               const std::vector<store::FindingRecord>& findings);

// The latest decision per reviewed account or grant, for the scan report (empty until the
// first import). Fails on a store error.
Result<std::vector<reports::ReviewStatus>> review_statuses(store::Database& db);

}  // namespace rollcall::review
