// Fake SCIM 2.0, GitHub REST and Slack Web API services on a FakeServer, reproducing the
// documented response shapes and paging of each (SCIM ListResponse with startIndex/count/
// totalResults; GitHub arrays with Link rel="next"; Slack {"ok":true,...,"response_metadata":
// {"next_cursor":...}}), and each API's way of rejecting a bad token. Fill the data, then
// install() the routes. Page sizes can be capped below what the client asks for, to produce
// hundreds of pages from little data.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/http/fake_server.hpp"

namespace rollcall::testing {

// "a\"b" -> "\"a\\\"b\"": a JSON string literal.
std::string json_string(const std::string& s);

class FakeScimApi {
 public:
  struct User {
    std::string id;
    std::string user_name;
    std::string email;
    std::string display_name;
    bool active = true;
    std::string employee_number;
  };
  struct Group {
    std::string id;
    std::string name;
    std::vector<std::string> members;  // user ids
  };

  FakeScimApi(FakeServer& server, std::string token, std::string base = "/scim/v2")
      : server_(server), token_(std::move(token)), base_(std::move(base)) {}

  std::vector<User> users;
  std::vector<Group> groups;
  std::size_t max_count = 0;  // caps `count`; 0 = no cap

  // n users u000001.., and groups of `group_size` consecutive users until `memberships` are given.
  void generate(std::size_t n, std::size_t memberships = 0, std::size_t group_size = 50);
  void install();
  std::string base_url() const { return server_.url() + base_; }

 private:
  FakeServer& server_;
  std::string token_;
  std::string base_;
};

class FakeGithubApi {
 public:
  struct User {
    std::string login;
    std::int64_t id = 0;
    bool bot = false;
  };
  struct Team {
    std::string slug;
    std::string parent;                    // slug; "" = top level
    std::vector<std::string> members;      // direct
    std::set<std::string> maintainers;     // subset of members
  };
  struct Repo {
    std::string name;
    std::map<std::string, std::string> direct;  // login -> role_name
    std::map<std::string, std::string> teams;   // slug -> permission (pull/triage/push/maintain/admin)
  };

  FakeGithubApi(FakeServer& server, std::string org, std::string token)
      : server_(server), org_(std::move(org)), token_(std::move(token)) {}

  std::vector<User> members;
  std::set<std::string> owners;
  std::set<std::string> no_2fa;
  std::vector<User> outside;
  std::vector<Team> teams;
  std::vector<Repo> repos;
  std::vector<std::string> invited_emails;
  std::size_t max_per_page = 100;

  // n members m00001.. (the first an owner), two teams (the second a child of the first), and
  // one repository with a direct collaborator and a team.
  void generate(std::size_t n);
  void install();

 private:
  std::vector<std::string> team_members(const std::string& slug) const;  // with child teams
  void page(const httplib::Request& req, httplib::Response& res, const std::vector<std::string>& items) const;
  bool authorized(const httplib::Request& req, httplib::Response& res) const;
  std::string user_json(const std::string& login, const std::string& extra = "") const;

  FakeServer& server_;
  std::string org_;
  std::string token_;
  std::map<std::string, User> by_login_;
};

class FakeSlackApi {
 public:
  struct User {
    std::string id;
    std::string name;
    std::string email;
    bool admin = false;
    bool owner = false;
    bool deleted = false;
    bool bot = false;
  };
  struct Group {
    std::string id;
    std::string handle;
    std::vector<std::string> users;
  };
  struct Channel {
    std::string id;
    std::string name;
    std::vector<std::string> members;
  };

  FakeSlackApi(FakeServer& server, std::string token) : server_(server), token_(std::move(token)) {}

  std::vector<User> users;
  std::vector<Group> usergroups;
  std::vector<Channel> channels;
  std::size_t max_limit = 200;

  // n users U00001.. (the first the owner), one user group of the first ten.
  void generate(std::size_t n);
  void install();

 private:
  void page(const httplib::Request& req, httplib::Response& res, const std::string& key,
            const std::vector<std::string>& items) const;
  bool authorized(const httplib::Request& req, httplib::Response& res) const;

  FakeServer& server_;
  std::string token_;
};

}  // namespace rollcall::testing
