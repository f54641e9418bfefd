#include "connectors/entra/entra_connector.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "connectors/api/membership_graph.hpp"
#include "connectors/entra/entra_api.hpp"
#include "connectors/entra/entra_writer.hpp"
#include "connectors/http/http_config.hpp"
#include "connectors/http/paginate.hpp"
#include "connectors/http/parallel.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::entra {
namespace {

using http::Json;

constexpr int kTop = 999;  // the largest page Graph serves for directory objects
constexpr const char* kDefaultAppRole = "00000000-0000-0000-0000-000000000000";
constexpr const char* kUserSelect =
    "id,displayName,userPrincipalName,mail,employeeId,userType,accountEnabled,createdDateTime,"
    "externalUserState,onPremisesSyncEnabled";

// The object type of a directory object in a member or owner list: "user", "group", ...
std::string object_type(const Json& item) {
  const Json* t = http::member(item, "@odata.type");
  if (t == nullptr || !t->is_string()) return "";
  std::string s = t->get<std::string>();
  constexpr std::string_view kPrefix = "#microsoft.graph.";
  return starts_with(s, kPrefix) ? s.substr(kPrefix.size()) : s;
}

Result<std::optional<UnixTime>> graph_time(const Json& object, std::string_view key) {
  RC_ASSIGN(auto text, http::optional_string(object, key));
  if (!text || text->empty()) return std::optional<UnixTime>();
  auto t = parse_iso8601(*text);
  if (!t) return fail(quote(key) + ": " + t.error().message());
  return std::optional<UnixTime>(*t);
}

// The credentials of an application or service principal: ids and dates only. Graph never
// returns a secret's value from a list, and rollcall would not keep one: secretText, hint and
// key are left out.
Result<void> add_credentials(const Json& object, const std::string& source, Json& out) {
  for (const auto& [member, type] :
       {std::pair{"passwordCredentials", "password"}, std::pair{"keyCredentials", "certificate"}}) {
    const Json* list = http::member(object, member);
    if (list == nullptr) continue;
    if (!list->is_array()) return fail(quote(member) + " is " + http::type_name(*list) + ", not an array");
    for (const Json& c : *list) {
      RC_TRY(http::expect_object(c));
      Json entry = {{"type", type}, {"source", source}};
      RC_ASSIGN(auto key_id, http::optional_string(c, "keyId"));
      RC_ASSIGN(auto name, http::optional_string(c, "displayName"));
      RC_ASSIGN(auto start, http::optional_string(c, "startDateTime"));
      RC_ASSIGN(auto end, http::optional_string(c, "endDateTime"));
      if (key_id) entry["key_id"] = *key_id;
      if (name) entry["display_name"] = *name;
      if (start) entry["start"] = *start;
      if (end) entry["end"] = *end;
      if (std::string(type) == "certificate") {
        RC_ASSIGN(auto usage, http::optional_string(c, "usage"));
        if (usage) entry["usage"] = *usage;
      }
      out.push_back(std::move(entry));
    }
  }
  return {};
}

// The credentials gathered by add_credentials as records of the account: client secrets and
// certificates, with their start (created) and end (expiry) dates. Graph's list does not say
// when a secret was last used (sign-in activity needs the reports API), so use is not recorded.
// A key id listed twice (an app's and its service principal's view) is emitted once.
Result<void> emit_credentials(const std::string& account_id, const Json& attrs, RecordSink& sink) {
  const auto list = attrs.find("credentials");
  if (list == attrs.end() || !list->is_array()) return {};
  std::set<std::string> seen;
  for (const Json& entry : *list) {
    Credential c;
    c.account_id = account_id;
    c.id = entry.value("key_id", entry.value("display_name", std::string()));
    if (c.id.empty() || !seen.insert(c.id).second) continue;
    c.kind = entry.value("type", std::string()) == "certificate" ? CredentialKind::certificate : CredentialKind::client_secret;
    c.use_recorded = false;
    for (auto [key, field] : {std::pair{"start", &Credential::created_at}, std::pair{"end", &Credential::expires_at}}) {
      if (!entry.contains(key)) continue;
      auto t = parse_iso8601(entry[key].get<std::string>());
      if (!t) return fail("credential " + quote(c.id) + " of " + quote(account_id) + ": " + key + ": " + t.error().message());
      c.*field = *t;
    }
    Json extra = Json::object();
    for (const char* key : {"display_name", "source", "usage"}) {
      if (entry.contains(key)) extra[key] = entry[key];
    }
    c.attrs_json = extra.dump();
    RC_TRY(sink.credential(c));
  }
  return {};
}

// Directory roles that only read are not privileged; every other role can change the tenant.
bool privileged_role(const std::string& name) { return !ends_with(name, " Reader") && !ends_with(name, " Readers"); }

struct Owner {
  std::string id;
  std::string name;  // userPrincipalName, else displayName
};

struct App {  // one service principal
  std::string id;
  std::string app_id;
  std::string name;
  bool builtin = false;
  std::map<std::string, std::string> roles;  // app role id -> level name
  std::string entitlement;                   // app:<name>, set once names are known
};

struct Group {
  std::string id;
  std::string name;
  Json attrs;
  std::string entitlement;
  bool privileged = false;
};

struct Role {
  std::string id;
  std::string name;
  std::string entitlement;
};

struct Assignment {  // an app role held by a principal
  std::uint32_t app = 0;
  std::string level;
};

class EntraConnector final : public Connector {
 public:
  EntraConnector(EntraApi api, std::string system, Logger& log)
      : api_(std::move(api)), system_(std::move(system)), log_(log) {}

