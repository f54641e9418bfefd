// FakeGraph: Microsoft Graph v1.0 and the Microsoft identity platform token endpoint on a
// FakeServer (cpp-httplib, in process), stateful, with the documented shapes: OData lists
// {"value":[...],"@odata.nextLink":"<absolute URL with $skiptoken>"} capped at $top (and at
// page_cap), directory objects with "@odata.type", Graph errors {"error":{"code","message"}},
// and the token endpoint's {"token_type":"Bearer","expires_in":...,"access_token":...}.
//
// Failure modes as the real services show them: a token that is expired or unknown gets 401
// InvalidAuthenticationToken; $select=signInActivity without AuditLog.Read.All gets 403
// Authorization_RequestDenied; a wrong client secret gets 401 invalid_client (AADSTS7000215);
// a client assertion is verified like Entra does (RS256 over the certificate's key, x5t = the
// certificate's SHA-1 thumbprint, aud = the token URL, iss = sub = client id, not expired).
// 429 with Retry-After and failing pages come from FakeServer::inject.
//
// Writes (PATCH users, POST/DELETE members/$ref) change the state; each can be answered after
// a delay, to stage a write that takes effect while the client has given up waiting.
// Thread-safe: handlers run on the server's worker threads.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/http/fake_server.hpp"

namespace rollcall::testing {

class FakeGraph {
 public:
  struct User {
    std::string id;
    std::string upn;
    std::string mail;
    std::string name;
    std::string employee_id;
    std::string user_type = "Member";
    bool enabled = true;
    std::string created = "2024-01-15T09:00:00Z";
    std::string last_sign_in;  // "" = never signed in (signInActivity.lastSignInDateTime null)
  };
  struct Group {
    std::string id;
    std::string name;
    std::vector<std::string> members;  // object ids: users, service principals, groups
    bool role_assignable = false;
  };
  struct Role {
    std::string id;
    std::string name;
    std::vector<std::string> members;  // users, service principals, role-assignable groups
  };
  struct AppRole {
    std::string id;
    std::string value;
    std::string name;
  };
  struct Assignment {
    std::string principal;
    std::string type;  // User, Group, ServicePrincipal
    std::string role = "00000000-0000-0000-0000-000000000000";
  };
  struct Credential {
    std::string key_id;
    std::string name;
    std::string start;
    std::string end;
  };
  struct ServicePrincipal {
    std::string id;
    std::string app_id;
    std::string name;
    std::string owner_org;
    std::string type = "Application";
    bool enabled = true;
    std::vector<AppRole> roles;
    std::vector<std::string> owners;  // user ids
    std::vector<Assignment> assigned;
    std::vector<Credential> secrets;
  };
  struct Application {
    std::string id;
    std::string app_id;
    std::string name;
    std::vector<std::string> owners;
    std::vector<Credential> secrets;
    std::vector<Credential> certificates;
  };

  // Answers for `tenant`, client `client_id` with `client_secret` (or, with certificate_pem
  // set, a client assertion signed by its key).
  FakeGraph(FakeServer& server, std::string tenant, std::string client_id, std::string client_secret)
      : server_(server),
        tenant_(std::move(tenant)),
        client_id_(std::move(client_id)),
        secret_(std::move(client_secret)) {}

  std::vector<User> users;
  std::vector<Group> groups;
  std::vector<Role> roles;
  std::vector<ServicePrincipal> principals;
  std::vector<Application> applications;
  std::size_t page_cap = 999;        // largest page served, whatever $top asks
  bool audit_log_permission = true;  // AuditLog.Read.All granted
  std::int64_t token_lifetime = 3599;
  std::string certificate_pem;  // set: only client assertions signed for it are accepted
  bool write_routes = true;     // route GET/PATCH per user and DELETE per (group, user)

  // Fills a directory for the benchmark: n users, g groups holding `memberships` user
  // memberships in all (every tenth group nested in the one before it), `apps` service
  // principals each assigned to one group and 20 users.
  void generate(std::size_t n, std::size_t g, std::size_t memberships, std::size_t apps);
  // Routes every endpoint. Call after the data is filled (routes are per object id).
  void install();

  std::string authority() const { return server_.url(); }
  std::string graph_url() const { return server_.url(); }
  std::string token_path() const { return "/" + tenant_ + "/oauth2/v2.0/token"; }

  // Every access token issued so far stops working (as when it expires).
  void expire_tokens();
  // The tokens issued so far expire just before the n-th Graph request (1-based; 0 = never).
  void expire_tokens_at_request(int n) { expire_at_ = n; }
  int graph_requests() const { return graph_requests_.load(); }
  int tokens_issued() const { return tokens_issued_.load(); }
  // The last client_assertion received, decoded: header and claims JSON text.
  std::pair<std::string, std::string> last_assertion() const;

  // Writes are answered `delay` after they took effect.
  void set_answer_writes_after(std::chrono::milliseconds delay);
  int writes() const { return writes_.load(); }
  bool enabled(const std::string& user) const;
  std::vector<std::string> members(const std::string& group) const;

 private:
  bool authorized(const httplib::Request& req, httplib::Response& res) const;
  void token(const httplib::Request& req, httplib::Response& res);
  void page(const httplib::Request& req, httplib::Response& res, const std::vector<std::string>& items) const;
  void page(const httplib::Request& req, httplib::Response& res, std::size_t total,
            const std::function<void(std::size_t, std::string&)>& render) const;
  std::string object_json(const std::string& id) const;  // a directory object reference with @odata.type
  void finish_write();

  FakeServer& server_;
  std::string tenant_;
  std::string client_id_;
  std::string secret_;
  mutable std::mutex mutex_;
  mutable std::set<std::string> valid_tokens_;
  std::atomic<int> tokens_issued_{0};
  std::atomic<int> writes_{0};
  std::atomic<int> expire_at_{0};
  mutable std::atomic<int> graph_requests_{0};
  std::chrono::milliseconds answer_writes_after_{0};
  std::pair<std::string, std::string> last_assertion_;
  std::map<std::string, std::string> types_;  // object id -> "user", "group", "servicePrincipal"
};

}  // namespace rollcall::testing
