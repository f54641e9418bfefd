#include "scanner/store/retention.hpp"

#include <filesystem>
#include <string>

namespace rollcall::store {
namespace {

Result<std::vector<std::int64_t>> ids(Database& db, std::string_view sql, std::optional<std::int64_t> arg = {}) {
  RC_ASSIGN(Statement st, db.prepare(sql));
  if (arg) st.bind(1, *arg);
  std::vector<std::int64_t> out;
  for (;;) {
    RC_ASSIGN(bool row, st.step());
    if (!row) break;
    out.push_back(st.integer(0));
  }
  return out;
}

std::int64_t file_bytes(const Database& db) {
  std::error_code ec;
  auto n = std::filesystem::file_size(db.path(), ec);
  return ec ? 0 : static_cast<std::int64_t>(n);
}

struct SnapshotRow {
  std::int64_t id = 0;
  std::optional<std::int64_t> data_id;
  std::optional<std::int64_t> grant_first;
  std::optional<std::int64_t> grant_last;
  bool old = false;
};

}  // namespace

Result<PruneResult> prune(Database& db, UnixTime cutoff, const ScanSnapshots& referenced, bool dry_run) {
  PruneResult result;
  result.bytes_before = file_bytes(db);
  {
    std::optional<Transaction> tx;
    if (!dry_run) {
      RC_ASSIGN(Transaction t, Transaction::begin(db));
      tx.emplace(std::move(t));
    }
    // Scans: everything finished before the cutoff but the latest.
    RC_ASSIGN(auto old_scans, ids(db, "SELECT id FROM scan WHERE finished_at < ?1 AND id <> (SELECT max(id) FROM scan)",
                                  static_cast<std::int64_t>(cutoff)));
    const std::set<std::int64_t> gone_scans(old_scans.begin(), old_scans.end());

    // Snapshots the remaining scans need.
    std::set<std::int64_t> keep;
    ScanStore scans(db);
    RC_ASSIGN(auto all_scans, scans.list(-1));  // LIMIT -1: all
    for (const auto& s : all_scans) {
      if (gone_scans.count(s.id)) continue;
      RC_ASSIGN(auto refs, referenced(s));
      keep.insert(refs.begin(), refs.end());
    }
    RC_ASSIGN(auto latest, ids(db, "SELECT max(id) FROM snapshot GROUP BY system UNION "
                                   "SELECT max(id) FROM snapshot WHERE status = 'complete' GROUP BY system"));
    keep.insert(latest.begin(), latest.end());

    std::vector<SnapshotRow> rows;
    {
      RC_ASSIGN(Statement st, db.prepare("SELECT id, data_id, grant_first, grant_last, finished_at < ?1 FROM snapshot"));
      st.bind(1, static_cast<std::int64_t>(cutoff));
      for (;;) {
        RC_ASSIGN(bool row, st.step());
        if (!row) break;
        rows.push_back({st.integer(0), st.optional_integer(1), st.optional_integer(2), st.optional_integer(3),
                        st.integer(4) != 0});
      }
    }
    for (const auto& r : rows) {
      if (!r.old) keep.insert(r.id);
    }
    // The data a kept snapshot reads lives in its data snapshot's rows.
    for (const auto& r : rows) {
      if (keep.count(r.id) && r.data_id) keep.insert(*r.data_id);
    }

    for (std::int64_t id : old_scans) {
      RC_ASSIGN(Statement count, db.prepare("SELECT count(*) FROM finding WHERE scan_id = ?1"));
      count.bind(1, id);
      RC_TRY(count.step());
      result.findings += count.integer(0);
      ++result.scans;
      if (dry_run) continue;
      RC_ASSIGN(Statement del_findings, db.prepare("DELETE FROM finding WHERE scan_id = ?1"));
      RC_TRY(del_findings.bind(1, id).run());
      RC_ASSIGN(Statement del_systems, db.prepare("DELETE FROM scan_system WHERE scan_id = ?1"));
      RC_TRY(del_systems.bind(1, id).run());
      RC_ASSIGN(Statement del_scan, db.prepare("DELETE FROM scan WHERE id = ?1"));
      RC_TRY(del_scan.bind(1, id).run());
    }
    for (const auto& r : rows) {
      if (keep.count(r.id)) continue;
      ++result.snapshots;
      const bool own_data = !r.data_id || *r.data_id == r.id;
      if (own_data && r.grant_first && r.grant_last) result.grants += *r.grant_last - *r.grant_first + 1;
      if (dry_run) continue;
      if (own_data) {
        if (r.grant_first && r.grant_last) {
          RC_ASSIGN(Statement g, db.prepare("DELETE FROM \"grant\" WHERE rowid BETWEEN ?1 AND ?2"));
          RC_TRY(g.bind(1, *r.grant_first).bind(2, *r.grant_last).run());
        }
        for (std::string_view sql : {std::string_view("DELETE FROM account WHERE snapshot_id = ?1"),
                                     std::string_view("DELETE FROM entitlement WHERE snapshot_id = ?1"),
                                     std::string_view("DELETE FROM credential WHERE snapshot_id = ?1")}) {
          RC_ASSIGN(Statement st, db.prepare(sql));
          RC_TRY(st.bind(1, r.id).run());
        }
      }
      RC_ASSIGN(Statement st, db.prepare("DELETE FROM snapshot WHERE id = ?1"));
      RC_TRY(st.bind(1, r.id).run());
    }
    if (tx) RC_TRY(tx->commit());
  }
  if (dry_run) {
    result.bytes_after = result.bytes_before;
    return result;
  }
  RC_TRY(db.exec("VACUUM"));
  RC_TRY(db.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  result.bytes_after = file_bytes(db);
  return result;
}

}  // namespace rollcall::store
