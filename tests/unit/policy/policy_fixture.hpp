// A workspace for policy tests: policy files in a TempDir, a roster built in memory, the
// example system names, and a fixed "now".
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "policies/engine/policy.hpp"
#include "tests/support/temp_dir.hpp"

namespace rollcall::policy::testing {

inline UnixTime at(const std::string& iso) { return *parse_iso8601(iso); }

struct PolicyWorkspace {
  rollcall::testing::TempDir dir;
  roster::Roster roster;
  std::vector<std::string> systems = {"github", "slack", "okta", "postgres", "netsuite"};
  UnixTime now = at("2026-11-20T09:00:00Z");
  Limits limits;

  PolicyWorkspace() { roster.path = dir / "roster.csv"; }

  void file(const std::string& name, const std::string& text) { dir.write("policies/" + name, text); }

  roster::Person& person(const std::string& email, std::vector<std::string> roles = {}) {
    roster::Person p;
    p.email = email;
    p.employee_id = "E" + std::to_string(roster.people.size() + 1);
    p.name = email.substr(0, email.find('@'));
    p.roles = std::move(roles);
    p.line = static_cast<int>(roster.people.size()) + 2;
    roster.people.push_back(std::move(p));
    roster.index();
    return roster.people.back();
  }

  const roster::Person& get(const std::string& email) const { return *roster.find_by_email(email); }

  Result<std::unique_ptr<PolicyEngine>> try_load() {
    roster.index();
    return PolicyEngine::load(dir / "policies", dir.path(), systems, roster, now, limits);
  }

  std::unique_ptr<PolicyEngine> load() {
    auto r = try_load();
    if (!r) FAIL("load failed: " << r.error().message());
    return std::move(r).value();
  }

  // The load error message (the test fails when loading succeeds).
  std::string load_error() {
    auto r = try_load();
    if (r) FAIL("load succeeded, expected an error");
    return r.error().message();
  }
};

// Evaluates and fails the test on error.
inline PersonAccess evaluate(PolicyEngine& engine, const roster::Person& person) {
  auto r = engine.evaluate(person);
  if (!r) FAIL("evaluate failed: " << r.error().message());
  return std::move(r).value();
}

inline std::string evaluate_error(PolicyEngine& engine, const roster::Person& person) {
  auto r = engine.evaluate(person);
  if (r) FAIL("evaluate succeeded, expected an error");
  return r.error().message();
}

// "github team:platform member" per grant, for compact assertions.
inline std::vector<std::string> grant_lines(const PersonAccess& access) {
  std::vector<std::string> out;
  for (const auto& g : access.grants) {
    out.push_back(g.system + " " + g.entitlement_id + " " + g.level + (g.privileged ? " privileged" : ""));
  }
  return out;
}

inline std::vector<std::string> role_names(const PersonAccess& access) {
  std::vector<std::string> out;
  for (const auto& r : access.roles) out.push_back(r.role);
  return out;
}

}  // namespace rollcall::policy::testing
