#include "tests/integration/okta/fake_okta.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <thread>

#include <nlohmann/json.hpp>

namespace rollcall::testing {
namespace {

using Json = nlohmann::json;

constexpr const char* kCreated = "2024-01-15T09:30:00.000Z";

// Okta answers application/json;charset=UTF-8. (cpp-httplib would brotli-compress a bare
// application/json for a client that accepts it, which made the fake, not the connector, the
// benchmark's bottleneck.)
void reply(httplib::Response& res, const std::string& body, int status = 200) {
  reply_json(res, body, status, "application/json;charset=UTF-8");
}
constexpr const char* kReset = "1800000060";  // X-Rate-Limit-Reset on every answer

void okta_error(httplib::Response& res, int status, const std::string& code, const std::string& summary,
                const std::vector<std::string>& causes = {}) {
  Json c = Json::array();
  for (const auto& s : causes) c.push_back({{"errorSummary", s}});
  Json body = {{"errorCode", code}, {"errorSummary", summary}, {"errorLink", code}, {"errorId", "oae-fake"},
               {"errorCauses", c}};
  reply(res, body.dump(), status);
}

std::string encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string base64url_decode(const std::string& in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) return "";
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

bool verify_rs256(const std::string& public_pem, const std::string& input, const std::string& signature) {
  BIO* bio = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

std::string role_label(const std::string& type) {
  if (type == "SUPER_ADMIN") return "Super Administrator";
  if (type == "ORG_ADMIN") return "Organizational Administrator";
  if (type == "APP_ADMIN") return "Application Administrator";
  if (type == "READ_ONLY_ADMIN") return "Read Only Administrator";
  return type;
}

std::string pad(std::size_t n, int width) {
  std::string s = std::to_string(n);
  return std::string(s.size() < static_cast<std::size_t>(width) ? width - s.size() : 0, '0') + s;
}

}  // namespace

FakeOkta::FakeOkta(FakeServer& server, std::string api_token) : server_(server), api_token_(std::move(api_token)) {}

void FakeOkta::enable_oauth(std::string client_id, std::string public_key_pem) {
  std::lock_guard<std::mutex> lock(mutex_);
  client_id_ = std::move(client_id);
  public_key_pem_ = std::move(public_key_pem);
}

void FakeOkta::generate(std::size_t n, std::size_t g, std::size_t memberships, std::size_t a) {
  users.reserve(n);
  for (std::size_t i = 1; i <= n; ++i) {
    User u;
    u.id = "00u" + pad(i, 7);
    u.login = "user" + pad(i, 7) + "@acme.com";
    u.first = "User";
    u.last = pad(i, 7);
    u.employee_number = "E" + pad(i, 7);
    u.last_login = "2026-11-01T08:00:00.000Z";
    users.push_back(std::move(u));
  }
  const std::size_t per_group = g == 0 ? 0 : memberships / g;
  for (std::size_t k = 0; k < g; ++k) {
    Group gr;
    gr.id = "00g" + pad(k + 1, 7);
    gr.name = "group-" + pad(k + 1, 5);
    for (std::size_t m = 0; m < per_group && n > 0; ++m) gr.members.push_back(users[(k * per_group / 4 + m) % n].id);
    std::sort(gr.members.begin(), gr.members.end());
    gr.members.erase(std::unique(gr.members.begin(), gr.members.end()), gr.members.end());
    groups.push_back(std::move(gr));
  }
  for (std::size_t k = 0; k < a; ++k) {
    App app;
    app.id = "0oa" + pad(k + 1, 7);
    app.name = "app_" + pad(k + 1, 4);
    app.label = "App " + pad(k + 1, 4);
    if (g > 0) {
      app.groups = {groups[(2 * k) % g].id, groups[(2 * k + 1) % g].id};
      for (const auto& gid : app.groups) {
        for (const auto& uid : groups[std::stoul(gid.substr(3)) - 1].members) {
          app.users.push_back({uid, "GROUP", uid + "-gh"});
        }
      }
    }
    for (std::size_t m = 0; m < 10 && n > 0; ++m) app.users.push_back({users[(k * 10 + m) % n].id, "USER", "direct"});
    apps.push_back(std::move(app));
  }
  for (std::size_t i = 0; i < 5 && i < n; ++i) user_roles[users[i].id] = {"SUPER_ADMIN"};
}

std::string FakeOkta::user_json(const User& u) const {
  Json j = {{"id", u.id},
            {"status", u.status},
            {"created", kCreated},
            {"activated", nullptr},
            {"statusChanged", kCreated},
            {"lastLogin", u.last_login.empty() ? Json(nullptr) : Json(u.last_login)},
            {"lastUpdated", kCreated},
            {"passwordChanged", nullptr},
            {"type", {{"id", "oty1fake"}}},
            {"profile",
             {{"firstName", u.first},
              {"lastName", u.last},
              {"mobilePhone", nullptr},
              {"secondEmail", nullptr},
              {"login", u.login},
              {"email", u.login}}},
            {"credentials", {{"provider", {{"type", "OKTA"}, {"name", "OKTA"}}}}},
            {"_links", {{"self", {{"href", server_.url() + "/api/v1/users/" + u.id}}}}}};
  if (!u.employee_number.empty()) j["profile"]["employeeNumber"] = u.employee_number;
  return j.dump();
}

bool FakeOkta::authorized(const httplib::Request& req, httplib::Response& res) {
  res.set_header("X-Rate-Limit-Limit", "600");
  res.set_header("X-Rate-Limit-Remaining", "599");
  res.set_header("X-Rate-Limit-Reset", kReset);
  const std::string auth = req.get_header_value("Authorization");
  std::lock_guard<std::mutex> lock(mutex_);
  if (!api_token_.empty() && auth == "SSWS " + api_token_) return true;
  if (!access_token_.empty() && auth == "Bearer " + access_token_) {
    if (expire_after_ == 0) {
      access_token_.clear();  // expired: refused from now on
    } else {
      if (expire_after_ > 0) --expire_after_;
      return true;
    }
  }
  res.set_header("WWW-Authenticate", "Bearer authorization_uri=\"fake\", realm=\"fake\", error=\"invalid_token\"");
  okta_error(res, 401, "E0000011", "Invalid token provided");
  return false;
}

void FakeOkta::list(const httplib::Request& req, httplib::Response& res, const std::vector<std::string>& items,
                    std::size_t endpoint_max, std::size_t fallback_limit) const {
  list(req, res, items.size(), [&](std::size_t i) { return items[i]; }, endpoint_max, fallback_limit);
}

void FakeOkta::list(const httplib::Request& req, httplib::Response& res, std::size_t total,
                    const std::function<std::string(std::size_t)>& item, std::size_t endpoint_max,
                    std::size_t fallback_limit) const {
  std::size_t limit = static_cast<std::size_t>(std::max<long long>(1, int_param(req, "limit", static_cast<long long>(fallback_limit))));
  limit = std::min(limit, endpoint_max);
  if (max_page > 0) limit = std::min(limit, max_page);
  const std::size_t after = static_cast<std::size_t>(std::max<long long>(0, int_param(req, "after", 0)));
  std::string body = "[";
  for (std::size_t i = after; i < total && i < after + limit; ++i) {
    if (i > after) body += ',';
    body += item(i);
  }
  body += ']';
  std::string rest;
  for (const auto& [k, v] : req.params) {
    if (k == "after" || k == "limit") continue;
    rest += "&" + encode(k) + "=" + encode(v);
  }
  const std::string base = server_.url() + req.path + "?limit=" + std::to_string(limit) + rest;
  res.set_header("Link", "<" + base + (after > 0 ? "&after=" + std::to_string(after) : "") + ">; rel=\"self\"");
  if (after + limit < total) {
    res.set_header("Link", "<" + base + "&after=" + std::to_string(after + limit) + ">; rel=\"next\"");
  }
  reply(res, body);
}

FakeOkta::User* FakeOkta::find_user(const std::string& key) {
  auto it = user_index_.find(key);
  return it == user_index_.end() ? nullptr : &users[it->second];
}

FakeOkta::Group* FakeOkta::find_group(const std::string& id) {
  auto it = group_index_.find(id);
  return it == group_index_.end() ? nullptr : &groups[it->second];
}

void FakeOkta::pause_before_answer() const {
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    delay = answer_writes_after_;
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
}

void FakeOkta::install() {
  for (std::size_t i = 0; i < users.size(); ++i) user_index_[users[i].id] = user_index_[users[i].login] = i;
  for (std::size_t i = 0; i < groups.size(); ++i) group_index_[groups[i].id] = i;
  // Users that do not exist (yet): Okta's 404 for any id or login.
  server_.route_prefix("GET", "/api/v1/users/", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    okta_error(res, 404, "E0000007", "Not found: Resource not found: " + req.path.substr(14) + " (User)");
  });
  server_.route("POST", "/oauth2/v1/token", [this](const httplib::Request& req, httplib::Response& res) { token(req, res); });