  Result<void> fetch(RecordSink& sink) override {
    // Sign in first, so a rejected credential is the whole error rather than a Graph request's.
    RC_TRY(api_.tokens->token());
    RC_TRY(read_users(sink));
    RC_TRY(read_applications());
    RC_TRY(read_service_principals(sink));
    RC_TRY(read_groups());
    RC_TRY(read_roles());
    RC_TRY(read_assignments());
    RC_TRY(emit_entitlements(sink));
    return emit_grants(sink);
  }

 private:
  Result<void> each(const std::string& path, const http::Query& query, int top, const http::ItemFn& fn) const {
    return http::for_each_item(api_.client, path, query, http::NextLinkPaging{top}, fn);
  }

  std::uint32_t add_account(const std::string& id) {
    auto [it, inserted] = account_index_.emplace(id, static_cast<std::uint32_t>(account_count_));
    if (inserted) ++account_count_;
    return it->second;
  }

  // Whether signInActivity may be selected: Graph refuses it (403) without AuditLog.Read.All,
  // and for tenants without an Entra ID P1/P2 licence.
  Result<bool> sign_in_activity_readable() {
    const http::Query query = {{"$select", "id,signInActivity"}, {"$top", "1"}};
    RC_ASSIGN(auto probe, api_.client.send(http::Method::get, "/users", "", query, {403}));
    if (probe.response.status != 403) return true;
    const std::string code = graph_error_code(probe.json);
    if (code != "Authorization_RequestDenied" && code != "Authentication_RequestFromNonPremiumTenantOrB2CTenant") {
      return fail(api_.client.label("/users", query) + ": HTTP 403: " + describe_graph_error(probe.response));
    }
    log_.warn("system " + quote(system_) + ": Graph refuses signInActivity (" + code +
              "): the app needs the AuditLog.Read.All application permission (and the tenant an Entra ID P1 or P2 "
              "licence). Users are read without it: their last sign-in is unknown, so dormancy cannot be judged");
    return false;
  }

