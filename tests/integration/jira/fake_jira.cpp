#include "tests/integration/jira/fake_jira.hpp"

#include <algorithm>
#include <thread>

#include <nlohmann/json.hpp>

#include "connectors/http/http_config.hpp"

namespace rollcall::testing {
namespace {

using Json = nlohmann::json;

void jira_error(httplib::Response& res, int status, const std::string& message) {
  reply_json(res, Json{{"errorMessages", Json::array({message})}, {"errors", Json::object()}}.dump(), status);
}

// [startAt, startAt + n) of `total` items, n = maxResults capped by `cap`.
std::pair<std::size_t, std::size_t> window(const httplib::Request& req, std::size_t total, std::size_t cap,
                                           long long default_size) {
  auto start = static_cast<std::size_t>(std::max<long long>(0, int_param(req, "startAt", 0)));
  auto size = static_cast<std::size_t>(std::max<long long>(0, int_param(req, "maxResults", default_size)));
  if (cap != 0) size = std::min(size, cap);
  start = std::min(start, total);
  return {start, std::min(total, start + size)};
}

Json page_bean(const httplib::Request& req, const std::vector<Json>& items, std::size_t cap) {
  auto [from, to] = window(req, items.size(), cap, 50);
  Json values = Json::array();
  for (std::size_t i = from; i < to; ++i) values.push_back(items[i]);
  return Json{{"maxResults", to - from}, {"startAt", from}, {"total", items.size()},
              {"isLast", to >= items.size()}, {"values", values}};
}

}  // namespace

FakeJira::FakeJira(FakeServer& server, std::string email, std::string api_token, std::string oauth_token,
                   std::string org_id, std::string org_key)
    : server_(server),
      basic_(http::basic(email, Secret(api_token)).reveal()),
      bearer_("Bearer " + oauth_token),
      org_id_(std::move(org_id)),
      org_bearer_("Bearer " + org_key) {}

bool FakeJira::site_authorized(const httplib::Request& req, httplib::Response& res) const {
  const std::string auth = req.get_header_value("Authorization");
  if (auth == basic_ || auth == bearer_) return true;
  // Echoes what it received, as careless servers do: the client must scrub it.
  jira_error(res, 401, "Client must be authenticated to access this resource: " + auth);
  return false;
}

bool FakeJira::org_authorized(const httplib::Request& req, httplib::Response& res) const {
  if (req.get_header_value("Authorization") == org_bearer_) return true;
  reply_json(res, R"({"code":401,"message":"Unauthorized; scope does not match"})", 401);
  return false;
}

const FakeJira::User* FakeJira::user(const std::string& id) const {
  for (const User& u : users) {
    if (u.id == id) return &u;
  }
  return nullptr;
}

FakeJira::Group* FakeJira::group_by_id(const std::string& id) {
  for (Group& g : groups) {
    if (g.id == id) return &g;
  }
  return nullptr;
}

std::string FakeJira::user_json(const User& u) const {
  Json j = {{"self", server_.url() + "/rest/api/3/user?accountId=" + u.id},
            {"accountId", u.id},
            {"accountType", u.type},
            {"displayName", u.name},
            {"active", u.active},
            {"locale", "en_US"}};
  if (u.email_visible && !u.email.empty()) j["emailAddress"] = u.email;
  return j.dump();
}

void FakeJira::pause_before_answer() const {
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    delay = answer_writes_after_;
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
}

void FakeJira::install() {
  const std::string api = "/rest/api/3";
  server_.get(api + "/users/search", [this](const httplib::Request& req, httplib::Response& res) {
    if (!site_authorized(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    auto [from, to] = window(req, users.size(), page_cap, 50);
    Json out = Json::array();
    for (std::size_t i = from; i < to; ++i) out.push_back(Json::parse(user_json(users[i])));
    reply_json(res, out.dump());
  });
  server_.get(api + "/group/bulk", [this](const httplib::Request& req, httplib::Response& res) {
    if (!site_authorized(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Json> items;
    for (const Group& g : groups) {
      if (req.has_param("groupName") && req.get_param_value("groupName") != g.name) continue;
      items.push_back({{"name", g.name}, {"groupId", g.id}});
    }
    reply_json(res, page_bean(req, items, page_cap).dump());
  });
  server_.get(api + "/group/member", [this](const httplib::Request& req, httplib::Response& res) {
    if (!site_authorized(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    const Group* g = group_by_id(param(req, "groupId"));
    if (g == nullptr) return jira_error(res, 404, "Specified group does not exist.");
    const bool inactive = param(req, "includeInactiveUsers") == "true";
    std::vector<Json> items;
    for (const std::string& m : g->members) {
      const User* u = user(m);
      if (u == nullptr || (!u->active && !inactive)) continue;
      items.push_back(Json::parse(user_json(*u)));
    }
    reply_json(res, page_bean(req, items, std::min<std::size_t>(page_cap == 0 ? 50 : page_cap, 50)).dump());
  });
  auto role_json = [](const AppRole& r) {
    return Json{{"key", r.key}, {"name", r.name}, {"groups", r.groups}, {"defaultGroups", r.default_groups},
                {"numberOfSeats", 10}, {"remainingSeats", 4}, {"userCount", 6}, {"hasUnlimitedSeats", false},
                {"platform", false}};
  };
  server_.get(api + "/applicationrole", [this, role_json](const httplib::Request& req, httplib::Response& res) {
    if (!site_authorized(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    Json out = Json::array();
    for (const AppRole& r : roles) out.push_back(role_json(r));
    reply_json(res, out.dump());
  });
  for (const AppRole& role : roles) {
    server_.get(api + "/applicationrole/" + role.key,
                [this, role_json, key = role.key](const httplib::Request& req, httplib::Response& res) {
                  if (!site_authorized(req, res)) return;
                  std::lock_guard<std::mutex> lock(mutex_);
                  for (const AppRole& r : roles) {
                    if (r.key == key) return reply_json(res, role_json(r).dump());
                  }
                });
  }
  std::vector<std::string> projects;
  for (const ProjectRole& r : project_roles) {
    if (std::find(projects.begin(), projects.end(), r.project) == projects.end()) projects.push_back(r.project);
    server_.get(api + "/project/" + r.project + "/role/" + r.id,
                [this, id = r.id](const httplib::Request& req, httplib::Response& res) {
                  if (!site_authorized(req, res)) return;
                  std::lock_guard<std::mutex> lock(mutex_);
                  for (const ProjectRole& pr : project_roles) {
                    if (pr.id != id) continue;
                    Json actors = Json::array();
                    for (const std::string& u : pr.users) {
                      const User* known = user(u);
                      actors.push_back({{"id", 20000 + actors.size()}, {"displayName", known ? known->name : u},
                                        {"type", "atlassian-user-role-actor"}, {"actorUser", {{"accountId", u}}}});
                    }
                    for (const std::string& g : pr.groups) {
                      actors.push_back({{"id", 30000 + actors.size()}, {"displayName", g}, {"name", g},
                                        {"type", "atlassian-group-role-actor"},
                                        {"actorGroup", {{"name", g}, {"displayName", g}}}});
                    }
                    return reply_json(res, Json{{"self", server_.url() + req.path}, {"name", pr.name},
                                                {"id", std::stoll(pr.id)}, {"description", "A role"},
                                                {"actors", actors}}
                                               .dump());
                  }
                });
  }
  for (const std::string& project : projects) {
    server_.get(api + "/project/" + project + "/role", [this, project](const httplib::Request& req, httplib::Response& res) {
      if (!site_authorized(req, res)) return;
      std::lock_guard<std::mutex> lock(mutex_);
      Json out = Json::object();
      for (const ProjectRole& r : project_roles) {
        if (r.project == project) out[r.name] = server_.url() + "/rest/api/3/project/1" + project + "/role/" + r.id;
      }
      reply_json(res, out.dump());
    });
  }
  server_.get(api + "/user", [this](const httplib::Request& req, httplib::Response& res) {
    if (!site_authorized(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    const User* u = user(param(req, "accountId"));
    if (u == nullptr) return jira_error(res, 404, "Specified user does not exist or you do not have required permissions");
    reply_json(res, user_json(*u));
  });
  server_.get(api + "/user/groups", [this](const httplib::Request& req, httplib::Response& res) {
    if (!site_authorized(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string id = param(req, "accountId");
    if (user(id) == nullptr) return jira_error(res, 404, "Specified user does not exist or you do not have required permissions");
    Json out = Json::array();
    for (const Group& g : groups) {
      if (std::find(g.members.begin(), g.members.end(), id) != g.members.end()) {
        out.push_back({{"name", g.name}, {"groupId", g.id}});
      }
    }
    reply_json(res, out.dump());
  });
  server_.route("POST", api + "/group/user", [this](const httplib::Request& req, httplib::Response& res) {
    if (!site_authorized(req, res)) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++writes_;
      Group* g = group_by_id(param(req, "groupId"));
      if (g == nullptr) return jira_error(res, 404, "Specified group does not exist.");
      Json body = Json::parse(req.body, nullptr, false);
      if (!body.is_object() || !body.contains("accountId") || !body["accountId"].is_string()) {
        return jira_error(res, 400, "accountId is required");
      }
      const std::string id = body["accountId"];
      if (user(id) == nullptr) return jira_error(res, 404, "Specified user does not exist");
      if (std::find(g->members.begin(), g->members.end(), id) != g->members.end()) {
        return jira_error(res, 400, "Cannot add user. User is already a member of '" + g->name + "'");
      }
      g->members.push_back(id);
    }
    pause_before_answer();
    std::lock_guard<std::mutex> lock(mutex_);
    Group* g = group_by_id(param(req, "groupId"));
    reply_json(res, Json{{"name", g->name}, {"groupId", g->id}}.dump(), 201);
  });
  server_.route("DELETE", api + "/group/user", [this](const httplib::Request& req, httplib::Response& res) {
    if (!site_authorized(req, res)) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++writes_;
      Group* g = group_by_id(param(req, "groupId"));
      if (g == nullptr) return jira_error(res, 404, "Specified group does not exist.");
      auto it = std::find(g->members.begin(), g->members.end(), param(req, "accountId"));
      if (it == g->members.end()) return jira_error(res, 400, "Cannot remove user. User is not a member of '" + g->name + "'");
      g->members.erase(it);
    }
    pause_before_answer();
    res.status = 200;
  });
  const std::string org_path = "/admin/v1/orgs/" + org_id_ + "/users";
  server_.get(org_path, [this, org_path](const httplib::Request& req, httplib::Response& res) {
    if (!org_authorized(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t from = 0;
    if (req.has_param("cursor")) from = static_cast<std::size_t>(std::stoul(req.get_param_value("cursor").substr(1)));
    std::size_t to = std::min(org_users.size(), from + org_page_size);
    Json data = Json::array();
    for (std::size_t i = from; i < to; ++i) {
      const OrgUser& u = org_users[i];
      Json j = {{"account_id", u.id}, {"account_type", "atlassian"}, {"account_status", "active"},
                {"name", u.id}, {"picture", ""}, {"access_billable", true}};
      if (!u.email.empty()) j["email"] = u.email;
      if (!u.last_active.empty()) j["last_active"] = u.last_active;
      data.push_back(j);
    }
    Json links = {{"self", server_.url() + req.target}};
    if (to < org_users.size()) links["next"] = server_.url() + org_path + "?cursor=c" + std::to_string(to);
    reply_json(res, Json{{"data", data}, {"links", links}}.dump());
  });
}

void FakeJira::set_answer_writes_after(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mutex_);
  answer_writes_after_ = delay;
}

void FakeJira::add_member(const std::string& group, const std::string& account) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (Group& g : groups) {
    if (g.name == group) g.members.push_back(account);
  }
}

int FakeJira::writes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return writes_;
}

std::vector<std::string> FakeJira::members(const std::string& group) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Group& g : groups) {
    if (g.name == group) return g.members;
  }
  return {};
}

}  // namespace rollcall::testing
