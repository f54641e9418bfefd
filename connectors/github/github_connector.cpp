#include "connectors/github/github_connector.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "connectors/github/github_api.hpp"
#include "connectors/github/github_writer.hpp"
#include "connectors/http/http_config.hpp"
#include "connectors/http/paginate.hpp"
#include "connectors/http/parallel.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::github {
namespace {

using http::Json;
using LoginSet = std::unordered_set<std::string>;

struct Settings {
  std::string org;
  bool all_repos = false;
  std::vector<std::string> repos;
  bool resolve_emails = false;
};

// A user as the list endpoints return it.
struct UserRef {
  std::string login;
  std::string id;
  bool bot = false;
  bool site_admin = false;
};

Result<UserRef> user_ref(const Json& item) {
  RC_TRY(http::expect_object(item));
  UserRef u;
  RC_ASSIGN(u.login, http::string_member(item, "login"));
  auto id = http::id_member(item, "id");
  if (!id) return fail("user " + quote(u.login) + ": " + id.error().message());
  u.id = *id;
  auto type = http::optional_string(item, "type");
  if (!type) return fail("user " + quote(u.login) + ": " + type.error().message());
  u.bot = type->value_or("") == "Bot";
  auto admin = http::bool_member(item, "site_admin", false);
  if (!admin) return fail("user " + quote(u.login) + ": " + admin.error().message());
  u.site_admin = *admin;
  return u;
}

std::string normalize_level(const std::string& level) {
  if (level == "pull") return "read";
  if (level == "push") return "write";
  return level;
}

// A collaborator's role on a repository: role_name where the server has it, else the highest
// of the permissions flags (older Enterprise Server).
Result<std::string> collaborator_level(const Json& item) {
  RC_ASSIGN(auto role, http::optional_string(item, "role_name"));
  if (role && !role->empty()) return normalize_level(*role);
  const Json* perms = http::member(item, "permissions");
  if (perms == nullptr || !perms->is_object()) return fail("neither \"role_name\" nor \"permissions\" is present");
  for (const char* p : {"admin", "maintain", "push", "triage", "pull"}) {
    RC_ASSIGN(bool has, http::bool_member(*perms, p, false));
    if (has) return normalize_level(p);
  }
  return fail("\"permissions\" grants nothing");
}

struct Team {
  std::string slug;
  std::string parent;  // parent team's slug, "" at the top
  std::string attrs_json;
};

struct TeamMembers {
  std::vector<UserRef> members;  // includes members of child teams, as GitHub lists them
  LoginSet maintainers;
};

struct Access {
  UserRef user;
  std::string level;
};

struct RepoAccess {
  std::vector<Access> direct;
  std::vector<Access> all;
  std::vector<std::pair<std::string, std::string>> teams;  // slug, level
};

class GithubConnector final : public Connector {
 public:
  GithubConnector(std::unique_ptr<http::Transport> transport, http::ApiClient client, Settings settings,
                  int concurrency, Logger& log)
      : transport_(std::move(transport)),
        client_(std::move(client)),
        s_(std::move(settings)),
        concurrency_(concurrency),
        log_(log),
        org_path_("/orgs/" + http::percent_encode(s_.org)),
        org_entitlement_("org:" + s_.org) {}

  Result<void> fetch(RecordSink& sink) override {
    RC_TRY(read_members(sink));
    RC_TRY(read_outside_collaborators(sink));
    RC_TRY(read_teams(sink));
    RC_TRY(read_repos(sink));
    return read_invitations(sink);
  }

 private:
  Result<void> each_user(const std::string& path, const http::Query& query,
                         const std::function<Result<void>(UserRef&&)>& fn) {
    return http::for_each_item(client_, path, query, http::LinkPaging{},
                               [&](const Json& item) -> Result<void> {
                                 RC_ASSIGN(UserRef u, user_ref(item));
                                 return fn(std::move(u));
                               });
  }

  // Logins without two-factor authentication, or nullopt when the token may not ask (only
  // organization owners may use filter=2fa_disabled).
  Result<std::optional<LoginSet>> two_factor_disabled(const std::string& path) {
    http::Query query{{"filter", "2fa_disabled"}};
    RC_ASSIGN(auto probe, client_.get_unless(path, {{"filter", "2fa_disabled"}, {"per_page", "1"}}, {403, 422}));
    if (!probe) return std::optional<LoginSet>();
    LoginSet out;
    RC_TRY(each_user(path, query, [&](UserRef&& u) -> Result<void> {
      out.insert(std::move(u.login));
      return {};
    }));
    return std::optional<LoginSet>(std::move(out));
  }

