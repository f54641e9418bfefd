#include "tests/integration/http/fake_apis.hpp"

#include <algorithm>
#include <cstdio>

namespace rollcall::testing {
namespace {

std::string numbered(const char* prefix, std::size_t i, int width) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%0*zu", prefix, width, i);
  return buf;
}

// items[from, from+count) joined with commas.
std::string join_slice(const std::vector<std::string>& items, std::size_t from, std::size_t count) {
  std::string out;
  for (std::size_t i = from; i < std::min(items.size(), from + count); ++i) {
    if (i > from) out += ',';
    out += items[i];
  }
  return out;
}

int rank(const std::string& level) {
  static const std::map<std::string, int> kRank = {{"read", 1}, {"pull", 1}, {"triage", 2}, {"write", 3},
                                                   {"push", 3}, {"maintain", 4}, {"admin", 5}};
  auto it = kRank.find(level);
  return it == kRank.end() ? 0 : it->second;
}

std::string role_name(int r) {
  static const char* kNames[] = {"none", "read", "triage", "write", "maintain", "admin"};
  return kNames[r];
}

}  // namespace

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// ---------------------------------------------------------------------------------------- SCIM

void FakeScimApi::generate(std::size_t n, std::size_t memberships, std::size_t group_size) {
  users.clear();
  groups.clear();
  for (std::size_t i = 1; i <= n; ++i) {
    User u;
    u.id = numbered("u", i, 6);
    u.user_name = numbered("user", i, 6) + "@acme.com";
    u.email = numbered("User.", i, 6) + "@acme.com";
    u.display_name = numbered("User ", i, 6);
    u.active = i % 10 != 0;
    u.employee_number = numbered("E", i, 6);
    users.push_back(std::move(u));
  }
  if (n == 0 || memberships == 0) return;
  std::size_t count = (memberships + group_size - 1) / group_size;
  std::size_t next = 0;
  for (std::size_t g = 1; g <= count; ++g) {
    Group group{numbered("g", g, 5), numbered("Group ", g, 5), {}};
    for (std::size_t j = 0; j < group_size && next < memberships && j < n; ++j, ++next) {
      group.members.push_back(users[(g * 7919 + j) % n].id);
    }
    groups.push_back(std::move(group));
  }
}

void FakeScimApi::install() {
  auto authorized = [this](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") == "Bearer " + token_) return true;
    // Echoes what it received, as careless servers do: the client must scrub it.
    reply_json(res,
               R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":)" +
                   json_string("invalid credentials " + req.get_header_value("Authorization")) + "}",
               401, "application/scim+json");
    return false;
  };
  auto list = [this](const httplib::Request& req, httplib::Response& res, std::size_t total,
                     const std::function<void(std::size_t, std::string&)>& render) {
    long long start = std::max<long long>(1, int_param(req, "startIndex", 1));
    long long count = std::max<long long>(0, int_param(req, "count", 100));
    if (max_count != 0) count = std::min<long long>(count, static_cast<long long>(max_count));
    std::size_t from = static_cast<std::size_t>(start - 1);
    std::size_t to = std::min(total, from + static_cast<std::size_t>(count));
    std::string body;
    body.reserve(256 + (to > from ? (to - from) * 320 : 0));
    body += R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":)";
    body += std::to_string(total);
    body += ",\"startIndex\":" + std::to_string(start);
    body += ",\"itemsPerPage\":" + std::to_string(to > from ? to - from : 0);
    body += ",\"Resources\":[";
    for (std::size_t i = from; i < to; ++i) {
      if (i > from) body += ',';
      render(i, body);
    }
    body += "]}";
    reply_json(res, body, 200, "application/scim+json");
  };
  server_.get(base_ + "/Users", [this, authorized, list](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    list(req, res, users.size(), [this](std::size_t i, std::string& out) {
      const User& u = users[i];
      out += R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":")";
      out += u.id;
      out += R"(","userName":)" + json_string(u.user_name);
      out += R"(,"displayName":)" + json_string(u.display_name);
      out += u.active ? R"(,"active":true)" : R"(,"active":false)";
      out += R"(,"emails":[{"value":)" + json_string(u.email) + R"(,"type":"work","primary":true}])";
      out += R"(,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":")" +
             u.employee_number + "\"}";
      out += R"(,"meta":{"resourceType":"User","created":"2024-01-01T00:00:00Z","lastModified":"2026-01-01T00:00:00Z"}})";
    });
  });
  server_.get(base_ + "/Groups", [this, authorized, list](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    list(req, res, groups.size(), [this](std::size_t i, std::string& out) {
      const Group& g = groups[i];
      out += R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":")" + g.id;
      out += R"(","displayName":)" + json_string(g.name) + R"(,"members":[)";
      for (std::size_t m = 0; m < g.members.size(); ++m) {
        if (m > 0) out += ',';
        out += R"({"value":")";
        out += g.members[m];
        out += R"(","type":"User"})";
      }
      out += R"(],"meta":{"resourceType":"Group"}})";
    });
  });
}

