#include "connectors/okta/okta_connector.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "connectors/http/paginate.hpp"
#include "connectors/http/parallel.hpp"
#include "connectors/okta/okta_api.hpp"
#include "connectors/okta/okta_writer.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::okta {
namespace {

using http::Json;

// The largest page each list endpoint allows (Okta Management API reference).
constexpr int kUsersLimit = 200;
constexpr int kGroupsLimit = 10000;
constexpr int kGroupUsersLimit = 1000;
constexpr int kAppsLimit = 200;
constexpr int kAppUsersLimit = 500;
constexpr int kAppGroupsLimit = 200;
constexpr int kAssigneesLimit = 100;

// Okta's own apps, assigned to everyone or standing for admin access (read as admin-role).
const std::set<std::string> kFirstPartyApps = {"saasure", "okta_enduser", "okta_browser_plugin", "okta_flow_sso"};

http::LinkPaging paging(int limit, std::string items = "") {
  http::LinkPaging p;
  p.per_page = limit;
  p.limit_param = "limit";
  p.items = std::move(items);
  return p;
}

// Okta's user statuses, in rollcall's words. The table is documented in docs/connectors/okta.md.
Result<AccountStatus> status_of(const std::string& okta) {
  static const std::map<std::string, AccountStatus> kTable = {
      {"ACTIVE", AccountStatus::active},        {"PASSWORD_EXPIRED", AccountStatus::active},
      {"LOCKED_OUT", AccountStatus::active},    {"RECOVERY", AccountStatus::active},
      {"STAGED", AccountStatus::suspended},     {"PROVISIONED", AccountStatus::active},
      {"SUSPENDED", AccountStatus::suspended},  {"DEPROVISIONED", AccountStatus::disabled},
  };
  auto it = kTable.find(okta);
  if (it == kTable.end()) return fail("unknown user status " + quote(okta));
  return it->second;
}

Result<std::optional<std::string>> profile_string(const Json& profile, std::string_view key) {
  const Json* v = http::member(profile, key);
  if (v == nullptr) return std::optional<std::string>();
  if (v->is_string()) return std::optional<std::string>(v->get<std::string>());
  if (v->is_number_integer()) return std::optional<std::string>(std::to_string(v->get<std::int64_t>()));
  return fail("profile." + std::string(key) + " is " + http::type_name(*v) + ", not a string");
}

struct Group {
  std::string okta_id;
  std::string name;
  std::string type;  // OKTA_GROUP, APP_GROUP, BUILT_IN
  std::string description;
  std::string entitlement;
};

struct App {
  std::string okta_id;
  std::string name;
  std::string label;
  std::string sign_on_mode;
  std::string entitlement;
};

struct AppUser {
  std::string user_id;
  std::string scope;  // USER or GROUP
  std::string username;
};

struct AppAccess {
  std::vector<std::string> groups;  // okta ids of assigned groups
  std::vector<AppUser> users;
};

struct Role {
  std::string key;    // SUPER_ADMIN, or custom:<label>
  std::string label;
  bool through_group = false;
};

Result<Role> role_of(const Json& item) {
  RC_TRY(http::expect_object(item));
  Role r;
  RC_ASSIGN(std::string type, http::string_member(item, "type"));
  RC_ASSIGN(auto label, http::optional_string(item, "label"));
  r.label = label.value_or(type);
  r.key = type == "CUSTOM" ? "custom:" + r.label : type;
  RC_ASSIGN(auto assignment, http::optional_string(item, "assignmentType"));
  r.through_group = assignment.value_or("USER") == "GROUP";
  return r;
}

// Gives each item a unique entitlement id: "<prefix><name>", or "<prefix><name> [<id>]" for
// every item whose name another item shares.
template <class T>
void name_entitlements(std::vector<T>& items, const std::string& prefix, std::string T::*name) {
  std::unordered_map<std::string, int> count;
  for (const T& t : items) ++count[t.*name];
  for (T& t : items) {
    t.entitlement = prefix + t.*name;
    if (count[t.*name] > 1) t.entitlement += " [" + t.okta_id + "]";
  }
}

class OktaConnector final : public Connector {
 public:
  OktaConnector(OktaApi api, Logger& log) : api_(std::move(api)), log_(log) {}

