#include "scanner/drift/desired.hpp"

#include <optional>

#include "scanner/core/strings.hpp"

namespace rollcall::drift {

Result<DesiredState> DesiredState::evaluate(const roster::Roster& roster, policy::PolicyEngine& policy,
                                            const std::vector<std::string>& systems, Evaluation mode) {
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
  // People who share an evaluation class (policy::PolicyEngine::evaluation_class) get the same
  // entries: evaluated once per class, copied for the others with their own roles text.
  struct Memo {
    std::vector<std::string> roles;  // role names, as evaluate() listed them
    std::vector<std::vector<DesiredEntry>> entries;  // per system; person fields unset
  };
  std::unordered_map<std::string, Memo> memos;
  auto roles_text = [&](const std::vector<std::string>& roles, const std::vector<const std::string*>& by) {
    std::string text;
    for (std::size_t i = 0; i < roles.size(); ++i) {
      if (!text.empty()) text += ", ";
      text += roles[i];
      if (!by[i]->empty()) text += " (" + *by[i] + ")";
    }
    return d.texts.intern(text);
  };
  std::string key;
  std::string scratch;
  std::vector<std::string> role_names;
  std::vector<const std::string*> role_by;
  for (std::uint32_t p = 0; p < people; ++p) {
    std::optional<policy::PolicyEngine::EvaluationClass> cls;
    if (mode == Evaluation::memoized) cls = policy.evaluation_class(roster.people[p]);
    if (cls) {
      auto memo = memos.find(cls->key);
      if (memo != memos.end()) {
        role_by.assign(memo->second.roles.size(), &cls->assigned_by);
        d.roles_.push_back(roles_text(memo->second.roles, role_by));
        for (std::size_t i = 0; i < d.systems_.size(); ++i) {
          SystemDesired& sys = d.systems_[i];
          for (DesiredEntry e : memo->second.entries[i]) {
            e.person = p;
            sys.entries.push_back(e);
          }
          sys.offsets[p + 1] = static_cast<std::uint32_t>(sys.entries.size());
        }
        continue;
      }
    }
    RC_ASSIGN(policy::PersonAccess access, policy.evaluate(roster.people[p]));
    role_names.clear();
    role_by.clear();
    for (const auto& r : access.roles) {
      role_names.push_back(r.role);
      role_by.push_back(&r.assigned_by);
    }
    d.roles_.push_back(roles_text(role_names, role_by));
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
    if (cls) {
      Memo& memo = memos[cls->key];
      memo.roles = role_names;
      memo.entries.resize(d.systems_.size());
      for (std::size_t i = 0; i < d.systems_.size(); ++i) {
        const SystemDesired& sys = d.systems_[i];
        memo.entries[i].assign(sys.entries.begin() + sys.offsets[p], sys.entries.end());
      }
    }
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
