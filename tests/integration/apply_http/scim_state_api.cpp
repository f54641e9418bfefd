#include "tests/integration/apply_http/scim_state_api.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

namespace rollcall::testing {
namespace {

using Json = nlohmann::json;

constexpr const char* kScimJson = "application/scim+json";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void scim_error(httplib::Response& res, int status, const std::string& detail, const std::string& scim_type = "") {
  Json body = {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:Error"}},
               {"status", std::to_string(status)},
               {"detail", detail}};
  if (!scim_type.empty()) body["scimType"] = scim_type;
  reply_json(res, body.dump(), status, kScimJson);
}

// `filter=<attribute> eq "<value>"`: the value, when the filter names `attribute`; nullopt
// when there is no filter; throws on any other filter (answered 400 invalidFilter).
struct Filter {
  bool present = false;
  std::string value;
};
Filter parse_filter(const httplib::Request& req, const std::string& attribute) {
  Filter f;
  if (!req.has_param("filter")) return f;
  const std::string text = req.get_param_value("filter");
  const auto eq = lower(text).find(" eq ");
  if (eq == std::string::npos || lower(text.substr(0, eq)) != lower(attribute)) {
    throw std::invalid_argument("unsupported filter " + text);
  }
  f.present = true;
  f.value = Json::parse(text.substr(eq + 4)).get<std::string>();
  return f;
}

// A ListResponse page of `items` (startIndex/count as the request asks).
void list(const httplib::Request& req, httplib::Response& res, const std::vector<Json>& items) {
  const long long start = std::max<long long>(1, int_param(req, "startIndex", 1));
  const long long count = std::max<long long>(0, int_param(req, "count", 100));
  Json resources = Json::array();
  for (long long i = start - 1; i < static_cast<long long>(items.size()) && i < start - 1 + count; ++i) {
    resources.push_back(items[static_cast<std::size_t>(i)]);
  }
  Json body = {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:ListResponse"}},
               {"totalResults", items.size()},
               {"startIndex", start},
               {"itemsPerPage", resources.size()},
               {"Resources", resources}};
  reply_json(res, body.dump(), 200, kScimJson);
}

Json user_json(const ScimStateApi::User& u) {
  return {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
          {"id", u.id},
          {"userName", u.user_name},
          {"active", u.active},
          {"emails", Json::array({Json{{"value", u.user_name}, {"type", "work"}, {"primary", true}}})}};
}

Json group_json(const ScimStateApi::Group& g, bool with_name, bool with_members) {
  Json out = {{"id", g.id}};
  if (with_name) {
    out["schemas"] = {"urn:ietf:params:scim:schemas:core:2.0:Group"};
    out["displayName"] = g.name;
  }
  if (with_members && !g.members.empty()) {
    Json members = Json::array();
    for (const auto& m : g.members) members.push_back({{"value", m}, {"type", "User"}});
    out["members"] = members;
  }
  return out;
}

}  // namespace

ScimStateApi::ScimStateApi(FakeServer& server, std::string token, std::string base)
    : server_(server), token_(std::move(token)), base_(std::move(base)) {
  auto authorized = [this](const httplib::Request& req, httplib::Response& res) { return this->authorized(req, res); };
  server_.get(base_ + "/Users", [this, authorized](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    try {
      const Filter f = parse_filter(req, "userName");
      std::vector<Json> items;
      std::lock_guard<std::mutex> lock(mutex_);
      for (const User& u : users_) {
        if (!f.present || lower(u.user_name) == lower(f.value)) items.push_back(user_json(u));
      }
      list(req, res, items);
    } catch (const std::exception& e) {
      scim_error(res, 400, e.what(), "invalidFilter");
    }
  });
  server_.route("POST", base_ + "/Users", [this, authorized](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    Json created;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++writes_;
      if (race_) {
        users_.push_back(*race_);
        race_.reset();
      }
      const Json body = Json::parse(req.body, nullptr, false);
      if (!body.is_object() || !body.contains("userName") || !body["userName"].is_string()) {
        return scim_error(res, 400, "userName is required", "invalidValue");
      }
      User u{"u" + std::to_string(next_id_++), body["userName"].get<std::string>(), body.value("active", true)};
      for (const User& other : users_) {
        if (lower(other.user_name) == lower(u.user_name)) {
          return scim_error(res, 409, "userName " + u.user_name + " is already taken", "uniqueness");
        }
      }
      users_.push_back(u);
      created = user_json(u);
    }
    route_user(created["id"].get<std::string>());
    pause_before_answer();
    reply_json(res, created.dump(), 201, kScimJson);
  });
  server_.get(base_ + "/Groups", [this, authorized](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    try {
      const bool members = param(req, "excludedAttributes") != "members";
      // `id eq "<gid>" and members[value eq "<uid>"]`: the group when the user is a direct member.
      static const std::regex kMembership(R"re(^id eq ("(?:[^"\\]|\\.)*") and members\[value eq ("(?:[^"\\]|\\.)*")\]$)re");
      std::smatch m;
      const std::string text = req.has_param("filter") ? req.get_param_value("filter") : "";
      if (std::regex_match(text, m, kMembership)) {
        const std::string id = Json::parse(m[1].str()).get<std::string>();
        const std::string user = Json::parse(m[2].str()).get<std::string>();
        std::vector<Json> items;
        std::lock_guard<std::mutex> lock(mutex_);
        for (const Group& g : groups_) {
          if (g.id == id && std::find(g.members.begin(), g.members.end(), user) != g.members.end()) {
            items.push_back(group_json(g, true, members));
          }
        }
        return list(req, res, items);
      }
      const Filter f = parse_filter(req, "displayName");
      std::vector<Json> items;
      std::lock_guard<std::mutex> lock(mutex_);
      // displayName is not case-exact (RFC 7643): the filter matches any case, as real servers do.
      for (const Group& g : groups_) {
        if (!f.present || lower(g.name) == lower(f.value)) items.push_back(group_json(g, true, members));
      }
      list(req, res, items);
    } catch (const std::exception& e) {
      scim_error(res, 400, e.what(), "invalidFilter");
    }
  });
}

bool ScimStateApi::authorized(const httplib::Request& req, httplib::Response& res) const {
  if (req.get_header_value("Authorization") == "Bearer " + token_) return true;
  scim_error(res, 401, "invalid credentials");
  return false;
}

void ScimStateApi::route_user(const std::string& id) {
  const std::string path = base_ + "/Users/" + id;
  server_.get(path, [this, id](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const User& u : users_) {
      if (u.id == id) return reply_json(res, user_json(u).dump(), 200, kScimJson);
    }
    scim_error(res, 404, "Resource " + id + " not found");
  });
  server_.route("PATCH", path, [this, id](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    Json answer;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++writes_;
      auto it = std::find_if(users_.begin(), users_.end(), [&](const User& u) { return u.id == id; });
      if (it == users_.end()) return scim_error(res, 404, "Resource " + id + " not found");
      const Json body = Json::parse(req.body, nullptr, false);
      if (!body.is_object() || !body.contains("Operations")) return scim_error(res, 400, "not a PatchOp", "invalidSyntax");
      for (const Json& op : body["Operations"]) {
        if (op.value("op", "") != "replace" || !op.contains("value") || !op["value"].contains("active")) {
          return scim_error(res, 400, "unsupported operation " + op.dump(), "invalidPath");
        }
        it->active = op["value"]["active"].get<bool>();
      }
      answer = user_json(*it);
    }
    pause_before_answer();
    reply_json(res, answer.dump(), 200, kScimJson);
  });
}