// -------------------------------------------------------------------------------------- GitHub

void FakeGithubApi::generate(std::size_t n) {
  members.clear();
  for (std::size_t i = 1; i <= n; ++i) members.push_back({numbered("m", i, 5), static_cast<std::int64_t>(1000 + i)});
  owners = {members.empty() ? "" : members[0].login};
  outside = {{"outsider", 99}};
  teams.clear();
  repos.clear();
  if (n >= 4) {
    teams.push_back({"eng", "", {members[0].login, members[1].login}, {members[0].login}});
    teams.push_back({"backend", "eng", {members[2].login, members[3].login}, {}});
    repos.push_back({"api", {{"outsider", "write"}}, {{"backend", "push"}}});
  }
}

void FakeGithubApi::install() {
  by_login_.clear();
  for (const auto& u : members) by_login_[u.login] = u;
  for (const auto& u : outside) by_login_[u.login] = u;
  const std::string org = "/orgs/" + org_;

  server_.get(org + "/members", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    for (const auto& u : members) {
      if (param(req, "role") == "admin" && owners.count(u.login) == 0) continue;
      if (param(req, "filter") == "2fa_disabled" && no_2fa.count(u.login) == 0) continue;
      items.push_back(user_json(u.login));
    }
    page(req, res, items);
  });
  server_.get(org + "/outside_collaborators", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    for (const auto& u : outside) {
      if (param(req, "filter") == "2fa_disabled" && no_2fa.count(u.login) == 0) continue;
      items.push_back(user_json(u.login));
    }
    page(req, res, items);
  });
  server_.get(org + "/teams", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    for (std::size_t i = 0; i < teams.size(); ++i) {
      const Team& t = teams[i];
      std::string parent = "null";
      if (!t.parent.empty()) parent = R"({"slug":)" + json_string(t.parent) + "}";
      items.push_back(R"({"id":)" + std::to_string(100 + i) + R"(,"slug":)" + json_string(t.slug) +
                      R"(,"name":)" + json_string(t.slug) + R"(,"privacy":"closed","parent":)" + parent + "}");
    }
    page(req, res, items);
  });
  for (const Team& t : teams) {
    server_.get(org + "/teams/" + t.slug + "/members", [this, slug = t.slug](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      const Team& team = *std::find_if(teams.begin(), teams.end(), [&](const Team& x) { return x.slug == slug; });
      std::vector<std::string> items;
      for (const auto& login : team_members(slug)) {
        if (param(req, "role") == "maintainer" && team.maintainers.count(login) == 0) continue;
        items.push_back(user_json(login));
      }
      page(req, res, items);
    });
  }
  server_.get(org + "/repos", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    for (const Repo& r : repos) items.push_back(R"({"name":)" + json_string(r.name) + R"(,"private":true,"archived":false})");
    page(req, res, items);
  });
  for (const Repo& repo : repos) {
    const std::string path = "/repos/" + org_ + "/" + repo.name;
    server_.get(path + "/collaborators", [this, name = repo.name](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      const Repo& r = *std::find_if(repos.begin(), repos.end(), [&](const Repo& x) { return x.name == name; });
      std::map<std::string, int> level;
      for (const auto& [login, role] : r.direct) level[login] = rank(role);
      if (param(req, "affiliation", "all") == "all") {
        for (const auto& [slug, perm] : r.teams) {
          for (const auto& login : team_members(slug)) level[login] = std::max(level[login], rank(perm));
        }
        for (const auto& login : owners) level[login] = 5;
      }
      std::vector<std::string> items;
      for (const auto& [login, l] : level) items.push_back(user_json(login, R"(,"role_name":")" + role_name(l) + "\""));
      page(req, res, items);
    });
    server_.get(path + "/teams", [this, name = repo.name](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      const Repo& r = *std::find_if(repos.begin(), repos.end(), [&](const Repo& x) { return x.name == name; });
      std::vector<std::string> items;
      for (const auto& [slug, perm] : r.teams) {
        items.push_back(R"({"slug":)" + json_string(slug) + R"(,"permission":)" + json_string(perm) + "}");
      }
      page(req, res, items);
    });
  }
  server_.get(org + "/invitations", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    for (std::size_t i = 0; i < invited_emails.size(); ++i) {
      items.push_back(R"({"id":)" + std::to_string(500 + i) + R"(,"login":null,"email":)" + json_string(invited_emails[i]) +
                      R"(,"role":"direct_member","created_at":"2026-11-01T00:00:00Z","inviter":{"login":"m00001"}})");
    }
    page(req, res, items);
  });
}

