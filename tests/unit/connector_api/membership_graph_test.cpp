#include <catch2/catch.hpp>

#include "connectors/api/membership_graph.hpp"

using rollcall::connectors::MembershipGraph;

namespace {

// "member > group [admin] [noinherit]" for each edge within reach of `start`.
std::vector<std::string> lines(const MembershipGraph& g, const std::string& start) {
  std::vector<std::string> out;
  for (const auto* e : g.memberships(start)) {
    out.push_back(e->member + " > " + e->group + (e->admin ? " admin" : "") +
                  (e->inherit ? "" : " noinherit"));
  }
  return out;
}

}  // namespace

TEST_CASE("membership graph: every edge within reach, ordered by group then member",
          "[connector][membership]") {
  MembershipGraph g;
  g.add("alice", "db_admin");
  g.add("db_admin", "app_rw", true);
  g.add("db_admin", "app_owner");
  g.add("app_rw", "app_ro");
  g.add("bob", "app_ro");  // not reachable from alice
  CHECK(lines(g, "alice") == std::vector<std::string>{
      "db_admin > app_owner", "app_rw > app_ro", "db_admin > app_rw admin", "alice > db_admin"});
  CHECK(lines(g, "bob") == std::vector<std::string>{"bob > app_ro"});
  CHECK(lines(g, "nobody").empty());
}

TEST_CASE("membership graph: a diamond yields one edge per path's last link",
          "[connector][membership]") {
  MembershipGraph g;
  g.add("u", "a");
  g.add("u", "b");
  g.add("a", "top");
  g.add("b", "top");
  CHECK(lines(g, "u") == std::vector<std::string>{"u > a", "u > b", "a > top", "b > top"});
}

TEST_CASE("membership graph: cycles end the walk", "[connector][membership]") {
  MembershipGraph g;
  g.add("eve", "loop-b");
  g.add("loop-b", "loop-a");
  g.add("loop-a", "loop-b");
  g.add("loop-a", "loop-a");
  CHECK(lines(g, "eve") == std::vector<std::string>{"loop-a > loop-a", "loop-b > loop-a",
                                                    "eve > loop-b", "loop-a > loop-b"});
  CHECK(g.inherited("eve") == std::vector<std::string>{"eve", "loop-a", "loop-b"});
}

TEST_CASE("membership graph: inherited() stops at links that do not inherit",
          "[connector][membership]") {
  MembershipGraph g;
  g.add("bob", "rw", false, /*inherit=*/false);
  g.add("rw", "ro");
  g.add("carol", "rw");
  CHECK(g.inherited("bob") == std::vector<std::string>{"bob"});
  CHECK(g.inherited("carol") == std::vector<std::string>{"carol", "ro", "rw"});
  // Membership ignores inheritance: bob can still switch to rw and from there to ro.
  CHECK(lines(g, "bob") == std::vector<std::string>{"rw > ro", "bob > rw noinherit"});
}

TEST_CASE("membership graph: adding a pair again ORs admin and inherit",
          "[connector][membership]") {
  MembershipGraph g;
  g.add("m", "g", false, false);
  g.add("m", "g", true, false);
  g.add("m", "g", false, true);
  CHECK(lines(g, "m") == std::vector<std::string>{"m > g admin"});
}
