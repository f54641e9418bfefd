// Scan history: every `rollcall scan` is stored with its basis (roster and policy digests, the
// snapshot each system was read from) and its findings, keyed by their stable fingerprints, so
// the next scan can tell new from persisting, keep first-seen dates and list what was resolved.
//
// The store treats the JSON columns (snapshots, summary, evidence) as opaque text; the drift
// engine owns their shape. Statuses are plain strings: new, persisting, excepted, resolved,
// carried (a finding of a system that was incomplete in this scan, kept from the scan before).
// Not thread-safe, like the Database it borrows.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"
#include "scanner/store/sqlite.hpp"

namespace rollcall::store {

struct ScanRecord {
  std::int64_t id = 0;
  UnixTime started_at = 0;
  UnixTime finished_at = 0;
  std::string roster_digest;
  std::string policy_digest;
  std::string snapshots_json = "[]";
  std::string summary_json = "{}";
};

struct FindingRecord {
  std::string fingerprint;
  std::string kind;
  std::string severity;
  std::string status;
  std::string system;
  std::string account_id;
  std::string account_login;
  std::string person_id;  // the person's roster email, or ""
  std::string person_name;
  std::string entitlement_id;
  std::string expected;
  std::string actual;
  std::string message;
  UnixTime first_seen = 0;
  std::string evidence_json = "{}";
  std::string owner;             // the team the finding is routed to, or ""
  std::string facts_json = "{}";  // structured facts (scanner/core/finding_kind.hpp)
};

// What relating a scan to the previous one needs of each stored finding.
struct FindingKey {
  std::string fingerprint;
  std::string kind;
  std::string system;
  std::string status;
  UnixTime first_seen = 0;
};

// A system's reusable result in one scan (see drift::run_scan): the digest of its inputs, the
// time until which it holds, and the state beyond its findings (opaque JSON).
struct SystemRecord {
  std::string system;
  std::string inputs;
  UnixTime valid_until = 0;
  std::string state_json = "{}";
};

class ScanStore {
 public:
  explicit ScanStore(Database& db) : db_(db) {}

  // Stores the scan, all its findings and its reusable system results in one transaction (one prepared statement, rows in
  // fingerprint order) and returns the new scan id; scan.id is ignored. Fails, storing nothing, on a SQL error or
  // a duplicate fingerprint.
  Result<std::int64_t> save(const ScanRecord& scan, const std::vector<FindingRecord>& findings,
                            const std::vector<SystemRecord>& systems = {});
  // The same, with the `count` findings produced one at a time by record_at(i, out), so they are
  // never all held as records at once; give them in fingerprint order (the index then grows at
  // its end).
  Result<std::int64_t> save(const ScanRecord& scan, std::size_t count,
                            const std::function<void(std::size_t, FindingRecord&)>& record_at,
                            const std::vector<SystemRecord>& systems = {});
  // The reusable system results stored with a scan, ordered by system; empty when none.
  Result<std::vector<SystemRecord>> systems(std::int64_t scan_id);

  Result<std::optional<ScanRecord>> get(std::int64_t scan_id);
  // The most recent scan; nullopt when none was stored yet.
  Result<std::optional<ScanRecord>> latest();
  // Scans, newest first, at most `limit`.
  Result<std::vector<ScanRecord>> list(int limit);
  // The findings stored for a scan (every status), ordered by fingerprint.
  Result<std::vector<FindingRecord>> findings(std::int64_t scan_id);
  // The same findings without their texts and evidence: cheap to read for 100k findings.
  Result<std::vector<FindingKey>> finding_keys(std::int64_t scan_id);
  // The findings of a scan with these fingerprints, in the order given; a fingerprint the scan
  // does not hold is skipped.
  Result<std::vector<FindingRecord>> findings(std::int64_t scan_id, const std::vector<std::string>& fingerprints);

 private:
  Database& db_;
};

}  // namespace rollcall::store