  // Emits an account for `u` unless one was emitted already.
  Result<void> account(RecordSink& sink, const UserRef& u, Json attrs, const Json* profile = nullptr,
                       AccountStatus status = AccountStatus::active) {
    if (!emitted_.insert(u.login).second) return {};
    Account a;
    a.id = u.login;
    a.login = u.login;
    // "ghost" stands in for deleted users on every GitHub instance: the platform's own account.
    a.kind = u.login == "ghost" ? AccountKind::builtin : u.bot ? AccountKind::bot : AccountKind::human;
    a.status = status;
    a.external_id = u.id;
    if (u.site_admin) attrs["site_admin"] = true;
    if (profile != nullptr) {
      RC_ASSIGN(auto name, http::optional_string(*profile, "name"));
      RC_ASSIGN(auto email, http::optional_string(*profile, "email"));
      a.display_name = name.value_or("");
      a.email = email.value_or("");
    }
    a.attrs_json = attrs.dump();
    return sink.account(a);
  }

  Json two_factor_attrs(const std::optional<LoginSet>& disabled, const std::string& login) const {
    Json attrs = Json::object();
    if (disabled) attrs["two_factor_enabled"] = disabled->count(login) == 0;
    return attrs;
  }

  // Members with their org role: owners (role=admin) hold org:<org> at level admin.
  Result<void> read_members(RecordSink& sink) {
    LoginSet owners;
    RC_TRY(each_user(org_path_ + "/members", {{"role", "admin"}}, [&](UserRef&& u) -> Result<void> {
      owners.insert(std::move(u.login));
      return {};
    }));
    // Emitted once the organization has answered, so a rejected token reads nothing at all.
    Entitlement org;
    org.id = org_entitlement_;
    org.type = "org";
    org.name = s_.org;
    RC_TRY(sink.entitlement(org));
    RC_ASSIGN(no_2fa_, two_factor_disabled(org_path_ + "/members"));
    if (!no_2fa_) log_.info(s_.org + ": two-factor status is not visible to this token (organization owners only)");

    std::vector<UserRef> members;
    RC_TRY(each_user(org_path_ + "/members", {}, [&](UserRef&& u) -> Result<void> {
      members.push_back(std::move(u));
      return {};
    }));
    auto emit = [&](const UserRef& u, const Json* profile) -> Result<void> {
      if (emitted_.count(u.login) != 0) return {};  // listed twice across pages that shifted
      RC_TRY(account(sink, u, two_factor_attrs(no_2fa_, u.login), profile));
      Grant g;
      g.account_id = u.login;
      g.entitlement_id = org_entitlement_;
      g.level = owners.count(u.login) != 0 ? "admin" : "member";
      return sink.grant(g);
    };
    if (!s_.resolve_emails) {
      for (const UserRef& u : members) RC_TRY(emit(u, nullptr));
      return {};
    }
    return http::ordered_parallel<Json>(
        members.size(), concurrency_,
        [&](std::size_t i) { return client_.get("/users/" + http::percent_encode(members[i].login)); },
        [&](std::size_t i, Json&& profile) { return emit(members[i], &profile); });
  }

  Result<void> read_outside_collaborators(RecordSink& sink) {
    const std::string path = org_path_ + "/outside_collaborators";
    RC_ASSIGN(auto no_2fa, two_factor_disabled(path));
    return each_user(path, {}, [&](UserRef&& u) -> Result<void> {
      Json attrs = two_factor_attrs(no_2fa, u.login);
      attrs["outside_collaborator"] = true;
      if (!s_.resolve_emails) return account(sink, u, std::move(attrs));
      if (emitted_.count(u.login) != 0) return {};
      RC_ASSIGN(Json profile, client_.get("/users/" + http::percent_encode(u.login)));
      return account(sink, u, std::move(attrs), &profile);
    });
  }