  Result<void> read_users(RecordSink& sink) {
    RC_ASSIGN(const bool sign_ins, sign_in_activity_readable());
    std::string select = kUserSelect;
    if (sign_ins) select += ",signInActivity";
    return each("/users", {{"$select", select}}, kTop, [&](const Json& item) -> Result<void> {
      RC_TRY(http::expect_object(item));
      Account a;
      RC_ASSIGN(a.id, http::string_member(item, "id"));
      auto fail_for = [&](const Error& e) { return fail("user " + quote(a.id) + ": " + e.message()); };
      auto upn = http::string_member(item, "userPrincipalName");
      if (!upn) return fail_for(upn.error());
      a.login = *upn;
      auto mail = http::optional_string(item, "mail");
      auto name = http::optional_string(item, "displayName");
      auto employee = http::optional_string(item, "employeeId");
      auto type = http::optional_string(item, "userType");
      auto state = http::optional_string(item, "externalUserState");
      for (const auto* r : {&mail, &name, &employee, &type, &state}) {
        if (!*r) return fail_for(r->error());
      }
      a.email = mail->value_or("");
      a.display_name = name->value_or("");
      a.external_id = employee->value_or("");
      // accountEnabled is always returned when selected; absent means the read was incomplete.
      const Json* enabled = http::member(item, "accountEnabled");
      if (enabled == nullptr || !enabled->is_boolean())
        return fail_for(Error("\"accountEnabled\" is missing or not a boolean"));
      a.status = enabled->get<bool>() ? AccountStatus::active : AccountStatus::disabled;
      a.kind = type->value_or("Member") == "Guest" ? AccountKind::guest : AccountKind::human;
      auto created = graph_time(item, "createdDateTime");
      if (!created) return fail_for(created.error());
      a.created_at = *created;
      Json attrs = Json::object();
      if (*type) attrs["user_type"] = **type;
      if (*state) attrs["external_user_state"] = **state;
      if (const Json* sync = http::member(item, "onPremisesSyncEnabled"); sync != nullptr && sync->is_boolean()) {
        attrs["on_premises_sync_enabled"] = *sync;
      }
      if (sign_ins) {
        if (const Json* activity = http::member(item, "signInActivity")) {
          if (!activity->is_object()) return fail_for(Error("\"signInActivity\" is not an object"));
          auto last = graph_time(*activity, "lastSignInDateTime");
          if (!last) return fail_for(Error("signInActivity: " + last.error().message()));
          a.last_login = *last;
        }
      } else {
        attrs["sign_in_activity"] = "not readable";
      }
      a.attrs_json = attrs.dump();
      if (account_index_.count(a.id) != 0) return {};  // listed twice across pages
      add_account(a.id);
      return sink.account(a);
    });
  }

  Result<std::vector<Owner>> owners(const std::string& path) const {
    std::vector<Owner> out;
    RC_TRY(each(path, {{"$select", "id,displayName,userPrincipalName"}}, 0, [&](const Json& item) -> Result<void> {
      RC_TRY(http::expect_object(item));
      Owner o;
      RC_ASSIGN(o.id, http::string_member(item, "id"));
      RC_ASSIGN(auto upn, http::optional_string(item, "userPrincipalName"));
      RC_ASSIGN(auto name, http::optional_string(item, "displayName"));
      o.name = upn ? *upn : name.value_or("");
      out.push_back(std::move(o));
      return {};
    }));
    return out;
  }

  static Json owner_json(const std::vector<Owner>& owners) {
    Json out = Json::array();
    for (const Owner& o : owners) out.push_back({{"id", o.id}, {"name", o.name}});
    return out;
  }

