#include "reports/report.hpp"

#include <array>

namespace rollcall::reports {
namespace {
constexpr std::array<std::string_view, 6> kSeverityNames = {"info", "low", "medium", "high",
                                                            "critical", "error"};
}  // namespace

std::string_view to_string(Severity s) { return kSeverityNames[static_cast<std::size_t>(s)]; }

std::optional<Severity> parse_severity(std::string_view text) {
  for (std::size_t i = 0; i < kSeverityNames.size(); ++i) {
    if (kSeverityNames[i] == text) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

std::string_view to_string(FindingStatus s) {
  switch (s) {
    case FindingStatus::new_: return "new";
    case FindingStatus::persisting: return "persisting";
    case FindingStatus::excepted: return "excepted";
    case FindingStatus::resolved: return "resolved";
  }
  return "new";
}

}  // namespace rollcall::reports