  Result<void> read_teams(RecordSink& sink) {
    RC_TRY(http::for_each_item(client_, org_path_ + "/teams", {}, http::LinkPaging{},
                               [&](const Json& item) -> Result<void> {
                                 RC_TRY(http::expect_object(item));
                                 Team t;
                                 RC_ASSIGN(t.slug, http::string_member(item, "slug"));
                                 auto fail_for = [&](const Error& e) { return fail("team " + quote(t.slug) + ": " + e.message()); };
                                 Json attrs = Json::object();
                                 for (const char* key : {"name", "privacy"}) {
                                   auto v = http::optional_string(item, key);
                                   if (!v) return fail_for(v.error());
                                   if (*v) attrs[key] = **v;
                                 }
                                 if (const Json* id = http::member(item, "id")) attrs["github_id"] = *id;
                                 if (const Json* parent = http::member(item, "parent")) {
                                   auto slug = http::string_member(*parent, "slug");
                                   if (!slug) return fail_for(Error("parent: " + slug.error().message()));
                                   t.parent = *slug;
                                   attrs["parent"] = t.parent;
                                 }
                                 t.attrs_json = attrs.dump();
                                 if (team_index_.count(t.slug) != 0) return {};  // pages shifted
                                 team_index_[t.slug] = teams_.size();
                                 teams_.push_back(std::move(t));
                                 return {};
                               }));
    for (const Team& t : teams_) {
      Entitlement e;
      e.id = "team:" + t.slug;
      e.type = "team";
      e.name = t.slug;
      e.attrs_json = t.attrs_json;
      RC_TRY(sink.entitlement(e));
    }

    team_members_.resize(teams_.size());
    RC_TRY(http::ordered_parallel<TeamMembers>(
        teams_.size(), concurrency_,
        [&](std::size_t i) -> Result<TeamMembers> {
          const std::string path = org_path_ + "/teams/" + http::percent_encode(teams_[i].slug) + "/members";
          TeamMembers out;
          RC_TRY(each_user(path, {{"role", "maintainer"}}, [&](UserRef&& u) -> Result<void> {
            out.maintainers.insert(std::move(u.login));
            return {};
          }));
          RC_TRY(each_user(path, {}, [&](UserRef&& u) -> Result<void> {
            out.members.push_back(std::move(u));
            return {};
          }));
          return out;
        },
        [&](std::size_t i, TeamMembers&& m) -> Result<void> {
          team_members_[i] = std::move(m);
          return {};
        }));

    for (const TeamMembers& tm : team_members_) {
      LoginSet logins;
      for (const UserRef& u : tm.members) logins.insert(u.login);
      team_logins_.push_back(std::move(logins));
    }
    std::map<std::string, std::vector<std::size_t>> children;  // parent slug -> child teams, by slug
    for (std::size_t i = 0; i < teams_.size(); ++i) {
      if (!teams_[i].parent.empty()) children[teams_[i].parent].push_back(i);
    }
    for (auto& [_, kids] : children) {
      std::sort(kids.begin(), kids.end(), [&](auto a, auto b) { return teams_[a].slug < teams_[b].slug; });
    }

    for (std::size_t i = 0; i < teams_.size(); ++i) {
      const std::string entitlement = "team:" + teams_[i].slug;
      const auto& kids = children[teams_[i].slug];
      LoginSet done;
      for (const UserRef& u : team_members_[i].members) {
        if (!done.insert(u.login).second) continue;
        RC_TRY(account(sink, u, Json::object()));  // normally emitted already, as a member
        Grant g;
        g.account_id = u.login;
        g.entitlement_id = entitlement;
        if (team_members_[i].maintainers.count(u.login) != 0) {
          g.level = "maintainer";
          RC_TRY(sink.grant(g));
          continue;
        }
        bool inherited = false;
        for (std::size_t k : kids) {
          if (team_logins_[k].count(u.login) == 0) continue;
          inherited = true;
          g.via = "team:" + teams_[k].slug;
          RC_TRY(sink.grant(g));
        }
        if (!inherited) RC_TRY(sink.grant(g));
      }
    }
    return {};
  }

