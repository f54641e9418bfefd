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
  explicit CsvReader(std::istream& in) : in_(in) {}

  // Reads the next record into `fields` (cleared first). Returns false at end of input.
  // Blank lines are skipped. Fails on an unterminated quoted field or a quote in the middle of
  // an unquoted field, with "N: ..." (N = the line of the problem), so that callers prefix the
  // file name: "roster.csv:12: unterminated quoted field".
  Result<bool> next(std::vector<std::string>& fields);
  // The line (1-based) where the last record returned by next() started.
  int line() const { return record_line_; }

 private:
  int get();
  std::istream& in_;
  int line_ = 1;
  int record_line_ = 0;
  bool started_ = false;
};

// Quotes a field for CSV output when it needs it (comma, quote, CR/LF, leading/trailing space).
std::string csv_field(std::string_view value);

}  // namespace rollcall
