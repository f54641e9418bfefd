#include "scanner/review/review.hpp"

namespace rollcall::review {

Result<std::vector<reports::ReviewStatus>> review_statuses(store::Database& db) {
  store::ReviewStore reviews(db);
  RC_ASSIGN(auto decisions, reviews.latest_decisions());
  std::vector<reports::ReviewStatus> out;
  for (auto& d : decisions) {
    out.push_back({std::move(d.system), std::move(d.account_id), std::move(d.entitlement_id), std::move(d.person),
                   std::move(d.decision), std::move(d.reviewer), d.decided_at, std::move(d.comment)});
  }
  return out;
}

}  // namespace rollcall::review
