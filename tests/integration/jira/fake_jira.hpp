// A stateful fake Jira Cloud site (REST v3) and Atlassian organization admin API on a
// FakeServer, for the jira connector and writer tests. It serves what both sides read - paged
// /users/search (a bare array), /group/bulk and /group/member (page beans with isLast),
// /applicationrole, project roles and their actors, /user and /user/groups, and the org's
// cursor-paged managed accounts - and APPLIES the writes the writer sends (POST and DELETE
// /group/user). Like the real site it hides emailAddress for accounts whose profile visibility
// says so, caps maxResults (page_cap), leaves inactive members out of /group/member unless
// includeInactiveUsers=true, and answers errors as Jira's ErrorCollection.
//
// The incident: with set_answer_writes_after(), a write takes effect at once but is answered
// only after the delay. Thread-safe: handlers run on the server's threads.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/http/fake_server.hpp"

namespace rollcall::testing {

class FakeJira {
 public:
  struct User {
    std::string id;
    std::string name;
    std::string email;
    std::string type = "atlassian";  // atlassian, app, customer
    bool active = true;
    bool email_visible = true;  // profile visibility: false = emailAddress left out
  };
  struct Group {
    std::string name;
    std::string id;
    std::vector<std::string> members;  // account ids
  };
  struct AppRole {
    std::string key;
    std::string name;
    std::vector<std::string> groups;
    std::vector<std::string> default_groups;
  };
  struct ProjectRole {
    std::string project;
    std::string name;
    std::string id;
    std::vector<std::string> users;   // user actors
    std::vector<std::string> groups;  // group actors, by name
  };
  struct OrgUser {
    std::string id;
    std::string email;
    std::string last_active;  // ISO 8601, "" = none
  };

  // The site accepts Basic <email:api_token> and `Bearer <oauth_token>`; the org API accepts
  // `Bearer <org_key>` under /admin/v1/orgs/<org_id>.
  FakeJira(FakeServer& server, std::string email, std::string api_token, std::string oauth_token,
           std::string org_id, std::string org_key);

  // Set these, then install(); later changes to state go through the methods below.
  std::vector<User> users;
  std::vector<Group> groups;
  std::vector<AppRole> roles;
  std::vector<ProjectRole> project_roles;
  std::vector<OrgUser> org_users;
  std::size_t page_cap = 0;      // 0 = honour maxResults; else at most this many per page
  std::size_t org_page_size = 2;  // managed accounts per org API page
  void install();

  void set_answer_writes_after(std::chrono::milliseconds delay);
  void add_member(const std::string& group, const std::string& account);
  int writes() const;  // POST/DELETE requests received, whether or not they changed anything
  std::vector<std::string> members(const std::string& group) const;
  std::string url() const { return server_.url(); }

 private:
  bool site_authorized(const httplib::Request& req, httplib::Response& res) const;
  bool org_authorized(const httplib::Request& req, httplib::Response& res) const;
  void pause_before_answer() const;
  const User* user(const std::string& id) const;  // callers hold mutex_
  Group* group_by_id(const std::string& id);
  std::string user_json(const User& u) const;

  FakeServer& server_;
  std::string basic_;
  std::string bearer_;
  std::string org_id_;
  std::string org_bearer_;
  mutable std::mutex mutex_;
  int writes_ = 0;
  std::chrono::milliseconds answer_writes_after_{0};
};

}  // namespace rollcall::testing
