#include "connectors/api/membership_graph.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace rollcall::connectors {

void MembershipGraph::add(const std::string& member, const std::string& group, bool admin,
                          bool inherit) {
  auto [it, inserted] = index_.try_emplace({member, group}, edges_.size());
  if (!inserted) {
    Edge& e = edges_[it->second];
    e.admin = e.admin || admin;
    e.inherit = e.inherit || inherit;
    return;
  }
  edges_.push_back(Edge{member, group, admin, inherit});
  by_member_.emplace(member, it->second);
}

std::vector<const MembershipGraph::Edge*> MembershipGraph::memberships(
    const std::string& start) const {
  std::vector<const Edge*> out;
  std::set<std::string> seen{start};
  std::vector<std::string> todo{start};
  while (!todo.empty()) {
    std::string node = std::move(todo.back());
    todo.pop_back();
    auto [lo, hi] = by_member_.equal_range(node);
    for (auto it = lo; it != hi; ++it) {
      const Edge& e = edges_[it->second];
      out.push_back(&e);
      if (seen.insert(e.group).second) todo.push_back(e.group);
    }
  }
  std::sort(out.begin(), out.end(), [](const Edge* a, const Edge* b) {
    return std::tie(a->group, a->member) < std::tie(b->group, b->member);
  });
  return out;
}

std::vector<std::string> MembershipGraph::inherited(const std::string& start) const {
  std::set<std::string> seen{start};
  std::vector<std::string> todo{start};
  while (!todo.empty()) {
    std::string node = std::move(todo.back());
    todo.pop_back();
    auto [lo, hi] = by_member_.equal_range(node);
    for (auto it = lo; it != hi; ++it) {
      const Edge& e = edges_[it->second];
      if (e.inherit && seen.insert(e.group).second) todo.push_back(e.group);
    }
  }
  seen.erase(start);
  std::vector<std::string> out{start};
  out.insert(out.end(), seen.begin(), seen.end());
  return out;
}

}  // namespace rollcall::connectors