  // App registrations: their credentials and owners, kept for the service principal with the
  // same appId (or emitted on their own when the tenant has none).
  Result<void> read_applications() {
    struct Registration {
      std::string id, app_id, name;
      Json credentials = Json::array();
    };
    std::vector<Registration> regs;
    RC_TRY(each("/applications", {{"$select", "id,appId,displayName,passwordCredentials,keyCredentials"}}, kTop,
                [&](const Json& item) -> Result<void> {
                  RC_TRY(http::expect_object(item));
                  Registration r;
                  RC_ASSIGN(r.id, http::string_member(item, "id"));
                  auto fail_for = [&](const Error& e) {
                    return fail("application " + quote(r.id) + ": " + e.message());
                  };
                  auto app_id = http::string_member(item, "appId");
                  if (!app_id) return fail_for(app_id.error());
                  r.app_id = *app_id;
                  auto name = http::optional_string(item, "displayName");
                  if (!name) return fail_for(name.error());
                  r.name = name->value_or("");
                  if (auto c = add_credentials(item, "application", r.credentials); !c) return fail_for(c.error());
                  regs.push_back(std::move(r));
                  return {};
                }));
    return http::ordered_parallel<std::vector<Owner>>(
        regs.size(), api_.concurrency,
        [&](std::size_t i) { return owners("/applications/" + http::percent_encode(regs[i].id) + "/owners"); },
        [&](std::size_t i, std::vector<Owner>&& o) -> Result<void> {
          Json attrs = {{"object", "application"},
                        {"application_id", regs[i].id},
                        {"app_id", regs[i].app_id},
                        {"owners", owner_json(o)},
                        {"credentials", regs[i].credentials}};
          applications_[regs[i].app_id] = std::pair{regs[i].name, std::move(attrs)};
          return {};
        });
  }

  Result<void> read_service_principals(RecordSink& sink) {
    struct Principal {
      Account account;
      Json attrs;
    };
    std::vector<Principal> sps;
    const std::string select =
        "id,appId,displayName,servicePrincipalType,accountEnabled,appOwnerOrganizationId,appRoles,"
        "passwordCredentials,keyCredentials";
    RC_TRY(each("/servicePrincipals", {{"$select", select}}, kTop, [&](const Json& item) -> Result<void> {
      RC_TRY(http::expect_object(item));
      Principal p;
      App app;
      RC_ASSIGN(app.id, http::string_member(item, "id"));
      auto fail_for = [&](const Error& e) { return fail("service principal " + quote(app.id) + ": " + e.message()); };
      auto app_id = http::string_member(item, "appId");
      if (!app_id) return fail_for(app_id.error());
      app.app_id = *app_id;
      auto name = http::optional_string(item, "displayName");
      auto type = http::optional_string(item, "servicePrincipalType");
      auto owner_org = http::optional_string(item, "appOwnerOrganizationId");
      for (const auto* r : {&name, &type, &owner_org}) {
        if (!*r) return fail_for(r->error());
      }
      app.name = name->value_or(app.app_id);
      app.builtin = to_lower(owner_org->value_or("")) == kMicrosoftTenant;
      auto enabled = http::bool_member(item, "accountEnabled", true);
      if (!enabled) return fail_for(enabled.error());
      if (const Json* roles = http::member(item, "appRoles")) {
        if (!roles->is_array()) return fail_for(Error("\"appRoles\" is not an array"));
        for (const Json& r : *roles) {
          auto id = http::string_member(r, "id");
          if (!id) return fail_for(Error("appRoles: " + id.error().message()));
          auto value = http::optional_string(r, "value");
          auto role_name = http::optional_string(r, "displayName");
          if (!value || !role_name) return fail_for(Error("appRoles: a value or displayName is not a string"));
          app.roles[*id] = value->value_or("").empty() ? role_name->value_or(*id) : **value;
        }
      }
      Account& a = p.account;
      a.id = app.id;
      a.login = app.app_id;
      a.display_name = app.name;
      a.external_id = app.app_id;
      a.kind = app.builtin ? AccountKind::builtin : AccountKind::service;
      a.status = *enabled ? AccountStatus::active : AccountStatus::disabled;
      p.attrs = {{"object", "servicePrincipal"}, {"app_id", app.app_id}};
      if (*type) p.attrs["service_principal_type"] = **type;
      if (*owner_org) p.attrs["app_owner_organization_id"] = **owner_org;
      Json credentials = Json::array();
      if (auto c = add_credentials(item, "servicePrincipal", credentials); !c) return fail_for(c.error());
      if (auto reg = applications_.find(app.app_id); reg != applications_.end()) {
        const Json& r = reg->second.second;
        p.attrs["application_id"] = r["application_id"];
        p.attrs["application_owners"] = r["owners"];
        for (const Json& c : r["credentials"]) credentials.push_back(c);
        applications_.erase(reg);
      }
      p.attrs["credentials"] = std::move(credentials);
      if (account_index_.count(app.id) != 0) return {};
      add_account(app.id);
      apps_.push_back(std::move(app));
      sps.push_back(std::move(p));
      return {};
    }));
    // Owners of the tenant's own principals; Microsoft's are owned by no one here.
    RC_TRY(http::ordered_parallel<std::vector<Owner>>(
        sps.size(), api_.concurrency,
        [&](std::size_t i) -> Result<std::vector<Owner>> {
          if (sps[i].account.kind == AccountKind::builtin) return std::vector<Owner>();
          return owners("/servicePrincipals/" + http::percent_encode(sps[i].account.id) + "/owners");
        },
        [&](std::size_t i, std::vector<Owner>&& o) -> Result<void> {
          Principal& p = sps[i];
          if (p.account.kind != AccountKind::builtin) p.attrs["owners"] = owner_json(o);
          p.account.attrs_json = p.attrs.dump();
          RC_TRY(sink.account(p.account));
          return emit_credentials(p.account.id, p.attrs, sink);
        }));
    // App registrations whose app has no service principal here (multi-tenant apps used
    // elsewhere, or never instantiated): still an identity whose secrets can be used.
    for (auto& [app_id, reg] : applications_) {
      Account a;
      a.id = reg.second["application_id"].get<std::string>();
      if (account_index_.count(a.id) != 0) continue;
      a.login = app_id;
      a.display_name = reg.first;
      a.external_id = app_id;
      a.kind = AccountKind::service;
      a.attrs_json = reg.second.dump();
      add_account(a.id);
      RC_TRY(sink.account(a));
      RC_TRY(emit_credentials(a.id, reg.second, sink));
    }
    applications_.clear();
    return {};
  }

