// RecordSink: where a connector sends what it read from a system. The store implements it
// (see store/snapshot_store.hpp); tests implement it to collect records. A connector only ever
// emits records into a sink: it never opens the database.
//
// Records may arrive in any order: a grant may name an account or entitlement emitted later.
// An entitlement referenced by a grant but never emitted is created from its id.
// A sink method fails when the record is invalid (duplicate account id, empty id); the
// connector then stops and returns that error with its own context (file:line, request).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "scanner/core/model.hpp"
#include "scanner/core/result.hpp"

namespace rollcall {

// Names where the n-th grant (0-based, in the order the sink received them) came from, for
// errors only the whole input can reveal: "grants.csv:14", "export.json: /grants/13".
using GrantLocator = std::function<std::string(std::uint64_t n)>;

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Result<void> account(const Account& account) = 0;
  virtual Result<void> entitlement(const Entitlement& entitlement) = 0;
  virtual Result<void> grant(const Grant& grant) = 0;
  // A credential of an account emitted (before or after) by the same connector.
  virtual Result<void> credential(const Credential& credential) = 0;
  // Optional: called by a connector once it has emitted everything, so that checks needing the
  // whole input (a grant naming an account that never came, one grant at two levels) can fail
  // naming the record through `locate`. A sink that is never told checks at its own end.
  virtual Result<void> finish(const GrantLocator& locate) {
    (void)locate;
    return {};
  }
};

}  // namespace rollcall
