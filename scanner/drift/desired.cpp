#include "scanner/drift/desired.hpp"

#include "scanner/core/strings.hpp"

namespace rollcall::drift {

Result<DesiredState> DesiredState::evaluate(const roster::Roster& roster, policy::PolicyEngine& policy,
                                            const std::vector<std::string>& systems) {
  DesiredState d;
  d.systems_.resize(systems.size());
  for (std::size_t i = 0; i < systems.size(); ++i) d.system_index_[systems[i]] = i;
  d.roles_.reserve(roster.people.size());
  const auto people = static_cast<std::uint32_t>(roster.people.size());
  for (auto& s : d.systems_) s.offsets.assign(people + 1, 0);

  // describe() builds several strings; the same few provenances recur for every person holding
  // a role, so they are described once, keyed by their fields.
  std::unordered_map<std::string, std::pair<std::uint32_t, std::uint32_t>> described;  // -> (text, owner)
  std::unordered_map<std::string, std::string> role_owner, rule_owner;
  for (const auto& r : policy.roles()) role_owner[r.name] = r.owner;
  for (const auto& r : policy.rules()) rule_owner[r.name] = r.owner;
  // The team that wrote the source: the owner of the role listing the entitlement, of the rule,
  // or of the file registering the service account.
  auto owner_of = [&](const policy::Provenance& w) -> std::string {
    if (w.kind == policy::Provenance::Kind::rule) return rule_owner[w.name];
    if (w.kind == policy::Provenance::Kind::role) return role_owner[w.chain.empty() ? w.name : w.chain.back()];
    for (const auto& sa : policy.service_accounts()) {
      if (sa.account == w.name) return sa.policy_owner;
    }
    return {};
  };
  std::string key;
  std::string scratch;
  for (std::uint32_t p = 0; p < people; ++p) {
    RC_ASSIGN(policy::PersonAccess access, policy.evaluate(roster.people[p]));
    scratch.clear();
    for (const auto& r : access.roles) {
      if (!scratch.empty()) scratch += ", ";
      scratch += r.role;
      if (!r.assigned_by.empty()) scratch += " (" + r.assigned_by + ")";
    }
    d.roles_.push_back(d.texts.intern(scratch));
    for (const auto& g : access.grants) {
      auto it = d.system_index_.find(g.system);
      if (it == d.system_index_.end()) {
        return fail("policies desire " + quote(g.entitlement_id) + " for " + roster.people[p].email +
                    " in system " + quote(g.system) + ", which rollcall.toml does not configure");
      }
      SystemDesired& sys = d.systems_[it->second];
      key.clear();
      for (const auto& w : g.why) {
        key += static_cast<char>('0' + static_cast<int>(w.kind));
        key += w.name;
        for (const auto& c : w.chain) (key += '\x1f') += c;
        ((key += '\x1e') += w.source.file) += std::to_string(w.source.line);
        key += '\x1d';
      }
      auto [cached, fresh] = described.try_emplace(key);
      if (fresh) {
        scratch.clear();
        for (const auto& w : g.why) {
          if (!scratch.empty()) scratch += '\n';
          scratch += w.describe();
        }
        cached->second = {d.texts.intern(scratch), d.texts.intern(g.why.empty() ? "" : owner_of(g.why.front()))};
      }
      const auto [prov, owner] = cached->second;
      const std::uint32_t ent = d.entitlements.intern(g.entitlement_id);
      sys.entries.push_back({p, ent, d.levels.intern(g.level), prov, owner});
      if (g.privileged) sys.privileged.insert(ent);
    }
    for (auto& s : d.systems_) s.offsets[p + 1] = static_cast<std::uint32_t>(s.entries.size());
  }
  return d;
}

std::pair<const DesiredEntry*, const DesiredEntry*> DesiredState::of(std::size_t system,
                                                                     std::uint32_t person) const {
  const SystemDesired& s = systems_[system];
  const DesiredEntry* base = s.entries.data();
  return {base + s.offsets[person], base + s.offsets[person + 1]};
}

int DesiredState::system_index(const std::string& name) const {
  auto it = system_index_.find(name);
  return it == system_index_.end() ? -1 : static_cast<int>(it->second);
}

std::size_t DesiredState::grant_count() const {
  std::size_t n = 0;
  for (const auto& s : systems_) n += s.entries.size();
  return n;
}

}  // namespace rollcall::drift