  Result<void> read_repos(RecordSink& sink) {
    std::vector<std::string> names = s_.repos;
    std::unordered_map<std::string, std::string> repo_attrs;
    if (s_.all_repos) {
      RC_TRY(http::for_each_item(client_, org_path_ + "/repos", {{"type", "all"}}, http::LinkPaging{},
                                 [&](const Json& item) -> Result<void> {
                                   RC_TRY(http::expect_object(item));
                                   RC_ASSIGN(std::string name, http::string_member(item, "name"));
                                   Json attrs = Json::object();
                                   for (const char* key : {"private", "archived", "visibility"}) {
                                     if (const Json* v = http::member(item, key)) attrs[key] = *v;
                                   }
                                   if (repo_attrs.emplace(name, attrs.dump()).second) names.push_back(name);
                                   return {};
                                 }));
    }
    return http::ordered_parallel<RepoAccess>(
        names.size(), concurrency_,
        [&](std::size_t i) { return read_repo(names[i]); },
        [&](std::size_t i, RepoAccess&& access) -> Result<void> {
          Entitlement e;
          e.id = "repo:" + names[i];
          e.type = "repo";
          e.name = names[i];
          if (auto it = repo_attrs.find(names[i]); it != repo_attrs.end()) e.attrs_json = it->second;
          RC_TRY(sink.entitlement(e));
          return emit_repo(sink, e.id, std::move(access));
        });
  }

  Result<RepoAccess> read_repo(const std::string& name) {
    const std::string repo_path = "/repos/" + http::percent_encode(s_.org) + "/" + http::percent_encode(name);
    RepoAccess out;
    for (auto [affiliation, list] : {std::pair{"direct", &out.direct}, std::pair{"all", &out.all}}) {
      RC_TRY(http::for_each_item(client_, repo_path + "/collaborators", {{"affiliation", affiliation}},
                                 http::LinkPaging{}, [&, list = list](const Json& item) -> Result<void> {
                                   RC_ASSIGN(UserRef u, user_ref(item));
                                   auto level = collaborator_level(item);
                                   if (!level) return fail("user " + quote(u.login) + ": " + level.error().message());
                                   list->push_back({std::move(u), *level});
                                   return {};
                                 }));
    }
    RC_TRY(http::for_each_item(client_, repo_path + "/teams", {}, http::LinkPaging{},
                               [&](const Json& item) -> Result<void> {
                                 RC_TRY(http::expect_object(item));
                                 RC_ASSIGN(std::string slug, http::string_member(item, "slug"));
                                 RC_ASSIGN(std::string permission, http::string_member(item, "permission"));
                                 out.teams.emplace_back(std::move(slug), normalize_level(permission));
                                 return {};
                               }));
    return out;
  }

  // Direct collaborators hold the repository via direct; everyone else in the "all" list holds
  // it through a team with access that has them (preferring one whose permission matches),
  // else through the organization (owners, base permission).
  Result<void> emit_repo(RecordSink& sink, const std::string& entitlement, RepoAccess&& access) {
    LoginSet direct;
    for (const Access& a : access.direct) {
      if (!direct.insert(a.user.login).second) continue;
      RC_TRY(account(sink, a.user, Json::object()));
      Grant g;
      g.account_id = a.user.login;
      g.entitlement_id = entitlement;
      g.level = a.level;
      RC_TRY(sink.grant(g));
    }
    std::sort(access.teams.begin(), access.teams.end());
    LoginSet done;
    for (const Access& a : access.all) {
      if (direct.count(a.user.login) != 0 || !done.insert(a.user.login).second) continue;
      RC_TRY(account(sink, a.user, Json::object()));
      std::string via = org_entitlement_;
      bool level_match = false;
      for (const auto& [slug, level] : access.teams) {
        auto t = team_index_.find(slug);
        if (t == team_index_.end() || team_logins_[t->second].count(a.user.login) == 0) continue;
        if (via == org_entitlement_ || (!level_match && level == a.level)) {
          via = "team:" + slug;
          level_match = level == a.level;
        }
      }
      Grant g;
      g.account_id = a.user.login;
      g.entitlement_id = entitlement;
      g.level = a.level;
      g.via = via;
      RC_TRY(sink.grant(g));
    }
    return {};
  }