  // Members (direct) of the group or role at `path`: accounts get an edge, groups a nesting.
  struct Members {
    std::vector<std::string> accounts;  // object ids of users and service principals
    std::vector<std::string> groups;    // object ids of member groups
  };
  Result<Members> members(const std::string& path) const {
    Members out;
    RC_TRY(each(path, {{"$select", "id"}}, kTop, [&](const Json& item) -> Result<void> {
      RC_TRY(http::expect_object(item));
      RC_ASSIGN(std::string id, http::string_member(item, "id"));
      const std::string type = object_type(item);
      if (type == "group") {
        out.groups.push_back(std::move(id));
      } else if (type == "user" || type == "servicePrincipal") {
        out.accounts.push_back(std::move(id));
      }
      // Devices and organizational contacts hold no access rollcall models.
      return {};
    }));
    return out;
  }

  // Account index of a member, or nullopt for one created since the accounts were read.
  std::optional<std::uint32_t> account_of(const std::string& id) {
    auto it = account_index_.find(id);
    if (it != account_index_.end()) return it->second;
    ++unknown_members_;
    return std::nullopt;
  }

  Result<void> read_groups() {
    const std::string select =
        "id,displayName,securityEnabled,mailEnabled,groupTypes,isAssignableToRole,"
        "onPremisesSyncEnabled";
    RC_TRY(each("/groups", {{"$select", select}}, kTop, [&](const Json& item) -> Result<void> {
      RC_TRY(http::expect_object(item));
      Group g;
      RC_ASSIGN(g.id, http::string_member(item, "id"));
      auto name = http::optional_string(item, "displayName");
      if (!name) return fail("group " + quote(g.id) + ": " + name.error().message());
      g.name = name->value_or(g.id);
      g.attrs = {{"object_id", g.id}};
      for (const char* key : {"securityEnabled", "mailEnabled", "isAssignableToRole", "onPremisesSyncEnabled"}) {
        if (const Json* v = http::member(item, key); v != nullptr && v->is_boolean()) g.attrs[key] = *v;
      }
      if (const Json* types = http::member(item, "groupTypes"); types != nullptr && types->is_array()) {
        g.attrs["groupTypes"] = *types;
        for (const Json& t : *types) {
          if (t == "DynamicMembership") g.attrs["dynamic"] = true;
        }
      }
      if (group_index_.count(g.id) != 0) return {};
      group_index_[g.id] = static_cast<std::uint32_t>(groups_.size());
      groups_.push_back(std::move(g));
      return {};
    }));
    account_groups_.resize(account_count_);
    return http::ordered_parallel<Members>(
        groups_.size(), api_.concurrency,
        [&](std::size_t i) { return members("/groups/" + http::percent_encode(groups_[i].id) + "/members"); },
        [&](std::size_t i, Members&& m) -> Result<void> {
          for (const std::string& id : m.accounts) {
            if (auto a = account_of(id)) account_groups_[*a].push_back(static_cast<std::uint32_t>(i));
          }
          for (const std::string& id : m.groups) {
            if (group_index_.count(id) != 0) nesting_.add(id, groups_[i].id);
          }
          return {};
        });
  }

