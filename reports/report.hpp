// The Report value: everything a scan found, in the shape the report writers need. The drift
// engine builds it; the JSON, HTML and CSV writers (reports/json, reports/html, reports/csv)
// render it. Writers read only this value: never the store, never a target system.
//
// Ordering is part of the contract (reports are diffable): systems by name; findings by
// severity (critical first), then kind, system, account, entitlement, fingerprint.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scanner/core/finding_kind.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::reports {

// Severities and finding kinds are one table shared by every module (scanner/core/finding_kind.hpp).
using rollcall::FindingFacts;
using rollcall::parse_severity;
using rollcall::Severity;
using rollcall::to_string;

enum class FindingStatus { new_, persisting, excepted, resolved };
std::string_view to_string(FindingStatus s);  // "new", "persisting", "excepted", "resolved"

struct SnapshotRef {
  std::int64_t id = 0;
  UnixTime taken_at = 0;   // finished_at of the observation
  std::string digest;
};

struct SystemStatus {
  std::string name;
  std::string type;
  std::string status;      // complete | partial | failed | stale | missing
  std::optional<SnapshotRef> snapshot;
  std::string error;
  std::int64_t accounts = 0;
  std::int64_t entitlements = 0;
  std::int64_t grants = 0;
  // Active accounts matched to nobody because the platform withholds their identity (no email
  // visible): counted here, not reported as orphans.
  std::int64_t unmatched = 0;
};

struct Evidence {
  std::string roster_row;                 // "roster.csv:14" or ""
  std::vector<std::string> policy;        // provenance lines: role "sre" <- includes ... <- file:line
  std::optional<SnapshotRef> snapshot;    // what showed the actual state
  std::string exception_ticket;           // set when excepted or exception_expired
  std::optional<UnixTime> exception_expires;
  std::string exception_reason;
  std::string exception_source;           // policies/x.lua:40
  std::map<std::string, std::string> extra;  // kind-specific facts (last_login, end_date, ...)
};

struct Finding {
  std::string fingerprint;  // stable across scans: hash of kind, system, account, entitlement
  std::string kind;         // a FindingKind name (scanner/core/finding_kind.hpp, docs/findings.md)
  Severity severity = Severity::medium;
  FindingStatus status = FindingStatus::new_;
  std::string system;
  std::string account_id;
  std::string account_login;
  std::string person_email;
  std::string person_name;
  std::string entitlement_id;
  std::string expected;
  std::string actual;
  std::string message;      // one human sentence
  UnixTime first_seen = 0;
  // The team to route it to: the policy owner of the role, rule, exception or service account
  // that decided it, else the system's configured owner; "" when neither is known.
  std::string owner;
  FindingFacts facts;       // facts as data, for machines (plan reads only these)
  Evidence evidence;
};

struct ScanSummary {
  std::map<std::string, std::int64_t> by_severity;  // open findings (new + persisting)
  std::map<std::string, std::int64_t> by_kind;
  std::map<std::string, std::int64_t> by_system;
  std::int64_t open = 0;
  std::int64_t new_ = 0;
  std::int64_t persisting = 0;
  std::int64_t excepted = 0;
  std::int64_t resolved = 0;
};

struct TrendPoint {  // one earlier scan, for the trend chart
  std::int64_t scan_id = 0;
  UnixTime at = 0;
  std::map<std::string, std::int64_t> by_severity;
};

// One credential of a checked system's account, for the reports' inventory (ids and dates,
// never a secret value).
struct CredentialRow {
  std::string system;
  std::string account_id;
  std::string account_login;
  std::string person_email;  // the account's owner in the roster, or ""
  std::string id;
  std::string kind;    // access_key, client_secret, ...
  std::string status;  // active, inactive
  std::optional<UnixTime> created_at;
  std::optional<UnixTime> last_used_at;
  std::string last_used_where;
  bool use_recorded = true;
  std::optional<UnixTime> expires_at;
};

// The latest access-review decision on one account (entitlement_id "") or grant
// (scanner/review): whether it was reviewed, by whom and when.
struct ReviewStatus {
  std::string system;
  std::string account_id;
  std::string entitlement_id;
  std::string person;
  std::string decision;  // keep | revoke
  std::string reviewer;
  UnixTime decided_at = 0;
  std::string comment;
};

struct Report {
  std::string tool_version;
  std::int64_t scan_id = 0;
  UnixTime started_at = 0;
  UnixTime finished_at = 0;
  std::string workspace;
  // Who ran the scan, as the CLI saw it ("user@host"); "" when unknown. Shown in the HTML
  // report's sign-off block.
  std::string run_by;
  std::string roster_digest;
  std::string policy_digest;
  std::int64_t people = 0;
  std::vector<SystemStatus> systems;
  ScanSummary summary;
  std::vector<Finding> findings;   // open and excepted
  std::vector<Finding> resolved;   // present in the previous scan, gone now
  std::vector<TrendPoint> trend;   // oldest first, includes this scan
  std::vector<CredentialRow> credentials;  // by (system, account, id)
  std::vector<ReviewStatus> reviews;  // by system, account, entitlement; reviewed grants only
};

}  // namespace rollcall::reports