  // Pending invitations become suspended accounts, so an invitation to a stranger shows up
  // before it is accepted. Only owners may list them; otherwise this is skipped, with a note.
  Result<void> read_invitations(RecordSink& sink) {
    const std::string path = org_path_ + "/invitations";
    RC_ASSIGN(auto probe, client_.get_unless(path, {{"per_page", "1"}}, {403, 404}));
    if (!probe) {
      log_.warn(s_.org + ": pending invitations are not visible to this token (organization owners only); "
                "not read");
      return {};
    }
    return http::for_each_item(client_, path, {}, http::LinkPaging{}, [&](const Json& item) -> Result<void> {
      RC_TRY(http::expect_object(item));
      RC_ASSIGN(std::string id, http::id_member(item, "id"));
      auto fail_for = [&](const Error& e) { return fail("invitation " + quote(id) + ": " + e.message()); };
      auto login = http::optional_string(item, "login");
      auto email = http::optional_string(item, "email");
      auto role = http::optional_string(item, "role");
      auto created = http::optional_string(item, "created_at");
      for (const auto* r : {&login, &email, &role, &created}) {
        if (!*r) return fail_for(r->error());
      }
      Account a;
      a.login = login->value_or("");
      a.email = email->value_or("");
      a.id = !a.login.empty() ? a.login : !a.email.empty() ? to_lower(a.email) : "invitation:" + id;
      if (!emitted_.insert(a.id).second) return {};  // already a member: accepted meanwhile
      a.status = AccountStatus::suspended;
      Json attrs = {{"pending_invitation", true}, {"invitation_id", id}};
      if (*role) attrs["invitation_role"] = **role;
      if (*created) attrs["invited_at"] = **created;
      if (const Json* inviter = http::member(item, "inviter")) {
        if (const Json* l = http::member(*inviter, "login"); l != nullptr && l->is_string()) attrs["invited_by"] = *l;
      }
      a.attrs_json = attrs.dump();
      return sink.account(a);
    });
  }

  std::unique_ptr<http::Transport> transport_;
  http::ApiClient client_;
  Settings s_;
  int concurrency_;
  Logger& log_;
  const std::string org_path_;
  const std::string org_entitlement_;
  LoginSet emitted_;
  std::optional<LoginSet> no_2fa_;
  std::vector<Team> teams_;
  std::unordered_map<std::string, std::size_t> team_index_;
  std::vector<TeamMembers> team_members_;
  std::vector<LoginSet> team_logins_;  // per team, members including child teams
};

Result<std::unique_ptr<Connector>> create(const config::SystemConfig& sys, const ConnectorEnv& env) {
  const config::Table& keys = sys.keys;
  RC_ASSIGN(GithubApi api, open_api(sys, env));
  Settings s;
  s.org = api.org;
  if (auto repos = keys.list("repos")) {
    if (repos->size() == 1 && (*repos)[0] == "all") {
      s.all_repos = true;
    } else {
      for (const std::string& r : *repos) {
        if (r.empty() || r.find('/') != std::string::npos) {
          return fail(keys.where("repos") + ": " + quote(r) + " is not a repository name (write \"api\", not \"" +
                      s.org + "/api\"), or use \"all\"");
        }
        if (r == "all") return fail(keys.where("repos") + ": \"all\" must stand alone");
        s.repos.push_back(r);
      }
    }
  }
  s.resolve_emails = keys.boolean("resolve_emails").value_or(false);
  return std::unique_ptr<Connector>(new GithubConnector(std::move(api.transport), std::move(api.client),
                                                        std::move(s), api.concurrency, env.log));
}

}  // namespace

ConnectorType connector_type() {
  using config::ValueType;
  ConnectorType t;
  t.name = "github";
  t.summary = "a GitHub organization: members, teams, repository collaborators, invitations";
  t.keys = {
      {"org", ValueType::string, true, "the organization's login", ""},
      {"base_url", ValueType::string, false, "API root; https://HOST/api/v3 for Enterprise Server",
       "\"https://api.github.com\""},
      {"repos", ValueType::string_list, false,
       "repositories whose collaborators to read, or \"all\"; none when absent", ""},
      {"resolve_emails", ValueType::boolean, false,
       "fetch each account's public name and email (one request per account)", "false"},
  };
  for (auto& k : connectors::credential_keys("token", "API token")) t.keys.push_back(std::move(k));
  for (auto& k : http::common_keys()) t.keys.push_back(std::move(k));
  t.create = create;
  t.create_writer = create_writer;
  return t;
}

}  // namespace rollcall::connectors::github
