// NamePatterns: the shell-style name lists connector configs use to pick or skip things by name
// (ignore_roles = ["monitoring_*"], databases = ["app", "app_*"], privileged_groups). `*`
// matches any run of characters, `?` any one character; everything else matches itself.
// A plain value, cheap to copy; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rollcall::connectors {

enum class NameCase { sensitive, insensitive };

class NamePatterns {
 public:
  NamePatterns() = default;
  explicit NamePatterns(std::vector<std::string> patterns, NameCase name_case = NameCase::sensitive);

  // True when any pattern matches the whole name.
  bool matches(std::string_view name) const;
  bool empty() const { return patterns_.empty(); }
  const std::vector<std::string>& patterns() const { return patterns_; }

  // True when `pattern` holds no `*` or `?`, i.e. names exactly one thing.
  static bool is_literal(std::string_view pattern);

 private:
  std::vector<std::string> patterns_;
  NameCase case_ = NameCase::sensitive;
};

}  // namespace rollcall::connectors
