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

}  // namespace rollcall::policy