  server_.get("/api/v1/users", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    const std::string filter = param(req, "filter");
    if (!filter.empty() && filter != "status eq \"DEPROVISIONED\"") {
      return okta_error(res, 400, "E0000031", "Invalid search criteria.");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::size_t> match;
    for (std::size_t i = 0; i < users.size(); ++i) {
      if ((users[i].status == "DEPROVISIONED") == !filter.empty()) match.push_back(i);
    }
    list(req, res, match.size(), [&](std::size_t i) { return user_json(users[match[i]]); }, 200, 200);
  });
  server_.route("POST", "/api/v1/users", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    User created;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++writes_;
      const Json body = Json::parse(req.body, nullptr, false);
      if (!body.is_object() || !body.contains("profile") || !body["profile"].is_object()) {
        return okta_error(res, 400, "E0000003", "The request body was not well-formed.");
      }
      const Json& p = body["profile"];
      std::vector<std::string> missing;
      for (const char* k : {"firstName", "lastName", "email", "login"}) {
        if (!p.contains(k) || !p[k].is_string() || p[k].get<std::string>().empty()) missing.push_back(std::string(k) + ": The field cannot be left blank");
      }
      if (!missing.empty()) return okta_error(res, 400, "E0000001", "Api validation failed: profile", missing);
      created.login = p["login"].get<std::string>();
      for (const User& u : users) {
        std::string a = u.login, b = created.login;
        std::transform(a.begin(), a.end(), a.begin(), ::tolower);
        std::transform(b.begin(), b.end(), b.begin(), ::tolower);
        if (a == b) {
          return okta_error(res, 400, "E0000001", "Api validation failed: login",
                            {"login: An object with this field already exists in the current organization"});
        }
      }
      created.id = "00u" + std::to_string(next_id_++);
      created.first = p["firstName"].get<std::string>();
      created.last = p["lastName"].get<std::string>();
      created.status = param(req, "activate", "true") == "true" ? "PROVISIONED" : "STAGED";
      users.push_back(created);
      user_index_[created.id] = user_index_[created.login] = users.size() - 1;
    }
    route_user(created);
    pause_before_answer();
    reply(res, user_json(created));
  });

  server_.get("/api/v1/groups", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    const std::string search = param(req, "search");
    std::string wanted;
    if (!search.empty()) {
      const std::string prefix = "profile.name eq ";
      if (search.rfind(prefix, 0) != 0) return okta_error(res, 400, "E0000031", "Invalid search criteria.");
      wanted = Json::parse(search.substr(prefix.size()), nullptr, false).get<std::string>();
    }
    std::vector<std::string> items;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const Group& g : groups) {
        if (!search.empty() && g.name != wanted) continue;
        items.push_back(Json{{"id", g.id}, {"created", kCreated}, {"type", g.type},
                             {"profile", {{"name", g.name}, {"description", nullptr}}}}.dump());
      }
    }
    list(req, res, items, 10000, 10000);
  });

  server_.get("/api/v1/apps", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    const std::string filter = param(req, "filter");
    std::vector<std::string> items;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const App& a : apps) {
        if (filter == "status eq \"ACTIVE\"" && a.status != "ACTIVE") continue;
        items.push_back(Json{{"id", a.id}, {"name", a.name}, {"label", a.label}, {"status", a.status},
                             {"signOnMode", "SAML_2_0"}, {"created", kCreated}}.dump());
      }
    }
    list(req, res, items, 200, 20);
  });

  server_.get("/api/v1/iam/assignees/users", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> ids;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      std::set<std::string> set;
      for (const auto& [uid, roles] : user_roles) {
        if (!roles.empty()) set.insert(uid);
      }
      for (const Group& g : groups) {
        if (!g.roles.empty()) set.insert(g.members.begin(), g.members.end());
      }
      ids.assign(set.begin(), set.end());
    }
    std::size_t limit = std::min<std::size_t>(100, static_cast<std::size_t>(int_param(req, "limit", 100)));
    if (max_page > 0) limit = std::min(limit, max_page);
    const std::size_t after = static_cast<std::size_t>(int_param(req, "after", 0));
    Json value = Json::array();
    for (std::size_t i = after; i < ids.size() && i < after + limit; ++i) {
      value.push_back({{"id", ids[i]}, {"orn", "orn:okta:directory:00ofake:users:" + ids[i]},
                       {"_links", {{"self", {{"href", server_.url() + "/api/v1/users/" + ids[i]}}}}}});
    }
    Json links = {{"self", {{"href", server_.url() + req.path}}}};
    if (after + limit < ids.size()) {
      links["next"] = {{"href", server_.url() + req.path + "?after=" + std::to_string(after + limit) +
                                    "&limit=" + std::to_string(limit)}};
    }
    reply(res, Json{{"value", value}, {"_links", links}}.dump());
  });

  for (const User& u : users) {
    if (per_user_routes || user_roles.count(u.id) != 0) route_user(u);
  }
  if (!per_user_routes) {  // members of groups with roles need their /roles route
    for (const Group& g : groups) {
      if (g.roles.empty()) continue;
      for (const auto& uid : g.members) {
        if (user_roles.count(uid) == 0) route_user(*find_user(uid));
      }
    }
  }
  for (const Group& g : groups) route_group(g);
  for (const App& a : apps) route_app(a);
}

