// plan --from-review: which of the scan's findings the revoke decisions act on.
#include <unordered_map>

#include "scanner/core/finding_kind.hpp"
#include "scanner/review/review.hpp"

namespace rollcall::review {

Revocations select_revocations(const std::vector<store::ReviewDecisionRecord>& decisions,
                               const std::unordered_map<std::string, store::ReviewRowRecord>& rows,
                               const std::vector<store::FindingRecord>& findings) {
  std::unordered_map<std::string, std::vector<const store::FindingRecord*>> by_target;
  for (const auto& f : findings) {
    if (f.status == "resolved" || f.status == "carried") continue;
    by_target[f.system + '\x1f' + f.account_id + '\x1f' + f.entitlement_id].push_back(&f);
  }
  Revocations out;
  for (const auto& d : decisions) {
    if (d.decision != "revoke") continue;
    const auto it = by_target.find(d.system + '\x1f' + d.account_id + '\x1f' + d.entitlement_id);
    const std::vector<const store::FindingRecord*> none;
    const auto& found = it == by_target.end() ? none : it->second;
    const store::FindingRecord* act = nullptr;
    const store::FindingRecord* granted = nullptr;
    for (const auto* f : found) {
      const auto kind = parse_finding_kind(f->kind);
      if (f->status == "excepted" || kind == FindingKind::privilege_mismatch) granted = f;
      else if (kind == FindingKind::unauthorized_access && !d.entitlement_id.empty()) act = f;
      else if (kind == FindingKind::terminated_active && d.entitlement_id.empty()) act = f;
    }
    if (act) {
      out.findings.push_back(*act);
      continue;
    }
    auto row = rows.find(d.row_id);
    if (granted) {
      out.not_planned.push_back({d, granted->status == "excepted"
                                        ? "a policy exception allows it (" + granted->kind + ", excepted)"
                                        : "the policy grants it at another level (privilege_mismatch)",
                                 true, granted->owner});
    } else if (row != rows.end() && row->second.status == "authorized") {
      out.not_planned.push_back({d, "the policy grants it: " + row->second.reason, true, row->second.owner});
    } else {
      out.not_planned.push_back(
          {d, found.empty() ? "the latest scan has no finding for it" : "no automatic action for " + found.front()->kind,
           false});
    }
  }
  return out;
}

}  // namespace rollcall::review
