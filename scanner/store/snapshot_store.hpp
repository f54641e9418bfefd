// Snapshots of current access, per system, in the workspace database.
//
// A snapshot is written by a SnapshotWriter (a RecordSink) inside one transaction: until
// commit() nothing of it is visible, and a crash or kill -9 leaves the previous snapshots
// intact. When the data's digest equals the system's latest complete snapshot, commit() stores
// no second copy: it records an observation at the new time that points at the earlier data
// (SnapshotInfo::data_id), so re-snapshotting unchanged data is cheap and the file barely grows.
// A failed fetch is recorded with abort(): status partial/failed, the error, and no data.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "scanner/core/digest.hpp"
#include "scanner/core/model.hpp"
#include "scanner/core/record_sink.hpp"
#include "scanner/core/result.hpp"
#include "scanner/store/sqlite.hpp"

namespace rollcall::store {

struct SnapshotInfo {
  std::int64_t id = 0;
  std::string system;
  std::string connector_type;
  UnixTime started_at = 0;
  UnixTime finished_at = 0;
  SnapshotStatus status = SnapshotStatus::failed;
  std::string error;
  std::string digest;
  std::int64_t accounts = 0;
  std::int64_t entitlements = 0;
  std::int64_t grants = 0;
  std::int64_t credentials = 0;
  std::int64_t data_id = 0;  // snapshot whose rows hold the data; == id unless unchanged

  bool unchanged() const { return status == SnapshotStatus::complete && data_id != id; }
};

// A grant by position, as SnapshotStore::for_each_grant_ref streams it. via and level are valid
// until the stream ends.
struct GrantRef {
  std::uint32_t account = 0;      // index into SnapshotStore::accounts(snapshot)
  std::uint32_t entitlement = 0;  // index into SnapshotStore::entitlements(snapshot)
  const std::string* via = nullptr;
  const std::string* level = nullptr;
};

class SnapshotWriter final : public RecordSink {
 public:
  ~SnapshotWriter() override;

  Result<void> account(const Account& account) override;
  Result<void> entitlement(const Entitlement& entitlement) override;
  Result<void> grant(const Grant& grant) override;
  // Kept until commit (an account may arrive after its credential); a second credential with
  // the same (account, id) fails.
  Result<void> credential(const Credential& credential) override;
  // Validates what needs the whole input: every grant's account exists, no grant is listed at
  // two levels. Errors name the grant with `locate` ("grants.csv:14: ..."). Called by
  // commit() when the connector did not call it.
  Result<void> finish(const GrantLocator& locate) override;

  // Validates references (finish(), with grants named "grant record N"; entitlements
  // referenced but not emitted are created from their id), then commits as `complete`. Fails
  // (and stores nothing) on a dangling reference; the caller then calls abort() with that error.
  Result<SnapshotInfo> commit(UnixTime finished_at);
  // Discards the data and records the attempt as partial (records were read) or failed.
  Result<SnapshotInfo> abort(const Error& error, UnixTime finished_at);

  // Records received so far.
  std::int64_t records() const {
    return accounts_.emitted_count + entitlements_.emitted_count + static_cast<std::int64_t>(seen_.size());
  }

 private:
  friend class SnapshotStore;

  // Ids seen so far, numbered in first-seen order (the `idx` columns). An id can be referenced
  // by a grant before its own record arrives; `emitted` tells which records have arrived.
  struct IdNumbers {
    std::unordered_map<std::string, std::int64_t> index;
    std::vector<char> emitted;
    std::vector<const std::string*> names;  // by number; keys of `index`, stable
    std::int64_t emitted_count = 0;
    // The number given last: exports list an account's grants together and repeat few vias and
    // levels, so most lookups are this one and skip the hash (26% of the ingest profile).
    std::int64_t last = -1;
    std::int64_t number(const std::string& id);
  };
  // A grant by numbers: received (seen_) or waiting in the current multi-row INSERT batch.
  struct PendingGrant {
    std::uint32_t account, entitlement, via, level;
    std::uint32_t seq;  // arrival order, to name the record in errors
  };

  SnapshotWriter(Database& db, std::string system, std::string connector_type, UnixTime started_at);
  Result<void> start();
  Result<void> insert_entitlement(const Entitlement& e, std::int64_t idx);
  Result<void> write_grants(const GrantLocator& locate);
  Result<void> flush_grants();
  Result<void> write_credentials();

  Database& db_;
  std::string system_;
  std::string connector_type_;
  UnixTime started_at_;
  std::int64_t id_ = 0;
  bool open_ = false;
  std::optional<Statement> insert_account_, insert_entitlement_, insert_grants_, insert_grant_;
  std::vector<PendingGrant> pending_;
  std::int64_t grant_first_ = 0, grant_last_ = 0;  // rowid range written so far
  IdNumbers accounts_;
  IdNumbers entitlements_;
  // Every grant received, written at commit: sorted, repeats dropped, two levels rejected.
  std::vector<PendingGrant> seen_;
  // Accounts named by a grant before their own record arrived: number -> first such grant.
  std::unordered_map<std::int64_t, std::uint32_t> referenced_early_;
  bool finished_ = false;
  IdNumbers vias_;
  IdNumbers levels_;
  std::int64_t grants_ = 0;
  MultisetDigest digest_;
  std::string scratch_;
  std::vector<Credential> credentials_;
  std::unordered_map<std::string, std::uint32_t> credential_keys_;  // account \x1f id -> position
};

class SnapshotStore {
 public:
  explicit SnapshotStore(Database& db) : db_(db) {}

  // Starts a snapshot; the returned writer holds the database's write transaction until
  // commit() or abort(). Fails when another process is writing (after a short busy wait).
  Result<std::unique_ptr<SnapshotWriter>> begin(const std::string& system,
                                                const std::string& connector_type,
                                                UnixTime started_at);

  // The most recent snapshot row of the system, whatever its status; nullopt if none.
  Result<std::optional<SnapshotInfo>> latest(const std::string& system);
  // The most recent complete snapshot of the system; nullopt if none.
  Result<std::optional<SnapshotInfo>> latest_complete(const std::string& system);
  Result<std::optional<SnapshotInfo>> get(std::int64_t snapshot_id);
  // Snapshot rows, newest first; all systems when `system` is empty.
  Result<std::vector<SnapshotInfo>> list(const std::string& system, int limit);

  // Readers over the data of a complete snapshot (data_id is resolved), ordered by id.
  Result<std::vector<Account>> accounts(const SnapshotInfo& snapshot);
  Result<std::vector<Entitlement>> entitlements(const SnapshotInfo& snapshot);
  // Ordered by (account_id, id).
  Result<std::vector<Credential>> credentials(const SnapshotInfo& snapshot);
  // Streams grants ordered by (account_id, entitlement_id, via); fn may fail to stop early.
  // Memory: one small record per grant of the snapshot (16 bytes each).
  Result<void> for_each_grant(const SnapshotInfo& snapshot,
                              const std::function<Result<void>(const Grant&)>& fn);
  // The same stream without a string per grant: GrantRef::account is the account's position in
  // accounts(snapshot), GrantRef::entitlement the entitlement's in entitlements(snapshot) (both
  // ordered by id), so a caller holding those lists merges by integers. Fails naming the
  // snapshot when a grant refers to an account or entitlement the snapshot does not hold.
  Result<void> for_each_grant_ref(const SnapshotInfo& snapshot,
                                  const std::function<Result<void>(const GrantRef&)>& fn);

 private:
  Database& db_;
};

}  // namespace rollcall::store