void FakeOkta::route_user(const User& user) {
  const std::string id = user.id;
  const std::string base = "/api/v1/users/" + id;
  auto get_user = [this, id](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    User* u = find_user(id);
    if (u == nullptr) return okta_error(res, 404, "E0000007", "Not found: Resource not found: " + id + " (User)");
    reply(res, user_json(*u));
  };
  server_.get(base, get_user);
  server_.get("/api/v1/users/" + user.login, get_user);
  server_.get(base + "/roles", [this, id](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    Json out = Json::array();
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = user_roles.find(id); it != user_roles.end()) {
      for (const auto& type : it->second) {
        out.push_back({{"id", "ra" + type + id}, {"label", role_label(type)}, {"type", type}, {"status", "ACTIVE"},
                       {"created", kCreated}, {"assignmentType", "USER"}});
      }
    }
    for (const Group& g : groups) {
      if (std::find(g.members.begin(), g.members.end(), id) == g.members.end()) continue;
      for (const auto& type : g.roles) {
        out.push_back({{"id", "ra" + type + g.id}, {"label", role_label(type)}, {"type", type}, {"status", "ACTIVE"},
                       {"created", kCreated}, {"assignmentType", "GROUP"}});
      }
    }
    reply(res, out.dump());
  });
  if (!per_user_routes) return;
  server_.get(base + "/groups", [this, id](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const Group& g : groups) {
        if (std::find(g.members.begin(), g.members.end(), id) == g.members.end()) continue;
        items.push_back(Json{{"id", g.id}, {"type", g.type}, {"profile", {{"name", g.name}}}}.dump());
      }
    }
    list(req, res, items, 10000, 10000);
  });
  server_.get(base + "/factors", [this, id](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    Json out = Json::array();
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = factors.find(id); it != factors.end()) {
      int k = 0;
      for (const Factor& f : it->second) {
        out.push_back({{"id", "mfa" + std::to_string(++k) + id}, {"factorType", f.type}, {"provider", "OKTA"},
                       {"vendorName", "OKTA"}, {"status", f.status}, {"created", kCreated}});
      }
    }
    reply(res, out.dump());
  });
  // Lifecycle operations, with Okta's refusals of transitions that do not apply.
  struct Op {
    const char* name;
    std::vector<std::string> from;
    std::string to;
  };
  const std::vector<Op> ops = {
      {"suspend", {"ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY"}, "SUSPENDED"},
      {"unsuspend", {"SUSPENDED"}, "ACTIVE"},
      {"activate", {"STAGED", "DEPROVISIONED"}, "PROVISIONED"},
      {"deactivate", {"STAGED", "PROVISIONED", "ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY", "SUSPENDED"},
       "DEPROVISIONED"},
  };
  for (const Op& op : ops) {
    server_.route("POST", base + "/lifecycle/" + op.name, [this, id, op](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++writes_;
        User* u = find_user(id);
        if (u == nullptr) return okta_error(res, 404, "E0000007", "Not found: Resource not found: " + id + " (User)");
        if (std::find(op.from.begin(), op.from.end(), u->status) == op.from.end()) {
          return okta_error(res, 400, "E0000001", std::string("Api validation failed: cannot ") + op.name +
                                                       " a user whose status is " + u->status);
        }
        u->status = op.to;
      }
      pause_before_answer();
      reply(res, "{}");
    });
  }
  // Membership writes for every group (small fakes only: per_user_routes).
  for (const Group& g : groups) {
    const std::string gid = g.id;
    auto membership = [this, gid, id](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++writes_;
        Group* group = find_group(gid);
        if (find_user(id) == nullptr) return okta_error(res, 404, "E0000007", "Not found: Resource not found: " + id + " (User)");
        if (group->type != "OKTA_GROUP") {
          return okta_error(res, 403, "E0000006", "You do not have permission to perform the requested action");
        }
        auto it = std::find(group->members.begin(), group->members.end(), id);
        if (req.method == "PUT" && it == group->members.end()) group->members.push_back(id);
        if (req.method == "DELETE" && it != group->members.end()) group->members.erase(it);
      }
      pause_before_answer();
      res.status = 204;
    };
    server_.route("PUT", "/api/v1/groups/" + gid + "/users/" + id, membership);
    server_.route("DELETE", "/api/v1/groups/" + gid + "/users/" + id, membership);
  }
}

