#include "scanner/store/review_store.hpp"

namespace rollcall::store {

Result<void> ReviewStore::save_rows(const std::vector<ReviewRowRecord>& rows) {
  RC_ASSIGN(Transaction tx, Transaction::begin(db_));
  RC_ASSIGN(auto st, db_.prepare(
                         "INSERT OR REPLACE INTO review_row(row_id, manager, person, system, account_id, "
                         "entitlement_id, status, reason, owner, digest, scan_id, exported_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const auto& r : rows) {
    st.bind(1, r.row_id).bind(2, r.manager).bind(3, r.person).bind(4, r.system).bind(5, r.account_id);
    st.bind(6, r.entitlement_id).bind(7, r.status).bind(8, r.reason).bind(9, r.owner).bind(10, r.digest);
    st.bind(11, r.scan_id).bind(12, std::int64_t{r.exported_at});
    RC_TRY(st.run());
    st.reset();
  }
  return tx.commit();
}

Result<std::unordered_map<std::string, ReviewRowRecord>> ReviewStore::rows() {
  RC_ASSIGN(auto st, db_.prepare(
                         "SELECT row_id, manager, person, system, account_id, entitlement_id, status, reason, "
                         "owner, digest, scan_id, exported_at FROM review_row"));
  std::unordered_map<std::string, ReviewRowRecord> out;
  while (true) {
    RC_ASSIGN(bool row, st.step());
    if (!row) break;
    ReviewRowRecord r{st.text(0), st.text(1), st.text(2), st.text(3), st.text(4),    st.text(5),
                      st.text(6), st.text(7), st.text(8), st.text(9), st.integer(10), st.integer(11)};
    out.emplace(r.row_id, std::move(r));
  }
  return out;
}

Result<void> ReviewStore::record(const std::vector<ReviewDecisionRecord>& decisions) {
  RC_ASSIGN(Transaction tx, Transaction::begin(db_));
  RC_ASSIGN(auto st, db_.prepare(
                         "INSERT INTO review_decision(row_id, system, account_id, entitlement_id, person, "
                         "decision, comment, reviewer, decided_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const auto& d : decisions) {
    st.bind(1, d.row_id).bind(2, d.system).bind(3, d.account_id).bind(4, d.entitlement_id).bind(5, d.person);
    st.bind(6, d.decision).bind(7, d.comment).bind(8, d.reviewer).bind(9, std::int64_t{d.decided_at});
    st.bind(10, d.source);
    RC_TRY(st.run());
    st.reset();
  }
  return tx.commit();
}

Result<std::vector<ReviewDecisionRecord>> ReviewStore::latest_decisions() {
  RC_ASSIGN(auto st, db_.prepare(
                         "SELECT row_id, system, account_id, entitlement_id, person, decision, comment, reviewer, "
                         "decided_at, source FROM review_decision d WHERE id = "
                         "(SELECT max(id) FROM review_decision WHERE row_id = d.row_id) "
                         "ORDER BY system, account_id, entitlement_id"));
  std::vector<ReviewDecisionRecord> out;
  while (true) {
    RC_ASSIGN(bool row, st.step());
    if (!row) break;
    out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.text(7),
                   st.integer(8), st.text(9)});
  }
  return out;
}

}  // namespace rollcall::store
