// Nested memberships: roles granted to roles (PostgreSQL), groups inside groups (LDAP, and any
// system whose groups nest). A connector adds one edge per direct membership and asks, per
// account, which memberships it holds directly or through others, so every connector resolves
// nesting the same way: a grant's `via` is the group whose own membership confers it.
//
// Nodes are ids chosen by the connector (role names, normalized DNs). Cycles are allowed and
// end the walk. Not thread-safe for writes; const methods may run concurrently.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rollcall::connectors {

class MembershipGraph {
 public:
  struct Edge {
    std::string member;
    std::string group;
    bool admin = false;   // the member may grant the group onward (PostgreSQL's ADMIN OPTION)
    bool inherit = true;  // the member uses the group's rights without switching to it first
  };

  // Records that `member` belongs to `group`. Adding the same pair again ORs admin and
  // inherit (PostgreSQL 16 keeps one row per grantor).
  void add(const std::string& member, const std::string& group, bool admin = false,
           bool inherit = true);

  // Every membership edge within reach of `start`: the edges whose member is `start` or a
  // group `start` reaches through any chain of edges. Each edge once, ordered by (group,
  // member). An edge whose member is `start` is a direct membership; any other is inherited
  // through its member.
  std::vector<const Edge*> memberships(const std::string& start) const;

  // `start` followed by every group whose rights it uses without switching: those reached
  // through chains of edges that all have inherit = true. Sorted after `start`, no repeats.
  std::vector<std::string> inherited(const std::string& start) const;

 private:
  std::vector<Edge> edges_;
  std::map<std::pair<std::string, std::string>, std::size_t> index_;  // (member, group) -> edge
  std::multimap<std::string, std::size_t> by_member_;
};

}  // namespace rollcall::connectors
