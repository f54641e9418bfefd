#include "scanner/store/apply_journal.hpp"

#include <algorithm>

namespace rollcall::store {

Result<std::string> ApplyJournal::state(const std::string& action_id) {
  RC_ASSIGN(auto st, db_.prepare("SELECT state FROM apply_journal WHERE plan_id = ? AND action_id = ?"));
  st.bind(1, plan_id_).bind(2, action_id);
  RC_ASSIGN(bool row, st.step());
  return row ? st.text(0) : std::string();
}

Result<void> ApplyJournal::record(const JournalEntry& e, std::int64_t seq, UnixTime now) {
  RC_ASSIGN(auto st, db_.prepare(
                         "INSERT INTO apply_journal(plan_id, action_id, state, attempts, last_error, updated_at, "
                         "system, action, seq, first_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT(plan_id, action_id) DO UPDATE SET state = excluded.state, "
                         "attempts = excluded.attempts, last_error = excluded.last_error, "
                         "updated_at = excluded.updated_at, system = excluded.system, action = excluded.action, "
                         "seq = excluded.seq"));
  st.bind(1, plan_id_).bind(2, e.action_id).bind(3, e.state).bind(4, e.attempts).bind(5, e.last_error);
  st.bind(6, std::int64_t{now}).bind(7, e.system).bind(8, e.action).bind(9, seq).bind(10, std::int64_t{now});
  return st.run();
}

Result<std::vector<JournalPlan>> ApplyJournal::plans(Database& db, int limit) {
  RC_ASSIGN(auto st, db.prepare(
                         "SELECT plan_id, min(first_at), max(updated_at), state, count(*) FROM apply_journal "
                         "WHERE plan_id IN (SELECT plan_id FROM apply_journal GROUP BY plan_id "
                         "ORDER BY max(updated_at) DESC, plan_id LIMIT ?) "
                         "GROUP BY plan_id, state"));
  st.bind(1, std::int64_t{limit});
  std::vector<JournalPlan> out;
  std::map<std::string, std::size_t> at;
  while (true) {
    RC_ASSIGN(bool row, st.step());
    if (!row) break;
    const std::string id = st.text(0);
    auto [it, fresh] = at.emplace(id, out.size());
    if (fresh) out.push_back(JournalPlan{id, st.integer(1), st.integer(2), {}});
    JournalPlan& p = out[it->second];
    p.first_at = std::min<UnixTime>(p.first_at, st.integer(1));
    p.updated_at = std::max<UnixTime>(p.updated_at, st.integer(2));
    p.states[st.text(3)] = st.integer(4);
  }
  std::sort(out.begin(), out.end(), [](const JournalPlan& a, const JournalPlan& b) {
    return a.updated_at != b.updated_at ? a.updated_at > b.updated_at : a.plan_id < b.plan_id;
  });
  return out;
}

Result<std::vector<JournalEntry>> ApplyJournal::entries() {
  RC_ASSIGN(auto st, db_.prepare(
                         "SELECT action_id, system, action, state, attempts, last_error, first_at, updated_at "
                         "FROM apply_journal WHERE plan_id = ? ORDER BY seq, action_id"));
  st.bind(1, plan_id_);
  std::vector<JournalEntry> out;
  while (true) {
    RC_ASSIGN(bool row, st.step());
    if (!row) break;
    out.push_back(JournalEntry{st.text(0), st.text(1), st.text(2), st.text(3), st.integer(4), st.text(5),
                               st.integer(6), st.integer(7)});
  }
  return out;
}

}  // namespace rollcall::store
