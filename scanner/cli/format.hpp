// Formatting helpers for terminal output.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rollcall::cli {

// 1234567 -> "1,234,567"
std::string thousands(std::int64_t n);
// 0.0123 -> "12ms", 3.2 -> "3.2s"
std::string seconds(double s);

// A plain-text table: columns padded to the widest cell, two spaces apart.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string str() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace rollcall::cli
