#include "scanner/core/csv.hpp"

namespace rollcall {

int CsvReader::get() {
  int c = in_.get();
  if (c == '\n') ++line_;
  return c;
}

Result<bool> CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  if (!started_) {
    started_ = true;
    // Skip a UTF-8 BOM. A second one means the file was converted to UTF-8 twice: it would
    // silently become part of the first column's name (and that column an unknown attribute).
    auto skip_bom = [&]() {
      if (in_.peek() != 0xEF) return false;
      const std::streampos start = in_.tellg();
      char bom[3];
      in_.read(bom, 3);
      if (in_.gcount() == 3 && bom[0] == '\xEF' && bom[1] == '\xBB' && bom[2] == '\xBF') return true;
      in_.clear();
      in_.seekg(start);
      return false;
    };
    if (skip_bom() && skip_bom()) {
      return fail("1: two byte-order marks at the start of the file (converted to UTF-8 twice?)");
    }
  }
  // Skip blank lines between records.
  while (true) {
    int c = in_.peek();
    if (c == '\r' || c == '\n') {
      get();
      continue;
    }
    if (c == EOF) return false;
    break;
  }
  record_line_ = line_;
  std::string field;
  while (true) {
    int c = get();
    if (c == '"' && field.empty()) {
      // Quoted field.
      while (true) {
        int q = get();
        if (q == EOF) {
          return fail(std::to_string(record_line_) + ": unterminated quoted field");
        }
        if (q == '"') {
          if (in_.peek() == '"') {
            get();
            field += '"';
            continue;
          }
          break;
        }
        field += static_cast<char>(q);
        if (field.size() > max_field_) return too_long();
      }
      int after = in_.peek();
      if (after != ',' && after != '\r' && after != '\n' && after != EOF) {
        return fail(std::to_string(line_) + ": unexpected character after closing quote");
      }
      continue;
    }
    if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      continue;
    }
    if (c == '\r' || c == '\n' || c == EOF) {
      if (c == '\r' && in_.peek() == '\n') get();
      fields.push_back(std::move(field));
      return true;
    }
    if (c == '"') {
      return fail(std::to_string(line_) + ": quote inside an unquoted field");
    }
    field += static_cast<char>(c);
    if (field.size() > max_field_) return too_long();
  }
}

Failure CsvReader::too_long() const {
  return fail(std::to_string(record_line_) + ": a field is longer than " + std::to_string(max_field_) +
              " bytes (the limit for one value)");
}

std::string csv_field(std::string_view value) {
  bool needs = value.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!needs) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

bool csv_formula_like(std::string_view value) {
  return !value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' ||
                            value[0] == '\t' || value[0] == '\r');
}

std::string csv_safe_field(std::string_view value) {
  if (!csv_formula_like(value)) return csv_field(value);
  return csv_field("'" + std::string(value));
}

}  // namespace rollcall
