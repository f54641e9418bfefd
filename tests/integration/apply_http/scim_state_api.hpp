// A stateful fake SCIM 2.0 service provider on a FakeServer, for apply tests: it holds users
// and groups, answers the reads both SCIM sides make (paged lists, `eq` filters on userName
// and displayName, single resources, attributes/excludedAttributes=members) and APPLIES the
// writes the SCIM writer sends (PATCH add/remove members, PATCH replace active, POST /Users
// with userName uniqueness). It counts every write request it receives.
//
// The incident: with `answer_writes_after`, a write takes effect at once but is answered only
// after that delay, like a server that applied a change and then stalled past the client's
// timeout. Thread-safe: handlers run on the server's threads while the test inspects state.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/http/fake_server.hpp"

namespace rollcall::testing {

class ScimStateApi {
 public:
  struct User {
    std::string id;
    std::string user_name;  // also the primary work email
    bool active = true;
  };
  struct Group {
    std::string id;
    std::string name;
    std::vector<std::string> members;  // user ids, direct
  };

  // Serves under `base` ("/scim/v2") and accepts `Authorization: Bearer <token>`.
  ScimStateApi(FakeServer& server, std::string token, std::string base = "/scim/v2");

  void add_user(User user);
  void add_group(Group group);
  void remove_user(const std::string& id);
  void set_active(const std::string& id, bool active);
  void set_answer_writes_after(std::chrono::milliseconds delay);
  // The next POST /Users first adds `user`, as another tool racing the writer would.
  void race_next_create(User user);

  std::string base_url() const { return server_.url() + base_; }
  // POST/PATCH requests received so far, whether or not they changed anything.
  int writes() const;
  std::vector<std::string> members(const std::string& group_id) const;
  // Users whose userName is `user_name` (any case).
  int users_named(const std::string& user_name) const;
  bool active(const std::string& id) const;

 private:
  bool authorized(const httplib::Request& req, httplib::Response& res) const;
  void route_user(const std::string& id);
  void route_group(const std::string& id);
  void pause_before_answer() const;  // the incident's stall, outside the lock

  FakeServer& server_;
  std::string token_;
  std::string base_;
  mutable std::mutex mutex_;
  std::vector<User> users_;    // in creation order
  std::vector<Group> groups_;
  int writes_ = 0;
  int next_id_ = 1000;
  std::chrono::milliseconds answer_writes_after_{0};
  std::optional<User> race_;
};

}  // namespace rollcall::testing
