// write_csv: one row per finding (open and excepted, then resolved), RFC 4180.
//
// Spreadsheets are the audience, so two things beyond plain RFC 4180:
// - a UTF-8 byte-order mark, without which Excel reads UTF-8 names as Latin-1;
// - a formula-injection guard: a cell whose text starts with = + - @ TAB or CR is prefixed with
//   a single quote, so a display name like "=HYPERLINK(...)" from a target system is shown as
//   text instead of being evaluated. The quote is visible in the cell; that is the trade-off.
// The evidence an auditor filters on has columns of its own (roster row, policy provenance, the
// snapshot, the exception); the evidence cell still holds the whole "evidence" object of the
// JSON report on one line (kind-specific facts included). The last cell is the scan's id, as the
// JSON and HTML reports state theirs. Columns: docs/reports.md.
#include <string>
#include <string_view>

#include "reports/common/atomic_file.hpp"
#include "reports/common/text.hpp"
#include "reports/json/json_report.hpp"
#include "reports/writers.hpp"
#include "scanner/core/csv.hpp"

namespace rollcall::reports {

namespace {

constexpr std::string_view kHeader =
    "fingerprint,kind,severity,status,system,account_id,account_login,person_email,person_name,"
    "entitlement_id,expected,actual,first_seen,message,owner,accounts,roster_row,policy,snapshot_id,"
    "snapshot_taken_at,snapshot_digest,exception_ticket,exception_expires,exception_reason,"
    "exception_source,evidence,scan_id\r\n";

// Provenance lines in one cell; " | " because the lines themselves contain ";" and ",".
constexpr std::string_view kPolicySeparator = " | ";

void append_cell(std::string& out, std::string_view value) {
  std::string text;
  if (csv_formula_like(value)) text += '\'';
  append_utf8(text, value);
  bool quote = text.find_first_of(",\"\r\n") != std::string::npos ||
               (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// `status` is passed in: rows from Report::resolved say "resolved" whatever their last status.
// `scan_id` on every row: the three reports are replaced one after the other, and each must say
// which scan it shows (reports/output.hpp).
void append_row(std::string& out, const Finding& f, FindingStatus status, const std::string& scan_id) {
  std::string_view cells[] = {
      f.fingerprint,    f.kind,         to_string(f.severity), to_string(status),
      f.system,         f.account_id,   f.account_login,       f.person_email,
      f.person_name,    f.entitlement_id, f.expected,          f.actual,
  };
  for (std::string_view c : cells) {
    append_cell(out, c);
    out += ',';
  }
  append_cell(out, f.first_seen ? format_iso8601(f.first_seen) : "");
  out += ',';
  append_cell(out, f.message);
  out += ',';
  append_cell(out, f.owner);
  out += ',';
  std::string accounts;
  for (const auto& a : f.facts.accounts) (accounts.empty() ? accounts : accounts += ';') += a;
  append_cell(out, accounts);
  out += ',';
  const Evidence& ev = f.evidence;
  std::string policy;
  for (const auto& line : ev.policy) (policy.empty() ? policy : policy += kPolicySeparator) += line;
  const std::string evidence_cells[] = {
      ev.roster_row,
      policy,
      ev.snapshot ? std::to_string(ev.snapshot->id) : "",
      ev.snapshot ? format_iso8601(ev.snapshot->taken_at) : "",
      ev.snapshot ? ev.snapshot->digest : "",
      ev.exception_ticket,
      ev.exception_expires ? format_iso8601(*ev.exception_expires).substr(0, 10) : "",
      ev.exception_reason,
      ev.exception_source,
  };
  for (const std::string& c : evidence_cells) {
    append_cell(out, c);
    out += ',';
  }
  append_cell(out, evidence_to_json(f.evidence));
  out += ',';
  out += scan_id;
  out += "\r\n";
}

}  // namespace

Result<void> write_csv(const Report& report, const std::filesystem::path& path) {
  std::string out = "\xEF\xBB\xBF";
  out += kHeader;
  const std::string scan_id = std::to_string(report.scan_id);
  for (const Finding& f : report.findings) append_row(out, f, f.status, scan_id);
  for (const Finding& f : report.resolved) append_row(out, f, FindingStatus::resolved, scan_id);
  return write_file_atomic(path, out);
}

}  // namespace rollcall::reports