  Result<void> read_roles() {
    RC_TRY(each("/directoryRoles", {{"$select", "id,displayName,roleTemplateId"}}, 0,
                [&](const Json& item) -> Result<void> {
                  RC_TRY(http::expect_object(item));
                  Role r;
                  RC_ASSIGN(r.id, http::string_member(item, "id"));
                  auto name = http::string_member(item, "displayName");
                  if (!name) return fail("directory role " + quote(r.id) + ": " + name.error().message());
                  r.name = *name;
                  roles_.push_back(std::move(r));
                  return {};
                }));
    return http::ordered_parallel<Members>(
        roles_.size(), api_.concurrency,
        [&](std::size_t i) { return members("/directoryRoles/" + http::percent_encode(roles_[i].id) + "/members"); },
        [&](std::size_t i, Members&& m) -> Result<void> {
          for (const std::string& id : m.accounts) {
            if (auto a = account_of(id)) role_direct_.emplace_back(*a, static_cast<std::uint32_t>(i));
          }
          for (const std::string& id : m.groups) {
            if (auto g = group_index_.find(id); g != group_index_.end()) group_roles_[g->second].push_back(i);
          }
          return {};
        });
  }

  Result<void> read_assignments() {
    const http::Query query = {{"$select", "id,appRoleId,principalId,principalType"}};
    return http::ordered_parallel<std::vector<std::tuple<std::string, std::string, std::string>>>(
        apps_.size(), api_.concurrency,
        [&](std::size_t i) -> Result<std::vector<std::tuple<std::string, std::string, std::string>>> {
          std::vector<std::tuple<std::string, std::string, std::string>> out;  // principal, type, role
          RC_TRY(each("/servicePrincipals/" + http::percent_encode(apps_[i].id) + "/appRoleAssignedTo", query, kTop,
                      [&](const Json& item) -> Result<void> {
                        RC_TRY(http::expect_object(item));
                        RC_ASSIGN(std::string id, http::string_member(item, "id"));
                        auto principal = http::string_member(item, "principalId");
                        auto type = http::string_member(item, "principalType");
                        auto role = http::string_member(item, "appRoleId");
                        for (const auto* r : {&principal, &type, &role}) {
                          if (!*r) return fail("assignment " + quote(id) + ": " + r->error().message());
                        }
                        out.emplace_back(*principal, *type, to_lower(*role));
                        return {};
                      }));
          return out;
        },
        [&](std::size_t i, std::vector<std::tuple<std::string, std::string, std::string>>&& list) -> Result<void> {
          const App& app = apps_[i];
          if (!list.empty()) assigned_apps_.insert(static_cast<std::uint32_t>(i));
          for (const auto& [principal, type, role] : list) {
            std::string level = "member";
            if (role != kDefaultAppRole) {
              auto it = app.roles.find(role);
              level = it != app.roles.end() ? it->second : role;
            }
            Assignment as{static_cast<std::uint32_t>(i), level};
            if (type == "Group") {
              if (auto g = group_index_.find(principal); g != group_index_.end()) group_apps_[g->second].push_back(as);
            } else if (auto a = account_of(principal)) {
              account_apps_[*a].push_back(as);
            }
          }
          return {};
        });
  }