void ScimStateApi::route_group(const std::string& id) {
  const std::string path = base_ + "/Groups/" + id;
  server_.get(path, [this, id](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Group& g : groups_) {
      if (g.id != id) continue;
      const bool only_members = param(req, "attributes") == "members";
      return reply_json(res, group_json(g, !only_members, true).dump(), 200, kScimJson);
    }
    scim_error(res, 404, "Resource " + id + " not found");
  });
  server_.route("PATCH", path, [this, id](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++writes_;
      auto it = std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) { return g.id == id; });
      if (it == groups_.end()) return scim_error(res, 404, "Resource " + id + " not found");
      const Json body = Json::parse(req.body, nullptr, false);
      if (!body.is_object() || !body.contains("Operations")) return scim_error(res, 400, "not a PatchOp", "invalidSyntax");
      auto& members = it->members;
      for (const Json& op : body["Operations"]) {
        const std::string kind = op.value("op", "");
        const std::string target = op.value("path", "");
        if (kind == "add" && target == "members") {
          for (const Json& m : op["value"]) {
            const std::string uid = m["value"].get<std::string>();
            if (std::find(members.begin(), members.end(), uid) == members.end()) members.push_back(uid);
          }
        } else if (kind == "remove" && target.rfind("members[value eq ", 0) == 0 && target.back() == ']') {
          const std::string uid = Json::parse(target.substr(17, target.size() - 18)).get<std::string>();
          std::erase(members, uid);
        } else {
          return scim_error(res, 400, "unsupported operation " + op.dump(), "invalidPath");
        }
      }
    }
    pause_before_answer();
    res.status = 204;
  });
}

void ScimStateApi::pause_before_answer() const {
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    delay = answer_writes_after_;
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
}

void ScimStateApi::add_user(User user) {
  const std::string id = user.id;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    users_.push_back(std::move(user));
  }
  route_user(id);
}

void ScimStateApi::add_group(Group group) {
  const std::string id = group.id;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    groups_.push_back(std::move(group));
  }
  route_group(id);
}

void ScimStateApi::race_next_create(User user) {
  const std::string id = user.id;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    race_ = std::move(user);
  }
  route_user(id);  // answers 404 until the racing create happens
}

void ScimStateApi::remove_user(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::erase_if(users_, [&](const User& u) { return u.id == id; });
  for (Group& g : groups_) std::erase(g.members, id);
}

void ScimStateApi::set_active(const std::string& id, bool active) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (User& u : users_) {
    if (u.id == id) u.active = active;
  }
}

void ScimStateApi::set_answer_writes_after(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mutex_);
  answer_writes_after_ = delay;
}

int ScimStateApi::writes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return writes_;
}

std::vector<std::string> ScimStateApi::members(const std::string& group_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Group& g : groups_) {
    if (g.id == group_id) return g.members;
  }
  return {};
}

int ScimStateApi::users_named(const std::string& user_name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(std::count_if(users_.begin(), users_.end(),
                                        [&](const User& u) { return lower(u.user_name) == lower(user_name); }));
}

bool ScimStateApi::active(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const User& u : users_) {
    if (u.id == id) return u.active;
  }
  return false;
}

}  // namespace rollcall::testing
