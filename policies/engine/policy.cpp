#include "policies/engine/policy.hpp"

#include <array>

#include "scanner/core/strings.hpp"

namespace rollcall::policy {

std::string Provenance::describe() const {
  std::string out;
  switch (kind) {
    case Kind::role:
      out = "role " + quote(chain.empty() ? name : chain.front());
      for (std::size_t i = 1; i < chain.size(); ++i) out += " <- includes " + quote(chain[i]);
      break;
    case Kind::rule:
      out = "rule " + quote(name);
      break;
    case Kind::service_account:
      out = "service_account " + quote(name);
      break;
  }
  return out + " <- " + source.str();
}

std::optional<int> level_rank(std::string_view level) {
  static constexpr std::array<std::string_view, 9> kOrder = {
      "guest", "read", "triage", "member", "write", "maintain", "maintainer", "admin", "owner"};
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    if (kOrder[i] == level) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::vector<std::string_view> allowed_levels(std::string_view spec) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = spec.find(kLevelSeparator, start);
    out.push_back(spec.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (bar == std::string_view::npos) return out;
    start = bar + 1;
  }
}

bool level_allowed(std::string_view spec, std::string_view held) {
  for (std::string_view l : allowed_levels(spec)) {
    if (l == held) return true;
  }
  return false;
}

std::string_view primary_level(std::string_view spec) { return spec.substr(0, spec.find(kLevelSeparator)); }

std::string describe_levels(std::string_view spec) {
  const auto levels = allowed_levels(spec);
  std::string out;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (i > 0) out += i + 1 == levels.size() ? " or " : ", ";
    out += levels[i];
  }
  return out;
}

}  // namespace rollcall::policy
