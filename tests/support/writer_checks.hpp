// Helpers for tests of connector writers (connectors/api/writer.hpp): build a Change, read and
// write with the error shown when a step fails, and a live state's level in plan words.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "connectors/api/writer.hpp"

namespace rollcall::testing {

// A change of `type` to `account` (also its login unless `login` is given).
inline connectors::Change make_change(connectors::ChangeType type, const std::string& account,
                                      const std::string& entitlement = "", const std::string& level = "",
                                      const std::string& login = "") {
  connectors::Change c;
  c.type = type;
  c.account_id = account;
  c.account_login = login.empty() ? account : login;
  c.entitlement_id = entitlement;
  c.level = level;
  return c;
}

// The level held, or "absent".
inline std::string level_of(const connectors::LiveState& s) { return s.level.value_or("absent"); }

inline connectors::LiveState must_read(connectors::Writer& w, const connectors::Change& c) {
  auto s = w.read(c);
  INFO((s ? "" : s.error().message()));
  REQUIRE(s.ok());
  return *s;
}

inline void must_write(connectors::Writer& w, const connectors::Change& c) {
  auto r = w.write(c);
  INFO((r ? "" : r.error().message()));
  REQUIRE(r.ok());
}

}  // namespace rollcall::testing
