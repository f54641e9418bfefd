// Test helpers for the HTTP connectors' writers: build a writer from a system config over a
// FakeTransport, and run scanner/plan's apply_plan with it on an in-memory store.
#pragma once

#include <catch2/catch.hpp>

#include "scanner/plan/apply.hpp"
#include "tests/unit/http/support.hpp"

namespace rollcall::testing {

inline std::unique_ptr<connectors::Writer> make_writer(ConnectorFixture& fx, const connectors::ConnectorType& type,
                                                       const config::SystemConfig& system) {
  REQUIRE(type.create_writer);
  auto w = type.create_writer(system, fx.env());
  INFO((w ? std::string() : w.error().message()));
  REQUIRE(w.ok());
  return std::move(w).value();
}

// The error text of a failed result.
template <class T>
std::string error_text(const Result<T>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

// "METHOD /path body" of every request that was not a GET.
inline std::vector<std::string> writes(const FakeTransport& t) {
  std::vector<std::string> out;
  for (const auto& r : t.sent()) {
    if (r.method == http::Method::get) continue;
    out.push_back(std::string(http::to_string(r.method)) + " " + FakeTransport::path_of(r.url) +
                  (r.body.empty() ? "" : " " + r.body));
  }
  return out;
}

inline plan::Action plan_action(plan::ActionType type, std::string system, std::string account, std::string entitlement,
                                std::string before, std::string after) {
  plan::Action a;
  a.type = type;
  a.system = std::move(system);
  a.account_id = account;
  a.account_login = std::move(account);
  a.entitlement_id = std::move(entitlement);
  a.before = std::move(before);
  a.after = std::move(after);
  a.id = std::string(plan::to_string(type)) + "-" + a.account_id + "-" + a.entitlement_id;
  return a;
}

// Applies `p` with `writer` and returns each action's "outcome: detail".
inline std::vector<std::string> apply_with(const plan::Plan& p, store::Database& db, connectors::Writer& writer) {
  auto reports = plan::apply_plan(p, db, [&](const std::string&) -> Result<connectors::Writer*> { return &writer; },
                                  plan::ApplyOptions{}, {});
  REQUIRE(reports.ok());
  std::vector<std::string> out;
  for (const auto& r : *reports) {
    out.push_back(std::string(plan::to_string(r.outcome)) + (r.detail.empty() ? "" : ": " + r.detail));
  }
  return out;
}

}  // namespace rollcall::testing
