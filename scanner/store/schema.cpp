// The store's schema, as an append-only list of migrations (see kMigrations in sqlite.cpp).
#include <string_view>
#include <vector>

namespace rollcall::store {

extern const std::vector<std::string_view> kMigrations;
const std::vector<std::string_view> kMigrations = {
    // 1: snapshots of current access.
    R"sql(
CREATE TABLE snapshot (
  id INTEGER PRIMARY KEY,
  system TEXT NOT NULL,
  connector_type TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('complete', 'partial', 'failed')),
  error TEXT NOT NULL DEFAULT '',
  digest TEXT NOT NULL DEFAULT '',
  accounts INTEGER NOT NULL DEFAULT 0,
  entitlements INTEGER NOT NULL DEFAULT 0,
  grants INTEGER NOT NULL DEFAULT 0,
  grant_first INTEGER,  -- rowid range of this snapshot's grants in "grant"
  grant_last INTEGER,
  -- The snapshot whose rows hold this observation's data: itself, or an earlier snapshot of
  -- the same system with the same digest (an unchanged re-observation stores no second copy).
  data_id INTEGER REFERENCES snapshot(id)
);
CREATE INDEX snapshot_by_system ON snapshot(system, id);

-- Within a snapshot, accounts and entitlements are numbered (idx) in first-seen order, and
-- grants refer to them by number: integer keys keep the largest table small and fast.
CREATE TABLE account (
  snapshot_id INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  login TEXT NOT NULL,
  email TEXT NOT NULL,
  display_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  last_login INTEGER,
  created_at INTEGER,
  external_id TEXT NOT NULL,
  attrs TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, account_id)
) WITHOUT ROWID;

CREATE TABLE entitlement (
  snapshot_id INTEGER NOT NULL,
  entitlement_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  privileged INTEGER NOT NULL,
  attrs TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, entitlement_id)
) WITHOUT ROWID;

CREATE TABLE "grant" (
  snapshot_id INTEGER NOT NULL,
  account_idx INTEGER NOT NULL,      -- account.idx in the same snapshot
  entitlement_idx INTEGER NOT NULL,  -- entitlement.idx in the same snapshot
  via TEXT NOT NULL,
  level TEXT NOT NULL
);
-- Grants are de-duplicated by the writer and a snapshot's grants are appended in one
-- transaction, so they occupy one rowid range, recorded in snapshot.grant_rowids: no index to
-- maintain, which keeps a 2M-grant snapshot fast to write.
)sql",
    // 2: scan history. One row per scan with its basis; one row per finding of that scan,
    // keyed by the finding's stable fingerprint. Findings of a system that was incomplete in a
    // scan are carried over from the scan before ('carried'), so history survives a bad night.
    R"sql(
CREATE TABLE scan (
  id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  roster_digest TEXT NOT NULL,
  policy_digest TEXT NOT NULL,
  snapshots TEXT NOT NULL,  -- JSON array: the snapshot each system was read from
  summary TEXT NOT NULL     -- JSON object: counts by status, severity, kind and system
);

CREATE TABLE finding (
  scan_id INTEGER NOT NULL REFERENCES scan(id),
  fingerprint TEXT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('new', 'persisting', 'excepted', 'resolved', 'carried')),
  system TEXT NOT NULL,
  account_id TEXT NOT NULL,
  account_login TEXT NOT NULL,
  person_id TEXT NOT NULL,
  person_name TEXT NOT NULL,
  entitlement_id TEXT NOT NULL,
  expected TEXT NOT NULL,
  actual TEXT NOT NULL,
  message TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  evidence TEXT NOT NULL
);
CREATE UNIQUE INDEX finding_by_scan ON finding(scan_id, fingerprint);
)sql",
    // 3: apply journal. One row per (plan, action), updated as the action moves from pending to
    // done/noop/conflict/failed, so a rerun after a crash skips what was completed.
    R"sql(
CREATE TABLE apply_journal (
  plan_id TEXT NOT NULL,
  action_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'noop', 'conflict', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (plan_id, action_id)
) WITHOUT ROWID;
)sql",
    // 4: the journal as an audit trail: what each action was (its plan line and system), its
    // place in the plan, and when it was first recorded, for `rollcall history --applies`.
    R"sql(
ALTER TABLE apply_journal ADD COLUMN system TEXT NOT NULL DEFAULT '';
ALTER TABLE apply_journal ADD COLUMN action TEXT NOT NULL DEFAULT '';
ALTER TABLE apply_journal ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE apply_journal ADD COLUMN first_at INTEGER NOT NULL DEFAULT 0;
)sql",
    // 5: findings route to a team (owner) and carry their facts as data (a JSON object whose
    // shape scanner/core/finding_kind.hpp owns), so plan never reads the English texts.
    R"sql(
ALTER TABLE finding ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE finding ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
)sql",
    // 6: credentials (access keys, client secrets, certificates, SSH/deploy keys, tokens,
    // passwords) of a snapshot's accounts: ids and dates only, never a secret value.
    R"sql(
CREATE TABLE credential (
  snapshot_id INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  credential_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER,
  last_used_at INTEGER,
  last_used_where TEXT NOT NULL,
  use_recorded INTEGER NOT NULL,
  expires_at INTEGER,
  attrs TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, account_id, credential_id)
) WITHOUT ROWID;
ALTER TABLE snapshot ADD COLUMN credentials INTEGER NOT NULL DEFAULT 0;
)sql",
    // 7: access reviews. review_row is what the last `review export` listed (one row per account
    // or grant, with the digest of its columns, so an edited sheet is caught on import);
    // review_decision is append-only: every imported decision with its reviewer and time.
    R"sql(
CREATE TABLE review_row (
  row_id TEXT PRIMARY KEY,
  manager TEXT NOT NULL,
  person TEXT NOT NULL,
  system TEXT NOT NULL,
  account_id TEXT NOT NULL,
  entitlement_id TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  owner TEXT NOT NULL,
  digest TEXT NOT NULL,
  scan_id INTEGER NOT NULL,
  exported_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE review_decision (
  id INTEGER PRIMARY KEY,
  row_id TEXT NOT NULL,
  system TEXT NOT NULL,
  account_id TEXT NOT NULL,
  entitlement_id TEXT NOT NULL,
  person TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('keep', 'revoke')),
  comment TEXT NOT NULL,
  reviewer TEXT NOT NULL,
  decided_at INTEGER NOT NULL,
  source TEXT NOT NULL
);
CREATE INDEX review_decision_by_row ON review_decision(row_id, id);
)sql",
    // 8: what a scan needs to reuse a system's result in the next scan: the digest of every
    // input the system's check read, until when the clock may move without changing the result,
    // and the state the scan keeps beyond the findings (status, SoD holds), as JSON the drift
    // engine owns.
    R"sql(
CREATE TABLE scan_system (
  scan_id INTEGER NOT NULL REFERENCES scan(id),
  system TEXT NOT NULL,
  inputs TEXT NOT NULL,
  valid_until INTEGER NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (scan_id, system)
) WITHOUT ROWID;
)sql",
};

}  // namespace rollcall::store