void FakeOkta::route_group(const Group& group) {
  const std::string gid = group.id;
  server_.get("/api/v1/groups/" + gid + "/users", [this, gid](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    const Group* g = find_group(gid);
    list(req, res, g->members.size(), [&](std::size_t i) { return user_json(*find_user(g->members[i])); }, 1000, 1000);
  });
  server_.get("/api/v1/groups/" + gid + "/roles", [this, gid](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    Json out = Json::array();
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& type : find_group(gid)->roles) {
      out.push_back({{"id", "ra" + type + gid}, {"label", role_label(type)}, {"type", type}, {"status", "ACTIVE"},
                     {"assignmentType", "GROUP"}});
    }
    reply(res, out.dump());
  });
}

void FakeOkta::route_app(const App& app) {
  const std::string aid = app.id;
  server_.get("/api/v1/apps/" + aid + "/users", [this, aid](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const App& a : apps) {
        if (a.id != aid) continue;
        // As in Okta, members of an assigned group hold the app (scope GROUP) while they are
        // members; direct assignments (scope USER) stay.
        std::set<std::string> via_group;
        for (const auto& gid : a.groups) {
          if (const Group* g = find_group(gid)) via_group.insert(g->members.begin(), g->members.end());
        }
        std::set<std::string> listed;
        auto add = [&](const std::string& uid, const std::string& scope, const std::string& username) {
          if (!listed.insert(uid).second) return;
          items.push_back(Json{{"id", uid}, {"externalId", nullptr}, {"created", kCreated}, {"scope", scope},
                               {"status", "PROVISIONED"}, {"syncState", "DISABLED"},
                               {"credentials", {{"userName", username}}}, {"profile", Json::object()}}.dump());
        };
        for (const AppUser& au : a.users) {
          if (au.scope == "USER" || via_group.count(au.user_id) != 0) add(au.user_id, au.scope, au.username);
        }
        for (const auto& uid : via_group) {
          if (const User* u = find_user(uid)) add(uid, "GROUP", u->login);
        }
      }
    }
    list(req, res, items, 500, 50);
  });
  server_.get("/api/v1/apps/" + aid + "/groups", [this, aid](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const App& a : apps) {
        if (a.id != aid) continue;
        for (const auto& gid : a.groups) {
          items.push_back(Json{{"id", gid}, {"priority", 0}, {"lastUpdated", kCreated}, {"profile", Json::object()}}.dump());
        }
      }
    }
    list(req, res, items, 200, 20);
  });
}

