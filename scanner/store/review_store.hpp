// Access reviews in the store: the rows the last `review export` listed (with the digest of each
// row's columns, to catch an edited sheet on import) and every decision imported, append-only,
// with its reviewer and time. The review module owns what the columns mean; this only stores
// them. Not thread-safe, like the Database it borrows.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"
#include "scanner/store/sqlite.hpp"

namespace rollcall::store {

struct ReviewRowRecord {
  std::string row_id;
  std::string manager;
  std::string person;
  std::string system;
  std::string account_id;
  std::string entitlement_id;  // "" for the account itself
  std::string status;          // authorized | finding | other
  std::string reason;
  std::string owner;  // the policy owner (team) of what authorizes or flags it, or ""
  std::string digest;
  std::int64_t scan_id = 0;
  UnixTime exported_at = 0;
};

struct ReviewDecisionRecord {
  std::string row_id;
  std::string system;
  std::string account_id;
  std::string entitlement_id;
  std::string person;
  std::string decision;  // keep | revoke
  std::string comment;
  std::string reviewer;
  UnixTime decided_at = 0;
  std::string source;  // "alice@acme.com.csv:4"
};

class ReviewStore {
 public:
  explicit ReviewStore(Database& db) : db_(db) {}
  // Stores the rows of an export in one transaction; a row id exported before is replaced.
  Result<void> save_rows(const std::vector<ReviewRowRecord>& rows);
  // Every exported row, by row id.
  Result<std::unordered_map<std::string, ReviewRowRecord>> rows();
  // Appends decisions in one transaction: all of them or, on error, none.
  Result<void> record(const std::vector<ReviewDecisionRecord>& decisions);
  // The latest decision per row id, ordered by (system, account_id, entitlement_id).
  Result<std::vector<ReviewDecisionRecord>> latest_decisions();

 private:
  Database& db_;
};

}  // namespace rollcall::store
