#include "scanner/preview/policy_diff.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

namespace rollcall::preview {
namespace {

GrantSide side_of(const policy::DesiredGrant& g) {
  GrantSide s{g.level, g.privileged, {}};
  for (const auto& w : g.why) s.why.push_back(w.describe());
  return s;
}

// Merges two grant lists sorted by (system, entitlement_id) into changes for one subject.
void merge(const std::vector<policy::DesiredGrant>& base, const std::vector<policy::DesiredGrant>& head,
           const std::string& subject, const std::string& name, std::vector<AccessChange>& out) {
  auto key = [](const policy::DesiredGrant& g) { return std::tie(g.system, g.entitlement_id); };
  std::size_t i = 0, j = 0;
  while (i < base.size() || j < head.size()) {
    AccessChange c{AccessChangeKind::gained, subject, name, "", "", std::nullopt, std::nullopt};
    if (j == head.size() || (i < base.size() && key(base[i]) < key(head[j]))) {
      c.kind = AccessChangeKind::lost;
      c.system = base[i].system;
      c.entitlement = base[i].entitlement_id;
      c.base = side_of(base[i++]);
    } else if (i == base.size() || key(head[j]) < key(base[i])) {
      c.system = head[j].system;
      c.entitlement = head[j].entitlement_id;
      c.head = side_of(head[j++]);
    } else {
      const bool same = base[i].level == head[j].level;
      if (!same) {
        c.kind = AccessChangeKind::level;
        c.system = head[j].system;
        c.entitlement = head[j].entitlement_id;
        c.base = side_of(base[i]);
        c.head = side_of(head[j]);
      }
      ++i;
      ++j;
      if (same) continue;
    }
    out.push_back(std::move(c));
  }
}

std::vector<policy::DesiredGrant> sorted(std::vector<policy::DesiredGrant> grants) {
  std::sort(grants.begin(), grants.end(), [](const auto& a, const auto& b) {
    return std::tie(a.system, a.entitlement_id) < std::tie(b.system, b.entitlement_id);
  });
  return grants;
}

// Registered service accounts are subjects too: their entitlements are desired access.
void diff_service_accounts(const policy::PolicyEngine& base, const policy::PolicyEngine& head,
                           std::vector<AccessChange>& out) {
  std::map<std::pair<std::string, std::string>, std::pair<const policy::ServiceAccount*, const policy::ServiceAccount*>> all;
  for (const auto& s : base.service_accounts()) all[{s.system, s.account}].first = &s;
  for (const auto& s : head.service_accounts()) all[{s.system, s.account}].second = &s;
  static const std::vector<policy::DesiredGrant> kNone;
  for (const auto& [key, pair] : all) {
    const auto* any = pair.second ? pair.second : pair.first;
    merge(pair.first ? sorted(pair.first->entitlements) : kNone,
          pair.second ? sorted(pair.second->entitlements) : kNone, "service account " + key.second,
          any->description, out);
  }
}

bool excepted(const reports::Finding& f) { return f.status == reports::FindingStatus::excepted; }

}  // namespace

std::string_view to_string(AccessChangeKind k) {
  switch (k) {
    case AccessChangeKind::gained: return "gained";
    case AccessChangeKind::lost: return "lost";
    case AccessChangeKind::level: return "level";
  }
  return "";
}

std::string_view to_string(FindingChangeKind k) {
  switch (k) {
    case FindingChangeKind::appears: return "appears";
    case FindingChangeKind::disappears: return "disappears";
    case FindingChangeKind::now_excepted: return "now_excepted";
    case FindingChangeKind::no_longer_excepted: return "no_longer_excepted";
  }
  return "";
}

Result<std::vector<AccessChange>> diff_access(const roster::Roster& roster, policy::PolicyEngine& base,
                                              policy::PolicyEngine& head) {
  std::vector<AccessChange> out;
  for (const auto& person : roster.people) {
    auto before = base.evaluate(person);
    if (!before) return before.context("base policies");
    auto after = head.evaluate(person);
    if (!after) return after.context("changed policies");
    merge(before->grants, after->grants, person.email, person.name, out);
  }
  std::vector<AccessChange> services;
  diff_service_accounts(base, head, services);
  // People first in roster order would hide a person among thousands; sort by subject.
  std::stable_sort(out.begin(), out.end(), [](const AccessChange& a, const AccessChange& b) {
    return std::tie(a.subject, a.system, a.entitlement) < std::tie(b.subject, b.system, b.entitlement);
  });
  std::stable_sort(services.begin(), services.end(), [](const AccessChange& a, const AccessChange& b) {
    return std::tie(a.system, a.subject, a.entitlement) < std::tie(b.system, b.subject, b.entitlement);
  });
  out.insert(out.end(), std::make_move_iterator(services.begin()), std::make_move_iterator(services.end()));
  return out;
}

std::vector<FindingChange> diff_findings(const std::vector<reports::Finding>& base,
                                         const std::vector<reports::Finding>& head) {
  std::unordered_map<std::string_view, const reports::Finding*> before;
  for (const auto& f : base) before.emplace(f.fingerprint, &f);
  std::unordered_map<std::string_view, bool> seen;
  std::vector<FindingChange> out;
  for (const auto& f : head) {
    seen.emplace(f.fingerprint, true);
    auto it = before.find(f.fingerprint);
    if (it == before.end()) {
      out.push_back({FindingChangeKind::appears, f});
    } else if (excepted(f) != excepted(*it->second)) {
      out.push_back({excepted(f) ? FindingChangeKind::now_excepted : FindingChangeKind::no_longer_excepted, f});
    }
  }
  for (const auto& f : base) {
    if (!seen.count(f.fingerprint)) out.push_back({FindingChangeKind::disappears, f});
  }
  // Inputs are in report order; keep it within each kind of change.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.kind < b.kind; });
  return out;
}

}  // namespace rollcall::preview