  // Entitlement names, unique: displayNames held by two objects get " (<object id>)" each.
  template <class T>
  void name_entitlements(std::vector<T>& items, const std::string& type) {
    std::map<std::string, int> count;
    for (const T& t : items) ++count[t.name];
    int clashes = 0;
    for (T& t : items) {
      const bool clash = count[t.name] > 1;
      clashes += clash ? 1 : 0;
      t.entitlement = type + ":" + (clash ? t.name + " (" + t.id + ")" : t.name);
    }
    if (clashes > 0) {
      log_.warn("system " + quote(system_) + ": " + std::to_string(clashes) + " " + type +
                " entitlements share a displayName with another; they are named \"<displayName> (<object id>)\"");
    }
  }

  Result<void> emit_entitlements(RecordSink& sink) {
    name_entitlements(groups_, "group");
    name_entitlements(roles_, "directory-role");
    name_entitlements(apps_, "app");
    for (const auto& [group, roles] : group_roles_) {
      for (std::size_t r : roles) groups_[group].privileged |= privileged_role(roles_[r].name);
    }
    for (const Group& g : groups_) {
      Entitlement e;
      e.id = g.entitlement;
      e.type = "group";
      e.name = e.id.substr(6);
      e.privileged = g.privileged;
      e.attrs_json = g.attrs.dump();
      RC_TRY(sink.entitlement(e));
    }
    for (const Role& r : roles_) {
      Entitlement e;
      e.id = r.entitlement;
      e.type = "directory-role";
      e.name = e.id.substr(15);
      e.privileged = privileged_role(r.name);
      e.attrs_json = Json{{"object_id", r.id}}.dump();
      RC_TRY(sink.entitlement(e));
    }
    for (std::uint32_t i = 0; i < apps_.size(); ++i) {
      const App& app = apps_[i];
      // Microsoft's own principals are entitlements only where someone holds them.
      if (app.builtin && assigned_apps_.count(i) == 0) continue;
      Entitlement e;
      e.id = app.entitlement;
      e.type = "app";
      e.name = e.id.substr(4);
      e.attrs_json = Json{{"service_principal_id", app.id}, {"app_id", app.app_id}}.dump();
      RC_TRY(sink.entitlement(e));
    }
    return {};
  }

