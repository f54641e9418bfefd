#include "connectors/api/name_patterns.hpp"

#include "scanner/core/strings.hpp"

namespace rollcall::connectors {
namespace {

// Iterative wildcard match with single backtracking point: linear in practice, no recursion.
bool glob(std::string_view p, std::string_view s) {
  std::size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace

NamePatterns::NamePatterns(std::vector<std::string> patterns, NameCase name_case)
    : patterns_(std::move(patterns)), case_(name_case) {}

bool NamePatterns::matches(std::string_view name) const {
  if (case_ == NameCase::insensitive) {
    std::string lower = to_lower(name);
    for (const auto& p : patterns_) {
      if (glob(to_lower(p), lower)) return true;
    }
    return false;
  }
  for (const auto& p : patterns_) {
    if (glob(p, name)) return true;
  }
  return false;
}

bool NamePatterns::is_literal(std::string_view pattern) {
  return pattern.find_first_of("*?") == std::string_view::npos;
}

}  // namespace rollcall::connectors
