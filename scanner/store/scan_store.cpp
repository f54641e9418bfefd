#include "scanner/store/scan_store.hpp"

#include <algorithm>

namespace rollcall::store {
namespace {

const char* kScanColumns =
    "id, started_at, finished_at, roster_digest, policy_digest, snapshots, summary";

Result<std::vector<ScanRecord>> query_scans(Database& db, const std::string& tail,
                                            const std::function<void(Statement&)>& bind) {
  RC_ASSIGN(Statement s, db.prepare(std::string("SELECT ") + kScanColumns + " FROM scan " + tail));
  bind(s);
  std::vector<ScanRecord> out;
  while (true) {
    RC_ASSIGN(bool row, s.step());
    if (!row) break;
    ScanRecord r;
    r.id = s.integer(0);
    r.started_at = s.integer(1);
    r.finished_at = s.integer(2);
    r.roster_digest = s.text(3);
    r.policy_digest = s.text(4);
    r.snapshots_json = s.text(5);
    r.summary_json = s.text(6);
    out.push_back(std::move(r));
  }
  return out;
}

const char* kFindingColumns =
    "fingerprint, kind, severity, status, system, account_id, account_login, person_id, person_name, "
    "entitlement_id, expected, actual, message, first_seen, evidence, owner, facts";

FindingRecord read_finding(const Statement& s) {
  FindingRecord f;
  f.fingerprint = s.text(0);
  f.kind = s.text(1);
  f.severity = s.text(2);
  f.status = s.text(3);
  f.system = s.text(4);
  f.account_id = s.text(5);
  f.account_login = s.text(6);
  f.person_id = s.text(7);
  f.person_name = s.text(8);
  f.entitlement_id = s.text(9);
  f.expected = s.text(10);
  f.actual = s.text(11);
  f.message = s.text(12);
  f.first_seen = s.integer(13);
  f.evidence_json = s.text(14);
  f.owner = s.text(15);
  f.facts_json = s.text(16);
  return f;
}

Result<std::optional<ScanRecord>> first(Result<std::vector<ScanRecord>> rows) {
  if (!rows) return fail(rows.error());
  if (rows->empty()) return std::optional<ScanRecord>();
  return std::optional<ScanRecord>(std::move(rows->front()));
}

}  // namespace

Result<std::int64_t> ScanStore::save(const ScanRecord& scan, const std::vector<FindingRecord>& findings,
                                     const std::vector<SystemRecord>& systems) {
  // In fingerprint order, the (scan, fingerprint) index grows at its end instead of at random
  // places, which keeps a 100k-finding scan from thrashing the page cache.
  std::vector<const FindingRecord*> order;
  order.reserve(findings.size());
  for (const FindingRecord& f : findings) order.push_back(&f);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->fingerprint < b->fingerprint; });
  return save(scan, order.size(), [&](std::size_t i, FindingRecord& out) { out = *order[i]; }, systems);
}

