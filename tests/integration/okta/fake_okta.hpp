// A stateful fake of the Okta Management API on a FakeServer, for the okta connector and writer
// tests and bench/okta_bench. It serves what rollcall reads and writes with Okta's shapes and
// habits:
//   - lists paged with limit/after and TWO Link headers (rel="self", rel="next"), each limit
//     capped at the endpoint's documented maximum (and at `max_page`, to make many pages);
//     /api/v1/iam/assignees/users paged by _links.next.href in the body;
//   - /api/v1/users without a filter leaves DEPROVISIONED users out, as Okta does;
//   - X-Rate-Limit-Limit/-Remaining/-Reset on every answer; errors as {errorCode, errorSummary,
//     errorCauses};
//   - auth by "SSWS <token>" or an OAuth access token from POST /oauth2/v1/token, whose
//     private_key_jwt client assertion is verified (RS256 over the registered public key, iss,
//     sub, aud, a lifetime of at most an hour); expire_token_after(n) makes the current access
//     token invalid (401 E0000011) after n more API requests, as if it had expired;
//   - writes that change state: group membership PUT/DELETE (OKTA_GROUP only), user lifecycle
//     (suspend, unsuspend, activate, deactivate, with Okta's refusals), POST /api/v1/users
//     (login uniqueness across every status); answer_writes_after(d) applies a write at once
//     and answers only after d (the timeout-after-success incident).
// Thread-safe: handlers run on the server's threads while the test reads state.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <unordered_map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/http/fake_server.hpp"

namespace rollcall::testing {

class FakeOkta {
 public:
  struct User {
    std::string id;
    std::string login;
    std::string status = "ACTIVE";
    std::string first = "Test";
    std::string last = "User";
    std::string employee_number;
    std::string last_login;  // ISO 8601, "" = never
  };
  struct Group {
    std::string id;
    std::string name;
    std::string type = "OKTA_GROUP";  // APP_GROUP, BUILT_IN
    std::vector<std::string> members;  // user ids
    std::vector<std::string> roles;    // admin role types assigned to the group
  };
  struct AppUser {
    std::string user_id;
    std::string scope = "USER";  // or GROUP
    std::string username;
  };
  struct App {
    std::string id;
    std::string name;   // the app's catalog name ("github_enterprise", "saasure")
    std::string label;
    std::string status = "ACTIVE";
    std::vector<AppUser> users;
    std::vector<std::string> groups;  // assigned group ids
  };
  struct Factor {
    std::string type;  // push, token:software:totp, ...
    std::string status = "ACTIVE";
  };

  // Serves the API at server.url(); `api_token` is accepted as "SSWS <api_token>".
  FakeOkta(FakeServer& server, std::string api_token);

  // Accepts OAuth client `client_id` whose assertions verify with `public_key_pem`.
  void enable_oauth(std::string client_id, std::string public_key_pem);

  // Data (before install(); through the methods below afterwards).
  std::vector<User> users;
  std::vector<Group> groups;
  std::vector<App> apps;
  std::map<std::string, std::vector<std::string>> user_roles;  // user id -> role types (direct)
  std::map<std::string, std::vector<Factor>> factors;
  std::size_t max_page = 0;       // caps every limit; 0 = the endpoint maxima only
  bool per_user_routes = true;    // false: no /users/{id}/... routes (the benchmark's 100k users)

  // n users, g groups of `memberships / g` consecutive users each, a apps each assigned to two
  // groups and to 10 users directly (usernames set), and 5 super admins. Deterministic.
  void generate(std::size_t n, std::size_t g, std::size_t memberships, std::size_t a);
  void install();

  // Test controls and inspection (thread-safe).
  void expire_token_after(int requests);
  void set_answer_writes_after(std::chrono::milliseconds delay);
  void set_status(const std::string& user_id, const std::string& status);
  int writes() const;
  int token_requests() const;
  std::vector<std::string> requested_scopes() const;  // of the last token request
  std::string status_of(const std::string& user_id) const;
  std::vector<std::string> members(const std::string& group_id) const;
  int users_with_login(const std::string& login) const;
  std::string base_url() const { return server_.url(); }

 private:
  bool authorized(const httplib::Request& req, httplib::Response& res);
  // A page of `total` items, item(i) serializing the i-th (only the page's items are built).
  void list(const httplib::Request& req, httplib::Response& res, std::size_t total,
            const std::function<std::string(std::size_t)>& item, std::size_t endpoint_max,
            std::size_t fallback_limit) const;
  void list(const httplib::Request& req, httplib::Response& res, const std::vector<std::string>& items,
            std::size_t endpoint_max, std::size_t fallback_limit) const;
  void route_user(const User& u);
  void route_group(const Group& g);
  void route_app(const App& a);
  void token(const httplib::Request& req, httplib::Response& res);
  void pause_before_answer() const;
  User* find_user(const std::string& id_or_login);
  Group* find_group(const std::string& id);
  std::string user_json(const User& u) const;

  FakeServer& server_;
  std::string api_token_;
  std::string client_id_;
  std::string public_key_pem_;
  mutable std::mutex mutex_;
  std::string access_token_;
  int token_serial_ = 0;
  int token_requests_ = 0;
  int expire_after_ = -1;  // API requests the current access token has left; -1 = no limit
  std::vector<std::string> scopes_;
  int writes_ = 0;
  int next_id_ = 900000;
  std::unordered_map<std::string, std::size_t> user_index_;   // id and login -> users[i]
  std::unordered_map<std::string, std::size_t> group_index_;  // id -> groups[i]
  std::chrono::milliseconds answer_writes_after_{0};
};

}  // namespace rollcall::testing