std::vector<std::string> FakeGithubApi::team_members(const std::string& slug) const {
  std::set<std::string> out;
  for (const Team& t : teams) {
    if (t.slug == slug) out.insert(t.members.begin(), t.members.end());
  }
  for (const Team& t : teams) {  // GitHub lists child-team members as members of the parent
    if (t.parent == slug) {
      for (const auto& login : team_members(t.slug)) out.insert(login);
    }
  }
  return {out.begin(), out.end()};
}

std::string FakeGithubApi::user_json(const std::string& login, const std::string& extra) const {
  auto it = by_login_.find(login);
  std::int64_t id = it == by_login_.end() ? 0 : it->second.id;
  bool bot = it != by_login_.end() && it->second.bot;
  return R"({"login":)" + json_string(login) + R"(,"id":)" + std::to_string(id) + R"(,"type":")" +
         (bot ? "Bot" : "User") + R"(","site_admin":false)" + extra + "}";
}

bool FakeGithubApi::authorized(const httplib::Request& req, httplib::Response& res) const {
  if (req.get_header_value("Authorization") == "Bearer " + token_) return true;
  reply_json(res, R"({"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"})", 401);
  return false;
}

void FakeGithubApi::page(const httplib::Request& req, httplib::Response& res, const std::vector<std::string>& items) const {
  auto per_page = static_cast<std::size_t>(std::clamp<long long>(int_param(req, "per_page", 30), 1, 100));
  per_page = std::min(per_page, max_per_page);
  auto page = static_cast<std::size_t>(std::max<long long>(1, int_param(req, "page", 1)));
  std::size_t from = (page - 1) * per_page;
  if (from + per_page < items.size()) {
    std::string query;
    for (const auto& [k, v] : req.params) {
      if (k != "page") query += k + "=" + v + "&";
    }
    query += "page=" + std::to_string(page + 1);
    res.set_header("Link", "<" + server_.url() + req.path + "?" + query + ">; rel=\"next\"");
  }
  res.set_header("X-RateLimit-Remaining", "4999");
  reply_json(res, "[" + (from < items.size() ? join_slice(items, from, per_page) : "") + "]");
}

// --------------------------------------------------------------------------------------- Slack

void FakeSlackApi::generate(std::size_t n) {
  users.clear();
  usergroups.clear();
  for (std::size_t i = 1; i <= n; ++i) {
    User u{numbered("U", i, 5), numbered("user", i, 5), numbered("user", i, 5) + "@acme.com"};
    u.owner = i == 1;
    u.admin = i == 2;
    u.deleted = i % 25 == 0;
    users.push_back(std::move(u));
  }
  Group g{"S1", "oncall", {}};
  for (std::size_t i = 0; i < std::min<std::size_t>(10, users.size()); ++i) {
    if (!users[i].deleted) g.users.push_back(users[i].id);
  }
  if (!g.users.empty()) usergroups.push_back(std::move(g));
}