  Result<void> fetch(RecordSink& sink) override {
    RC_TRY(read_users());
    if (api_.settings.read_factors) RC_TRY(read_factors());
    RC_TRY(read_groups(sink));
    RC_TRY(read_apps(sink));
    RC_TRY(read_admin_roles(sink));
    for (std::size_t i = 0; i < accounts_.size(); ++i) {
      accounts_[i].attrs_json = attrs_[i].dump();
      RC_TRY(sink.account(accounts_[i]));
    }
    log_.info("okta: " + std::to_string(accounts_.size()) + " users, " + std::to_string(groups_.size()) + " groups read");
    return {};
  }

 private:
  const http::ApiClient& client() const { return api_.client; }

  // Index of a user read earlier, or a clear error: a grant to an account the snapshot does
  // not have would be meaningless (the user was created while the org was being read).
  Result<std::size_t> user(const std::string& where, const std::string& id) const {
    auto it = user_index_.find(id);
    if (it == user_index_.end()) {
      return fail(where + " lists user " + quote(id) + ", who was not among the users read (created meanwhile?); "
                  "take the snapshot again");
    }
    return it->second;
  }

  Result<void> read_users() {
    // The plain list leaves DEPROVISIONED users out; the filtered one has only them.
    for (const http::Query& query : {http::Query{}, http::Query{{"filter", "status eq \"DEPROVISIONED\""}}}) {
      RC_TRY(http::for_each_item(client(), "/api/v1/users", query, paging(kUsersLimit),
                                 [&](const Json& item) { return add_user(item); }));
    }
    return {};
  }

  Result<void> add_user(const Json& item) {
    RC_TRY(http::expect_object(item));
    Account a;
    RC_ASSIGN(a.id, http::string_member(item, "id"));
    auto fail_for = [&](const Error& e) { return fail("user " + quote(a.id) + ": " + e.message()); };
    if (user_index_.count(a.id) != 0) return {};  // listed twice across pages that shifted
    auto status = http::string_member(item, "status");
    if (!status) return fail_for(status.error());
    auto mapped = status_of(*status);
    if (!mapped) return fail_for(mapped.error());
    a.status = *mapped;
    const Json* profile = http::member(item, "profile");
    if (profile == nullptr || !profile->is_object()) return fail_for(Error("\"profile\" is missing or not an object"));
    Result<std::optional<std::string>> fields[] = {
        profile_string(*profile, "login"), profile_string(*profile, "email"), profile_string(*profile, "employeeNumber"),
        profile_string(*profile, "displayName"), profile_string(*profile, "firstName"),
        profile_string(*profile, "lastName")};
    for (const auto& f : fields) {
      if (!f) return fail_for(f.error());
    }
    if (!*fields[0]) return fail_for(Error("profile.login is missing"));
    a.login = **fields[0];
    a.email = fields[1]->value_or("");
    a.external_id = fields[2]->value_or("");
    a.display_name = fields[3]->value_or("");
    if (a.display_name.empty()) a.display_name = std::string(trim(fields[4]->value_or("") + " " + fields[5]->value_or("")));
    auto last_login = http::time_member(item, "lastLogin");
    auto created = http::time_member(item, "created");
    if (!last_login) return fail_for(last_login.error());
    if (!created) return fail_for(created.error());
    a.last_login = *last_login;
    a.created_at = *created;
    a.kind = api_.settings.builtin_logins.matches(a.login) ? AccountKind::builtin : AccountKind::human;
    Json attrs = {{"okta_status", *status}};
    if (const Json* cred = http::member(item, "credentials")) {
      const Json* provider = http::member(*cred, "provider");
      if (provider != nullptr) {
        if (const Json* t = http::member(*provider, "type"); t != nullptr && t->is_string()) attrs["credential_provider"] = *t;
      }
    }
    user_index_.emplace(a.id, accounts_.size());
    accounts_.push_back(std::move(a));
    attrs_.push_back(std::move(attrs));
    return {};
  }

  // MFA enrolment: the factors that are ACTIVE count; PENDING_ACTIVATION ones do not.
  Result<void> read_factors() {
    return http::ordered_parallel<std::vector<std::string>>(
        accounts_.size(), api_.concurrency,
        [&](std::size_t i) -> Result<std::vector<std::string>> {
          const std::string path = "/api/v1/users/" + http::percent_encode(accounts_[i].id) + "/factors";
          RC_ASSIGN(Json factors, client().get(path));
          const std::string where = client().label(path);
          if (!factors.is_array()) return fail(where + ": expected an array, got " + http::type_name(factors));
          std::set<std::string> active;
          for (const Json& f : factors) {
            auto type = http::string_member(f, "factorType");
            auto status = http::string_member(f, "status");
            if (!type) return fail(where + ": " + type.error().message());
            if (!status) return fail(where + ": " + status.error().message());
            if (*status == "ACTIVE") active.insert(*type);
          }
          return std::vector<std::string>(active.begin(), active.end());
        },
        [&](std::size_t i, std::vector<std::string>&& types) -> Result<void> {
          attrs_[i]["mfa_enrolled"] = !types.empty();
          attrs_[i]["mfa_factors"] = types;
          return {};
        });
  }

