#include "reports/report.hpp"

namespace rollcall::reports {
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