Result<std::int64_t> ScanStore::save(const ScanRecord& scan, std::size_t count,
                                     const std::function<void(std::size_t, FindingRecord&)>& record_at,
                                     const std::vector<SystemRecord>& systems) {
  RC_ASSIGN(Transaction tx, Transaction::begin(db_));
  RC_ASSIGN(Statement insert_scan, db_.prepare(
      "INSERT INTO scan (started_at, finished_at, roster_digest, policy_digest, snapshots, summary) "
      "VALUES (?,?,?,?,?,?)"));
  insert_scan.bind(1, scan.started_at).bind(2, scan.finished_at).bind(3, scan.roster_digest)
      .bind(4, scan.policy_digest).bind(5, scan.snapshots_json).bind(6, scan.summary_json);
  RC_TRY(insert_scan.run());
  const std::int64_t id = db_.last_insert_id();
  {
    RC_ASSIGN(Statement s, db_.prepare(
        "INSERT INTO finding (scan_id, fingerprint, kind, severity, status, system, account_id, "
        "account_login, person_id, person_name, entitlement_id, expected, actual, message, "
        "first_seen, evidence, owner, facts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    FindingRecord f;
    for (std::size_t i = 0; i < count; ++i) {
      record_at(i, f);
      // bind_view: the record outlives the statement's step, so SQLite need not copy the text.
      s.bind(1, id).bind_view(2, f.fingerprint).bind_view(3, f.kind).bind_view(4, f.severity)
          .bind_view(5, f.status).bind_view(6, f.system).bind_view(7, f.account_id)
          .bind_view(8, f.account_login).bind_view(9, f.person_id).bind_view(10, f.person_name)
          .bind_view(11, f.entitlement_id).bind_view(12, f.expected).bind_view(13, f.actual)
          .bind_view(14, f.message).bind(15, f.first_seen).bind_view(16, f.evidence_json)
          .bind_view(17, f.owner).bind_view(18, f.facts_json);
      if (auto r = s.run(); !r) return r.context("finding " + f.fingerprint);
    }
  }
  if (!systems.empty()) {
    RC_ASSIGN(Statement s, db_.prepare(
        "INSERT INTO scan_system (scan_id, system, inputs, valid_until, state) VALUES (?,?,?,?,?)"));
    for (const SystemRecord& r : systems) {
      s.bind(1, id).bind_view(2, r.system).bind_view(3, r.inputs).bind(4, r.valid_until).bind_view(5, r.state_json);
      if (auto run = s.run(); !run) return run.context("system " + r.system);
    }
  }
  RC_TRY(tx.commit());
  return id;
}

Result<std::vector<SystemRecord>> ScanStore::systems(std::int64_t scan_id) {
  RC_ASSIGN(Statement s, db_.prepare(
      "SELECT system, inputs, valid_until, state FROM scan_system WHERE scan_id = ? ORDER BY system"));
  s.bind(1, scan_id);
  std::vector<SystemRecord> out;
  while (true) {
    RC_ASSIGN(bool row, s.step());
    if (!row) break;
    out.push_back({s.text(0), s.text(1), s.integer(2), s.text(3)});
  }
  return out;
}

Result<std::optional<ScanRecord>> ScanStore::get(std::int64_t scan_id) {
  return first(query_scans(db_, "WHERE id = ?", [&](Statement& s) { s.bind(1, scan_id); }));
}

Result<std::optional<ScanRecord>> ScanStore::latest() {
  return first(query_scans(db_, "ORDER BY id DESC LIMIT 1", [](Statement&) {}));
}

Result<std::vector<ScanRecord>> ScanStore::list(int limit) {
  return query_scans(db_, "ORDER BY id DESC LIMIT ?", [&](Statement& s) { s.bind(1, std::int64_t{limit}); });
}

Result<std::vector<FindingRecord>> ScanStore::findings(std::int64_t scan_id) {
  RC_ASSIGN(Statement s, db_.prepare(std::string("SELECT ") + kFindingColumns +
                                     " FROM finding WHERE scan_id = ? ORDER BY fingerprint"));
  s.bind(1, scan_id);
  std::vector<FindingRecord> out;
  while (true) {
    RC_ASSIGN(bool row, s.step());
    if (!row) break;
    out.push_back(read_finding(s));
  }
  return out;
}

Result<std::vector<FindingRecord>> ScanStore::findings(std::int64_t scan_id,
                                                       const std::vector<std::string>& fingerprints) {
  RC_ASSIGN(Statement s, db_.prepare(std::string("SELECT ") + kFindingColumns +
                                     " FROM finding WHERE scan_id = ? AND fingerprint = ?"));
  std::vector<FindingRecord> out;
  for (const auto& fp : fingerprints) {
    s.bind(1, scan_id).bind_view(2, fp);
    RC_ASSIGN(bool row, s.step());
    if (row) out.push_back(read_finding(s));
    s.reset();
  }
  return out;
}

Result<std::vector<FindingKey>> ScanStore::finding_keys(std::int64_t scan_id) {
  RC_ASSIGN(Statement s, db_.prepare(
      "SELECT fingerprint, kind, system, status, first_seen FROM finding WHERE scan_id = ? ORDER BY fingerprint"));
  s.bind(1, scan_id);
  std::vector<FindingKey> out;
  while (true) {
    RC_ASSIGN(bool row, s.step());
    if (!row) break;
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4)});
  }
  return out;
}

}  // namespace rollcall::store
