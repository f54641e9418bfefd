// A PolicyEngine for drift tests: desired grants, exceptions, SoD rules, service accounts,
// settings and a match hook set directly by the test, so the drift engine is tested without Lua.
#pragma once

#include <functional>
#include <map>

#include "policies/engine/policy.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::testing {

class FakePolicy final : public policy::PolicyEngine {
 public:
  // Desires `entitlement` in `system` for the person with `email`, as role "engineer" would.
  void grant(const std::string& email, const std::string& system, const std::string& entitlement,
             const std::string& level = "member", bool privileged = false) {
    policy::DesiredGrant g;
    g.system = system;
    g.entitlement_id = entitlement;
    g.level = level;
    g.privileged = privileged;
    policy::Provenance p;
    p.name = "engineer";
    p.chain = {"engineer"};
    p.assigned_by = "roster role column";
    p.source = {"policies/eng.lua", 3};
    g.why.push_back(p);
    desired_[to_lower(email)].push_back(g);
  }

  Result<policy::PersonAccess> evaluate(const roster::Person& person) override {
    ++evaluations;
    policy::PersonAccess a;
    if (!person.roles.empty()) a.roles.push_back({person.roles.front(), "roster role column"});
    auto it = desired_.find(to_lower(person.email));
    if (it != desired_.end()) a.grants = it->second;
    return a;
  }
  Result<std::optional<std::string>> match(const policy::AccountView& account) override {
    if (!hook) return std::optional<std::string>();
    return hook(account);
  }
  bool has_match_hooks() const override { return static_cast<bool>(hook); }
  bool read_exact_time() const override { return exact_time; }
  const std::vector<policy::ExceptionRule>& exceptions() const override { return exceptions_; }
  const std::vector<policy::SodRule>& sod_rules() const override { return sod_; }
  const std::vector<policy::ServiceAccount>& service_accounts() const override { return services_; }
  const std::vector<policy::Baseline>& baselines() const override { return baselines_; }
  const std::vector<policy::Nesting>& nestings() const override { return nestings_; }
  const policy::Settings& settings() const override { return settings_; }
  const std::vector<policy::RoleInfo>& roles() const override { return roles_; }
  const std::vector<policy::RuleInfo>& rules() const override { return rules_; }
  const std::string& digest() const override { return digest_; }
  std::vector<std::string> warnings() const override { return {}; }

  std::function<Result<std::optional<std::string>>(const policy::AccountView&)> hook;
  std::vector<policy::ExceptionRule> exceptions_;
  std::vector<policy::SodRule> sod_;
  std::vector<policy::ServiceAccount> services_;
  std::vector<policy::Baseline> baselines_;
  std::vector<policy::Nesting> nestings_;
  policy::Settings settings_;
  std::string digest_ = "policy-digest";
  int evaluations = 0;
  bool exact_time = true;  // as if the policies read the exact time: no scan result is reused
  std::vector<policy::RoleInfo> roles_;  // owners for routing; grants come from grant()
  std::vector<policy::RuleInfo> rules_;

 private:
  std::map<std::string, std::vector<policy::DesiredGrant>> desired_;
};

}  // namespace rollcall::testing