  Result<void> read_groups(RecordSink& sink) {
    std::unordered_set<std::string> seen;
    RC_TRY(http::for_each_item(client(), "/api/v1/groups", {}, paging(kGroupsLimit), [&](const Json& item) -> Result<void> {
      RC_TRY(http::expect_object(item));
      Group g;
      RC_ASSIGN(g.okta_id, http::string_member(item, "id"));
      auto fail_for = [&](const Error& e) { return fail("group " + quote(g.okta_id) + ": " + e.message()); };
      if (!seen.insert(g.okta_id).second) return {};
      auto type = http::string_member(item, "type");
      if (!type) return fail_for(type.error());
      g.type = *type;
      const Json* profile = http::member(item, "profile");
      if (profile == nullptr || !profile->is_object()) return fail_for(Error("\"profile\" is missing or not an object"));
      auto name = http::string_member(*profile, "name");
      if (!name) return fail_for(Error("profile: " + name.error().message()));
      g.name = *name;
      auto description = http::optional_string(*profile, "description");
      if (!description) return fail_for(Error("profile: " + description.error().message()));
      g.description = description->value_or("");
      groups_.push_back(std::move(g));
      return {};
    }));
    name_entitlements(groups_, "group:", &Group::name);
    for (std::size_t i = 0; i < groups_.size(); ++i) {
      const Group& g = groups_[i];
      group_index_[g.okta_id] = i;
      Entitlement e;
      e.id = g.entitlement;
      e.type = "group";
      e.name = g.entitlement.substr(6);
      Json attrs = {{"okta_id", g.okta_id}, {"group_type", g.type}};
      if (!g.description.empty()) attrs["description"] = g.description;
      e.attrs_json = attrs.dump();
      RC_TRY(sink.entitlement(e));
    }
    member_of_.assign(accounts_.size(), {});
    return http::ordered_parallel<std::vector<std::string>>(
        groups_.size(), api_.concurrency,
        [&](std::size_t i) -> Result<std::vector<std::string>> {
          std::vector<std::string> ids;
          RC_TRY(http::for_each_item(client(), "/api/v1/groups/" + http::percent_encode(groups_[i].okta_id) + "/users",
                                     {}, paging(kGroupUsersLimit), [&](const Json& item) -> Result<void> {
                                       RC_TRY(http::expect_object(item));
                                       RC_ASSIGN(std::string id, http::string_member(item, "id"));
                                       ids.push_back(std::move(id));
                                       return {};
                                     }));
          return ids;
        },
        [&](std::size_t i, std::vector<std::string>&& ids) -> Result<void> {
          std::sort(ids.begin(), ids.end());
          ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
          for (const std::string& id : ids) {
            RC_ASSIGN(std::size_t u, user("group " + quote(groups_[i].name), id));
            member_of_[u].push_back(static_cast<std::uint32_t>(i));
            Grant g;
            g.account_id = id;
            g.entitlement_id = groups_[i].entitlement;
            RC_TRY(sink.grant(g));
          }
          return {};
        });
  }