void FakeOkta::token(const httplib::Request& req, httplib::Response& res) {
  auto oauth_error = [&](const std::string& error, const std::string& description) {
    reply(res, Json{{"error", error}, {"error_description", description}}.dump(), 401);
  };
  std::lock_guard<std::mutex> lock(mutex_);
  ++token_requests_;
  if (public_key_pem_.empty()) return oauth_error("invalid_client", "No client is registered.");
  if (param(req, "grant_type") != "client_credentials") return oauth_error("unsupported_grant_type", "grant_type");
  if (param(req, "client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
    return oauth_error("invalid_client", "client_assertion_type is not jwt-bearer.");
  }
  const std::string jwt = param(req, "client_assertion");
  const auto dot1 = jwt.find('.');
  const auto dot2 = jwt.rfind('.');
  if (dot1 == std::string::npos || dot2 == dot1) return oauth_error("invalid_client", "The client_assertion is not a JWT.");
  const Json header = Json::parse(base64url_decode(jwt.substr(0, dot1)), nullptr, false);
  const Json claims = Json::parse(base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)), nullptr, false);
  if (!header.is_object() || header.value("alg", "") != "RS256") return oauth_error("invalid_client", "alg must be RS256.");
  if (!verify_rs256(public_key_pem_, jwt.substr(0, dot2), base64url_decode(jwt.substr(dot2 + 1)))) {
    return oauth_error("invalid_client", "The client_assertion signature is invalid.");
  }
  if (!claims.is_object() || claims.value("iss", "") != client_id_ || claims.value("sub", "") != client_id_ ||
      claims.value("aud", "") != server_.url() + "/oauth2/v1/token" || !claims.contains("jti") ||
      claims.value("exp", 0LL) - claims.value("iat", 0LL) > 3600 || claims.value("exp", 0LL) <= claims.value("iat", 0LL)) {
    return oauth_error("invalid_client", "The client_assertion claims are invalid.");
  }
  scopes_.clear();
  std::string scope = param(req, "scope");
  for (std::size_t pos = 0; pos <= scope.size();) {
    auto space = scope.find(' ', pos);
    if (space == std::string::npos) space = scope.size();
    if (space > pos) scopes_.push_back(scope.substr(pos, space - pos));
    pos = space + 1;
  }
  access_token_ = "okta-access-" + std::to_string(++token_serial_) + "-b7e1";
  if (expire_after_ == 0) expire_after_ = -1;  // a fresh token lasts
  reply(res, Json{{"token_type", "Bearer"}, {"expires_in", 3600}, {"access_token", access_token_},
                       {"scope", scope}}.dump());
}

void FakeOkta::expire_token_after(int requests) {
  std::lock_guard<std::mutex> lock(mutex_);
  expire_after_ = requests;
}

void FakeOkta::set_answer_writes_after(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mutex_);
  answer_writes_after_ = delay;
}

void FakeOkta::set_status(const std::string& user_id, const std::string& status) {
  std::lock_guard<std::mutex> lock(mutex_);
  find_user(user_id)->status = status;
}

int FakeOkta::writes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return writes_;
}

int FakeOkta::token_requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return token_requests_;
}

std::vector<std::string> FakeOkta::requested_scopes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return scopes_;
}

std::string FakeOkta::status_of(const std::string& user_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const User& u : users) {
    if (u.id == user_id) return u.status;
  }
  return "";
}

std::vector<std::string> FakeOkta::members(const std::string& group_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Group& g : groups) {
    if (g.id == group_id) return g.members;
  }
  return {};
}

int FakeOkta::users_with_login(const std::string& login) const {
  std::lock_guard<std::mutex> lock(mutex_);
  int n = 0;
  for (const User& u : users) n += u.login == login ? 1 : 0;
  return n;
}

}  // namespace rollcall::testing
