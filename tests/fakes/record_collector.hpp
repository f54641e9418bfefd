// RecordCollector: a RecordSink that keeps what a connector emits, for tests. Stricter than
// the store: a second account or entitlement with one id, or a second grant with one
// (account, entitlement, via), is an error, so a connector that emits duplicates fails its
// tests instead of being silently deduplicated. Header-only.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "scanner/core/record_sink.hpp"

namespace rollcall::testing {

class RecordCollector : public RecordSink {
 public:
  std::vector<Account> accounts;
  std::vector<Entitlement> entitlements;
  std::vector<Grant> grants;
  std::vector<Credential> credentials;

  Result<void> account(const Account& a) override {
    if (!account_ids_.insert(a.id).second) return fail("duplicate account " + a.id);
    accounts.push_back(a);
    return {};
  }
  Result<void> entitlement(const Entitlement& e) override {
    if (!entitlement_ids_.insert(e.id).second) return fail("duplicate entitlement " + e.id);
    entitlements.push_back(e);
    return {};
  }
  Result<void> grant(const Grant& g) override {
    if (!grant_keys_.insert({g.account_id, g.entitlement_id, g.via}).second) {
      return fail("duplicate grant " + g.account_id + " " + g.entitlement_id + " via " + g.via);
    }
    grants.push_back(g);
    return {};
  }
  Result<void> credential(const Credential& c) override {
    if (!credential_keys_.insert({c.account_id, c.id, ""}).second) {
      return fail("duplicate credential " + c.id + " of " + c.account_id);
    }
    credentials.push_back(c);
    return {};
  }

  const Account* find_account(const std::string& id) const {
    for (const auto& a : accounts) {
      if (a.id == id) return &a;
    }
    return nullptr;
  }
  const Entitlement* find_entitlement(const std::string& id) const {
    for (const auto& e : entitlements) {
      if (e.id == id) return &e;
    }
    return nullptr;
  }

  // "account | entitlement | level | via", sorted: a whole snapshot's grants in one comparable
  // value. `account` filters to one account when not empty.
  std::vector<std::string> grant_lines(const std::string& account = "") const {
    std::vector<std::string> out;
    for (const auto& g : grants) {
      if (!account.empty() && g.account_id != account) continue;
      out.push_back(g.account_id + " | " + g.entitlement_id + " | " + g.level + " | " + g.via);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Entitlement ids, sorted, with " !" appended to the privileged ones.
  std::vector<std::string> entitlement_lines() const {
    std::vector<std::string> out;
    for (const auto& e : entitlements) out.push_back(e.id + (e.privileged ? " !" : ""));
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::set<std::string> account_ids_;
  std::set<std::string> entitlement_ids_;
  std::set<std::tuple<std::string, std::string, std::string>> grant_keys_;
  std::set<std::tuple<std::string, std::string, std::string>> credential_keys_;
};

}  // namespace rollcall::testing
