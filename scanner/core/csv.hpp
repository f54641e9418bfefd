// A streaming RFC 4180 CSV reader: quoted fields with embedded commas, quotes ("") and
// newlines, CRLF or LF line ends, a UTF-8 byte-order mark at the start. One record at a time,
// so files of any size are read in constant memory. Also the matching writer-side quoting.
#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/result.hpp"

namespace rollcall {

class CsvReader {
 public:
  // A field longer than this is refused rather than held in memory (and handed to policies).
  static constexpr std::size_t kDefaultMaxField = 1 << 20;

  explicit CsvReader(std::istream& in, std::size_t max_field = kDefaultMaxField)
      : in_(in), max_field_(max_field) {}

  // Reads the next record into `fields` (cleared first). Returns false at end of input.
  // Blank lines are skipped. Fails on an unterminated quoted field, a quote in the middle of
  // an unquoted field, a field longer than max_field bytes, or a second byte-order mark after
  // the first, with "N: ..." (N = the line of the problem), so that callers prefix the file
  // name: "roster.csv:12: unterminated quoted field".
  Result<bool> next(std::vector<std::string>& fields);
  // The line (1-based) where the last record returned by next() started.
  int line() const { return record_line_; }

 private:
  int get();
  Failure too_long() const;
  std::istream& in_;
  std::size_t max_field_;
  int line_ = 1;
  int record_line_ = 0;
  bool started_ = false;
};

// Quotes a field for CSV output when it needs it (comma, quote, CR/LF, leading/trailing space).
std::string csv_field(std::string_view value);

// The formula-injection guard for CSV files people open in a spreadsheet (report.csv, the
// tickets CSV): a value starting with = + - @ TAB or CR would be evaluated as a formula
// ("=HYPERLINK(...)" in a display name from a target system).
bool csv_formula_like(std::string_view value);
// csv_field() of `value`, prefixed with a single quote when csv_formula_like(): shown as text.
std::string csv_safe_field(std::string_view value);

}  // namespace rollcall