bool FakeSlackApi::authorized(const httplib::Request& req, httplib::Response& res) const {
  if (req.get_header_value("Authorization") == "Bearer " + token_) return true;
  reply_json(res, R"({"ok":false,"error":"invalid_auth"})");
  return false;
}

void FakeSlackApi::page(const httplib::Request& req, httplib::Response& res, const std::string& key,
                        const std::vector<std::string>& items) const {
  auto limit = static_cast<std::size_t>(std::clamp<long long>(int_param(req, "limit", 100), 1, 1000));
  limit = std::min(limit, max_limit);
  std::size_t from = 0;
  std::string cursor = param(req, "cursor");
  if (cursor.rfind("next:", 0) == 0) from = std::stoul(cursor.substr(5));
  std::string next = from + limit < items.size() ? "next:" + std::to_string(from + limit) : "";
  reply_json(res, R"({"ok":true,")" + key + R"(":[)" + (from < items.size() ? join_slice(items, from, limit) : "") +
                      R"(],"response_metadata":{"next_cursor":")" + next + "\"}}");
}

void FakeSlackApi::install() {
  server_.get("/api/auth.test", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    reply_json(res, R"({"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"audit","team_id":"T1","user_id":"U00001"})");
  });
  server_.get("/api/users.list", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    for (const User& u : users) {
      items.push_back(R"({"id":")" + u.id + R"(","team_id":"T1","name":)" + json_string(u.name) +
                      R"(,"real_name":)" + json_string(u.name) + R"(,"deleted":)" + (u.deleted ? "true" : "false") +
                      R"(,"is_admin":)" + (u.admin || u.owner ? "true" : "false") + R"(,"is_owner":)" +
                      (u.owner ? "true" : "false") + R"(,"is_primary_owner":)" + (u.owner ? "true" : "false") +
                      R"(,"is_restricted":false,"is_ultra_restricted":false,"is_bot":)" + (u.bot ? "true" : "false") +
                      R"(,"profile":{"email":)" + json_string(u.email) + "}}");
    }
    page(req, res, "members", items);
  });
  server_.get("/api/usergroups.list", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::string body = R"({"ok":true,"usergroups":[)";
    for (std::size_t i = 0; i < usergroups.size(); ++i) {
      if (i > 0) body += ',';
      body += R"({"id":")" + usergroups[i].id + R"(","team_id":"T1","handle":)" + json_string(usergroups[i].handle) +
              R"(,"name":)" + json_string(usergroups[i].handle) + R"(,"date_delete":0})";
    }
    reply_json(res, body + "]}");
  });
  server_.get("/api/usergroups.users.list", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    for (const Group& g : usergroups) {
      if (g.id != param(req, "usergroup")) continue;
      std::string body = R"({"ok":true,"users":[)";
      for (std::size_t i = 0; i < g.users.size(); ++i) body += (i > 0 ? ",\"" : "\"") + g.users[i] + "\"";
      reply_json(res, body + "]}");
      return;
    }
    reply_json(res, R"({"ok":false,"error":"no_such_subteam"})");
  });
  server_.get("/api/conversations.list", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    for (const Channel& c : channels) {
      items.push_back(R"({"id":")" + c.id + R"(","name":)" + json_string(c.name) + R"(,"is_private":true})");
    }
    page(req, res, "channels", items);
  });
  server_.get("/api/conversations.members", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    for (const Channel& c : channels) {
      if (c.id != param(req, "channel")) continue;
      std::vector<std::string> items;
      for (const auto& m : c.members) items.push_back("\"" + m + "\"");
      page(req, res, "members", items);
      return;
    }
    reply_json(res, R"({"ok":false,"error":"channel_not_found"})");
  });
}

}  // namespace rollcall::testing