  Result<void> emit_grants(RecordSink& sink) {
    if (unknown_members_ > 0) {
      log_.info("system " + quote(system_) + ": " + std::to_string(unknown_members_) +
                " memberships or assignments name objects created after the accounts were read; not kept");
    }
    std::vector<std::string> ids(account_count_);
    for (const auto& [id, index] : account_index_) ids[index] = id;
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> roles_of;
    for (const auto& [account, role] : role_direct_) roles_of[account].push_back(role);
    // Per group, the outer groups its membership confers and through which inner group.
    std::unordered_map<std::uint32_t, std::vector<std::pair<std::uint32_t, std::uint32_t>>> outer;
    for (std::uint32_t g = 0; g < groups_.size(); ++g) {
      for (const MembershipGraph::Edge* e : nesting_.memberships(groups_[g].id)) {
        outer[g].emplace_back(group_index_.at(e->group), group_index_.at(e->member));
      }
    }

    account_groups_.resize(account_count_);
    for (std::uint32_t a = 0; a < account_count_; ++a) {
      // (entitlement, via) -> levels; one grant each, as the store keeps one per pair.
      std::map<std::pair<std::string, std::string>, std::set<std::string>> grants;
      auto add = [&](const std::string& entitlement, const std::string& via, const std::string& level) {
        grants[{entitlement, via}].insert(level);
      };
      for (std::uint32_t g : account_groups_[a]) {
        add(groups_[g].entitlement, "direct", "member");
        if (auto o = outer.find(g); o != outer.end()) {
          for (const auto& [group, via] : o->second)
            add(groups_[group].entitlement, groups_[via].entitlement, "member");
        }
        if (auto r = group_roles_.find(g); r != group_roles_.end()) {
          for (std::size_t role : r->second) add(roles_[role].entitlement, groups_[g].entitlement, "member");
        }
        if (auto p = group_apps_.find(g); p != group_apps_.end()) {
          for (const Assignment& as : p->second) add(apps_[as.app].entitlement, groups_[g].entitlement, as.level);
        }
      }
      if (auto r = roles_of.find(a); r != roles_of.end()) {
        for (std::uint32_t role : r->second) add(roles_[role].entitlement, "direct", "member");
      }
      if (auto p = account_apps_.find(a); p != account_apps_.end()) {
        for (const Assignment& as : p->second) add(apps_[as.app].entitlement, "direct", as.level);
      }
      for (const auto& [key, levels] : grants) {
        Grant g;
        g.account_id = ids[a];
        g.entitlement_id = key.first;
        g.via = key.second;
        g.level = join(std::vector<std::string>(levels.begin(), levels.end()), ", ");
        RC_TRY(sink.grant(g));
      }
    }
    return {};
  }

  EntraApi api_;
  std::string system_;
  Logger& log_;

  std::unordered_map<std::string, std::uint32_t> account_index_;  // object id -> account index
  std::size_t account_count_ = 0;
  std::size_t unknown_members_ = 0;
  std::map<std::string, std::pair<std::string, Json>> applications_;  // appId -> (name, attrs)
  std::vector<App> apps_;
  std::set<std::uint32_t> assigned_apps_;
  std::vector<Group> groups_;
  std::unordered_map<std::string, std::uint32_t> group_index_;
  std::vector<std::vector<std::uint32_t>> account_groups_;  // per account, the groups it is a direct member of
  MembershipGraph nesting_;                                 // group in group, by object id
  std::vector<Role> roles_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> role_direct_;         // account, role
  std::unordered_map<std::uint32_t, std::vector<std::size_t>> group_roles_;  // group -> roles
  std::unordered_map<std::uint32_t, std::vector<Assignment>> group_apps_;    // group -> app roles
  std::unordered_map<std::uint32_t, std::vector<Assignment>> account_apps_;  // account -> app roles
};

Result<std::unique_ptr<Connector>> create(const config::SystemConfig& sys, const ConnectorEnv& env) {
  RC_ASSIGN(EntraApi api, open_api(sys, env));
  return std::unique_ptr<Connector>(new EntraConnector(std::move(api), sys.name, env.log));
}

}  // namespace

ConnectorType connector_type() {
  ConnectorType t;
  t.name = "entra";
  t.summary =
      "a Microsoft Entra ID tenant (Microsoft Graph): users, guests, groups, directory roles, "
      "enterprise apps, service principals";
  t.keys = api_keys();
  for (auto& k : http::common_keys()) t.keys.push_back(std::move(k));
  t.create = create;
  t.create_writer = create_writer;
  return t;
}

}  // namespace rollcall::connectors::entra
