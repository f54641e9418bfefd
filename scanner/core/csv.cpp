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
    // Skip a UTF-8 BOM.
    if (in_.peek() == 0xEF) {
      char bom[3];
      in_.read(bom, 3);
      if (!(in_.gcount() == 3 && static_cast<unsigned char>(bom[1]) == 0xBB &&
            static_cast<unsigned char>(bom[2]) == 0xBF)) {
        in_.clear();
        in_.seekg(0);
      }
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
  }
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

}  // namespace rollcall