  // The entitlement ids of the groups among `group_ids` that user `u` is a member of.
  std::vector<std::string> vias(std::size_t u, const std::vector<std::uint32_t>& groups) const {
    std::vector<std::string> out;
    for (std::uint32_t g : member_of_[u]) {
      if (std::binary_search(groups.begin(), groups.end(), g)) out.push_back(groups_[g].entitlement);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<void> read_apps(RecordSink& sink) {
    std::vector<App> apps;
    std::unordered_set<std::string> seen;
    RC_TRY(http::for_each_item(client(), "/api/v1/apps", {{"filter", "status eq \"ACTIVE\""}}, paging(kAppsLimit),
                               [&](const Json& item) -> Result<void> {
                                 RC_TRY(http::expect_object(item));
                                 App a;
                                 RC_ASSIGN(a.okta_id, http::string_member(item, "id"));
                                 auto fail_for = [&](const Error& e) { return fail("app " + quote(a.okta_id) + ": " + e.message()); };
                                 auto name = http::string_member(item, "name");
                                 auto label = http::string_member(item, "label");
                                 auto mode = http::optional_string(item, "signOnMode");
                                 if (!name) return fail_for(name.error());
                                 if (!label) return fail_for(label.error());
                                 if (!mode) return fail_for(mode.error());
                                 if (kFirstPartyApps.count(*name) != 0 || !seen.insert(a.okta_id).second) return {};
                                 a.name = *name;
                                 a.label = *label;
                                 a.sign_on_mode = mode->value_or("");
                                 apps.push_back(std::move(a));
                                 return {};
                               }));
    name_entitlements(apps, "app:", &App::label);
    return http::ordered_parallel<AppAccess>(
        apps.size(), api_.concurrency,
        [&](std::size_t i) -> Result<AppAccess> {
          const std::string base = "/api/v1/apps/" + http::percent_encode(apps[i].okta_id);
          AppAccess out;
          RC_TRY(http::for_each_item(client(), base + "/groups", {}, paging(kAppGroupsLimit),
                                     [&](const Json& item) -> Result<void> {
                                       RC_TRY(http::expect_object(item));
                                       RC_ASSIGN(std::string id, http::string_member(item, "id"));
                                       out.groups.push_back(std::move(id));
                                       return {};
                                     }));
          RC_TRY(http::for_each_item(client(), base + "/users", {}, paging(kAppUsersLimit),
                                     [&](const Json& item) -> Result<void> {
                                       RC_TRY(http::expect_object(item));
                                       AppUser u;
                                       RC_ASSIGN(u.user_id, http::string_member(item, "id"));
                                       auto scope = http::optional_string(item, "scope");
                                       if (!scope) return fail("app user " + quote(u.user_id) + ": " + scope.error().message());
                                       u.scope = scope->value_or("USER");
                                       if (const Json* cred = http::member(item, "credentials")) {
                                         auto name = http::optional_string(*cred, "userName");
                                         if (!name) return fail("app user " + quote(u.user_id) + ": credentials." + name.error().message());
                                         u.username = name->value_or("");
                                       }
                                       out.users.push_back(std::move(u));
                                       return {};
                                     }));
          return out;
        },
        [&](std::size_t i, AppAccess&& access) { return emit_app(sink, apps[i], std::move(access)); });
  }

  Result<void> emit_app(RecordSink& sink, const App& app, AppAccess&& access) {
    Entitlement e;
    e.id = app.entitlement;
    e.type = "app";
    e.name = app.entitlement.substr(4);
    e.attrs_json = Json{{"okta_id", app.okta_id}, {"app_name", app.name}, {"sign_on_mode", app.sign_on_mode}}.dump();
    RC_TRY(sink.entitlement(e));
    std::vector<std::uint32_t> assigned;
    for (const std::string& gid : access.groups) {
      auto it = group_index_.find(gid);
      if (it == group_index_.end()) {
        return fail("app " + quote(app.label) + " is assigned to group " + quote(gid) +
                    ", which was not among the groups read (created meanwhile?); take the snapshot again");
      }
      assigned.push_back(static_cast<std::uint32_t>(it->second));
    }
    std::sort(assigned.begin(), assigned.end());
    std::unordered_set<std::string> done;
    for (const AppUser& au : access.users) {
      if (!done.insert(au.user_id).second) continue;
      RC_ASSIGN(std::size_t u, user("app " + quote(app.label), au.user_id));
      if (!au.username.empty()) attrs_[u]["app_usernames"][app.label] = au.username;
      Grant g;
      g.account_id = au.user_id;
      g.entitlement_id = app.entitlement;
      const std::vector<std::string> through = vias(u, assigned);
      // A direct assignment is direct even when a group also implies the app; a GROUP-scoped
      // one whose group is not found among the user's memberships stays direct (visible).
      if (au.scope != "GROUP" || through.empty()) RC_TRY(sink.grant(g));
      for (const std::string& via : through) {
        g.via = via;
        RC_TRY(sink.grant(g));
      }
    }
    return {};
  }

  Result<void> read_admin_roles(RecordSink& sink) {
    http::LinkPaging p = paging(kAssigneesLimit, "/value");
    p.next_href = "/_links/next/href";
    std::vector<std::string> admins;
    std::unordered_set<std::string> seen;
    RC_TRY(http::for_each_item(client(), "/api/v1/iam/assignees/users", {}, p, [&](const Json& item) -> Result<void> {
      RC_TRY(http::expect_object(item));
      RC_ASSIGN(std::string id, http::string_member(item, "id"));
      if (seen.insert(id).second) admins.push_back(std::move(id));
      return {};
    }));
    std::vector<std::vector<Role>> roles(admins.size());
    RC_TRY(http::ordered_parallel<std::vector<Role>>(
        admins.size(), api_.concurrency,
        [&](std::size_t i) { return roles_at("/api/v1/users/" + http::percent_encode(admins[i]) + "/roles"); },
        [&](std::size_t i, std::vector<Role>&& r) -> Result<void> {
          roles[i] = std::move(r);
          return {};
        }));

    // Roles held through a group: ask the groups of those users which roles they carry.
    std::set<std::uint32_t> candidates;
    for (std::size_t i = 0; i < admins.size(); ++i) {
      if (std::none_of(roles[i].begin(), roles[i].end(), [](const Role& r) { return r.through_group; })) continue;
      RC_ASSIGN(std::size_t u, user("the role assignees", admins[i]));
      candidates.insert(member_of_[u].begin(), member_of_[u].end());
    }
    const std::vector<std::uint32_t> groups(candidates.begin(), candidates.end());
    std::map<std::uint32_t, std::set<std::string>> group_roles;
    RC_TRY(http::ordered_parallel<std::vector<Role>>(
        groups.size(), api_.concurrency,
        [&](std::size_t k) {
          return roles_at("/api/v1/groups/" + http::percent_encode(groups_[groups[k]].okta_id) + "/roles");
        },
        [&](std::size_t k, std::vector<Role>&& r) -> Result<void> {
          for (Role& role : r) group_roles[groups[k]].insert(role.key);
          return {};
        }));

    std::set<std::string> emitted;
    for (std::size_t i = 0; i < admins.size(); ++i) {
      RC_ASSIGN(std::size_t u, user("the role assignees", admins[i]));
      for (const Role& role : roles[i]) {
        const std::string id = "admin-role:" + role.key;
        if (emitted.insert(id).second) {
          Entitlement e;
          e.id = id;
          e.type = "admin-role";
          e.name = role.key;
          e.privileged = true;
          e.attrs_json = Json{{"label", role.label}}.dump();
          RC_TRY(sink.entitlement(e));
        }
        Grant g;
        g.account_id = admins[i];
        g.entitlement_id = id;
        std::vector<std::string> through;
        if (role.through_group) {
          for (std::uint32_t gi : member_of_[u]) {
            auto it = group_roles.find(gi);
            if (it != group_roles.end() && it->second.count(role.key) != 0) through.push_back(groups_[gi].entitlement);
          }
          std::sort(through.begin(), through.end());
        }
        if (through.empty()) RC_TRY(sink.grant(g));
        for (const std::string& via : through) {
          g.via = via;
          RC_TRY(sink.grant(g));
        }
      }
    }
    return {};
  }

  Result<std::vector<Role>> roles_at(const std::string& path) const {
    RC_ASSIGN(Json list, client().get(path));
    const std::string where = client().label(path);
    if (!list.is_array()) return fail(where + ": expected an array, got " + http::type_name(list));
    std::vector<Role> out;
    for (const Json& item : list) {
      auto r = role_of(item);
      if (!r) return fail(where + ": " + r.error().message());
      out.push_back(std::move(*r));
    }
    return out;
  }

  OktaApi api_;
  Logger& log_;
  std::vector<Account> accounts_;
  std::vector<Json> attrs_;
  std::unordered_map<std::string, std::size_t> user_index_;
  std::vector<Group> groups_;
  std::unordered_map<std::string, std::size_t> group_index_;
  std::vector<std::vector<std::uint32_t>> member_of_;  // per user, group indexes
};

Result<std::unique_ptr<Connector>> create(const config::SystemConfig& sys, const ConnectorEnv& env) {
  RC_ASSIGN(OktaApi api, open_api(sys, env, Purpose::read));
  return std::unique_ptr<Connector>(new OktaConnector(std::move(api), env.log));
}

}  // namespace

ConnectorType connector_type() {
  ConnectorType t;
  t.name = "okta";
  t.summary = "an Okta org: users in every status, groups, app assignments (direct or through groups), admin roles";
  t.keys = okta_keys();
  t.create = create;
  t.create_writer = create_writer;
  return t;
}

}  // namespace rollcall::connectors::okta
