#include "connectors/jira/jira_connector.hpp"

#include <map>
#include <set>
#include <unordered_map>

#include "connectors/api/credentials.hpp"
#include "connectors/api/name_patterns.hpp"
#include "connectors/http/http_config.hpp"
#include "connectors/http/paginate.hpp"
#include "connectors/http/parallel.hpp"
#include "connectors/jira/jira_api.hpp"
#include "connectors/jira/jira_writer.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::jira {
namespace {

using http::Json;

const std::vector<std::string> kDefaultAdminGroups = {"site-admins", "org-admins", "jira-admins*",
                                                      "jira-administrators", "administrators",
                                                      "atlassian-addons-admin"};
// App users Atlassian itself creates for its own products and integrations.
const std::vector<std::string> kDefaultBuiltinApps = {
    "Automation for Jira", "Atlassian Assist",       "Jira Service Management Widget", "Jira Service Desk Widget",
    "Jira Outlook",        "Jira Spreadsheets",      "Statuspage for Jira",            "Opsgenie Incident Timeline",
    "Atlassian Analytics", "Jira Cloud for Slack*"};
constexpr const char* kRest = "/rest/api/3";

struct Settings {
  int page_size = 100;
  std::vector<std::string> projects;
  NamePatterns admin_groups;
  NamePatterns builtin_apps;
};

// A user as Jira's lists return it.
struct User {
  std::string id;
  std::string type;  // atlassian, app, customer, unknown
  std::string name;
  std::string email;
  bool active = true;
  bool listed = false;  // came from /users/search (not only from a group or role)
  bool holds = false;   // a group or project role holds it
};

Result<User> user_of(const Json& item) {
  RC_TRY(http::expect_object(item));
  User u;
  RC_ASSIGN(u.id, http::string_member(item, "accountId"));
  auto fail_for = [&](const Error& e) { return fail("account " + quote(u.id) + ": " + e.message()); };
  auto type = http::optional_string(item, "accountType");
  auto name = http::optional_string(item, "displayName");
  auto email = http::optional_string(item, "emailAddress");
  for (const auto* r : {&type, &name, &email}) {
    if (!*r) return fail_for(r->error());
  }
  auto active = http::bool_member(item, "active", true);
  if (!active) return fail_for(active.error());
  u.type = type->value_or("unknown");
  u.name = name->value_or("");
  u.email = std::string(trim(email->value_or("")));
  u.active = *active;
  return u;
}

struct Group {
  std::string name;
  std::string id;  // groupId; "" on sites that predate it
  std::vector<std::string> members;
};

struct ProductRole {
  std::string key;
  std::string attrs_json;
  std::vector<std::string> groups;  // names of the groups that give the seat
};

struct ProjectRole {
  std::string project;
  std::string name;
  std::string id;
  std::vector<std::string> users;   // direct user actors
  std::vector<std::string> groups;  // group actors, by name
};

// From the org API: what profile visibility does not hide from an organization admin.
struct Managed {
  std::string email;
  std::optional<UnixTime> last_active;
};

class JiraConnector final : public Connector {
 public:
  JiraConnector(JiraApi api, Settings settings, Logger& log)
      : api_(std::move(api)), s_(std::move(settings)), log_(log) {}

  // Accounts are emitted as they are read (customers only once something is known to hold
  // them), so a failure after the user list leaves a partial snapshot; entitlements and grants
  // follow once every account is in.
  Result<void> fetch(RecordSink& sink) override {
    RC_TRY(read_managed_accounts());
    RC_TRY(read_users(sink));
    RC_TRY(read_groups(sink));
    RC_TRY(read_products());
    RC_TRY(read_project_roles());
    RC_TRY(emit_customers(sink));
    return emit_access(sink);
  }

 private:
  std::string path(const std::string& rest) const { return kRest + rest; }

  // Records `u` and emits its account, unless it is a customer (emitted by emit_customers if
  // something holds it) or already known (listed twice across pages that shifted).
  Result<void> remember(RecordSink& sink, User&& u, bool holds) {
    auto [it, fresh] = index_.emplace(u.id, users_.size());
    if (!fresh) {
      users_[it->second].holds = users_[it->second].holds || holds;
      return {};
    }
    u.holds = holds;
    users_.push_back(std::move(u));
    if (users_.back().type == "customer") return {};
    return emit_account(sink, users_.back());
  }

  Result<void> read_users(RecordSink& sink) {
    return http::for_each_item(api_.client, path("/users/search"), {}, http::OffsetPaging{s_.page_size},
                               [&](const Json& item) -> Result<void> {
                                 RC_ASSIGN(User u, user_of(item));
                                 u.listed = true;
                                 return remember(sink, std::move(u), false);
                               });
  }

  Result<void> read_groups(RecordSink& sink) {
    RC_TRY(http::for_each_item(api_.client, path("/group/bulk"), {}, http::OffsetPaging{s_.page_size, "/values"},
                               [&](const Json& item) -> Result<void> {
                                 RC_TRY(http::expect_object(item));
                                 Group g;
                                 RC_ASSIGN(g.name, http::string_member(item, "name"));
                                 auto id = http::optional_string(item, "groupId");
                                 if (!id) return fail("group " + quote(g.name) + ": " + id.error().message());
                                 g.id = id->value_or("");
                                 if (group_index_.count(g.name) != 0) return {};  // pages shifted
                                 group_index_[g.name] = groups_.size();
                                 groups_.push_back(std::move(g));
                                 return {};
                               }));
    return http::ordered_parallel<std::vector<User>>(
        groups_.size(), api_.concurrency,
        [&](std::size_t i) -> Result<std::vector<User>> {
          const Group& g = groups_[i];
          http::Query q;
          if (!g.id.empty()) {
            q.emplace_back("groupId", g.id);
          } else {
            q.emplace_back("groupname", g.name);
          }
          q.emplace_back("includeInactiveUsers", "true");
          std::vector<User> out;
          RC_TRY(http::for_each_item(api_.client, path("/group/member"), q, http::OffsetPaging{s_.page_size, "/values"},
                                     [&](const Json& item) -> Result<void> {
                                       RC_ASSIGN(User u, user_of(item));
                                       out.push_back(std::move(u));
                                       return {};
                                     }));
          return out;
        },
        [&](std::size_t i, std::vector<User>&& members) -> Result<void> {
          std::set<std::string> seen;
          for (User& u : members) {
            if (!seen.insert(u.id).second) continue;  // listed twice across shifted pages
            groups_[i].members.push_back(u.id);
            RC_TRY(remember(sink, std::move(u), true));
          }
          return {};
        });
  }

  // Application roles: the groups of each role give its seat (Jira Software, Jira Service
  // Management, ...). defaultGroups only say where new users go; they are kept as attributes.
  Result<void> read_products() {
    const std::string p = path("/applicationrole");
    RC_ASSIGN(Json roles, api_.client.get(p));
    const std::string where = api_.client.label(p);
    if (!roles.is_array()) {
      return fail(where + ": expected an array of application roles, got " + http::type_name(roles));
    }
    for (const Json& role : roles) {
      auto product = product_of(role);
      if (!product) return fail(where + ": " + product.error().message());
      products_.push_back(std::move(product).value());
    }
    return {};
  }

  Result<ProductRole> product_of(const Json& role) {
    RC_TRY(http::expect_object(role));
    ProductRole out;
    RC_ASSIGN(out.key, http::string_member(role, "key"));
    auto fail_for = [&](const std::string& why) { return fail("application role " + quote(out.key) + ": " + why); };
    Json attrs = Json::object();
    if (const Json* name = http::member(role, "name"); name != nullptr && name->is_string()) attrs["name"] = *name;
    for (const auto& [member, attr] : {std::pair{"numberOfSeats", "seats"},
                                       std::pair{"remainingSeats", "remaining_seats"},
                                       std::pair{"userCount", "user_count"}}) {
      if (const Json* v = http::member(role, member); v != nullptr && v->is_number_integer()) attrs[attr] = *v;
    }
    auto names = [&](const char* key) -> Result<std::vector<std::string>> {
      std::vector<std::string> out;
      const Json* list = http::member(role, key);
      if (list == nullptr) return out;
      if (!list->is_array()) return fail_for(quote(key) + " is " + http::type_name(*list) + ", not an array");
      for (const Json& n : *list) {
        if (!n.is_string() || n.get_ref<const std::string&>().empty()) {
          return fail_for(quote(key) + " holds a non-name");
        }
        out.push_back(n.get<std::string>());
      }
      return out;
    };
    RC_ASSIGN(out.groups, names("groups"));
    RC_ASSIGN(auto defaults, names("defaultGroups"));
    if (!defaults.empty()) attrs["default_groups"] = defaults;
    for (const std::string& g : out.groups) {
      if (group_index_.count(g) == 0) return fail_for("group " + quote(g) + " is not in the site's group list");
    }
    out.attrs_json = attrs.dump();
    return out;
  }

  Result<void> read_project_roles() {
    for (const std::string& project : s_.projects) {
      const std::string p = path("/project/" + http::percent_encode(project) + "/role");
      RC_ASSIGN(Json roles, api_.client.get(p));
      const std::string where = api_.client.label(p);
      if (!roles.is_object()) return fail(where + ": expected an object of role links, got " + http::type_name(roles));
      std::vector<std::string> ids;
      for (auto it = roles.begin(); it != roles.end(); ++it) {
        // "Administrators": "https://site/rest/api/3/project/10000/role/10002"
        if (!it->is_string()) return fail(where + ": role " + quote(it.key()) + " is not a link");
        const std::string& link = it->get_ref<const std::string&>();
        std::string id = link.substr(link.find_last_of('/') + 1);
        if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
          return fail(where + ": role " + quote(it.key()) + ": no role id at the end of " + quote(link));
        }
        ids.push_back(std::move(id));
      }
      RC_TRY(http::ordered_parallel<Json>(
          ids.size(), api_.concurrency, [&](std::size_t i) { return api_.client.get(p + "/" + ids[i]); },
          [&](std::size_t i, Json&& role) -> Result<void> {
            auto r = project_role_of(project, ids[i], role);
            if (!r) return fail(api_.client.label(p + "/" + ids[i]) + ": " + r.error().message());
            project_roles_.push_back(std::move(r).value());
            return {};
          }));
    }
    return {};
  }

  Result<ProjectRole> project_role_of(const std::string& project, const std::string& id, const Json& role) {
    RC_TRY(http::expect_object(role));
    ProjectRole out{project, "", id, {}, {}};
    RC_ASSIGN(out.name, http::string_member(role, "name"));
    const Json* actors = http::member(role, "actors");
    if (actors == nullptr) return out;
    if (!actors->is_array()) return fail("\"actors\" is not an array");
    for (const Json& actor : *actors) {
      RC_TRY(http::expect_object(actor));
      RC_ASSIGN(auto type, http::optional_string(actor, "type"));
      if (const Json* user = http::member(actor, "actorUser")) {
        RC_ASSIGN(std::string account, http::string_member(*user, "accountId"));
        auto known = index_.find(account);
        if (known == index_.end()) {
          return fail("role " + quote(out.name) + ": actor " + quote(account) + " is not among the site's accounts");
        }
        users_[known->second].holds = true;
        out.users.push_back(std::move(account));
      } else if (const Json* group = http::member(actor, "actorGroup")) {
        RC_ASSIGN(std::string name, http::string_member(*group, "name"));
        if (group_index_.count(name) == 0) {
          return fail("role " + quote(out.name) + ": group actor " + quote(name) + " is not in the site's group list");
        }
        out.groups.push_back(std::move(name));
      } else {
        return fail("role " + quote(out.name) + ": an actor of type " + quote(type.value_or("?")) +
                    " has neither actorUser nor actorGroup");
      }
    }
    return out;
  }

  Result<void> read_managed_accounts() {
    if (!api_.org) return {};
    const std::string p = "/admin/v1/orgs/" + http::percent_encode(api_.org->org_id) + "/users";
    return http::for_each_item(
        api_.org->client, p, {}, http::CursorPaging{0, "/data", "cursor", "/links/next", "", true},
        [&](const Json& item) -> Result<void> {
          RC_TRY(http::expect_object(item));
          RC_ASSIGN(std::string id, http::string_member(item, "account_id"));
          auto email = http::optional_string(item, "email");
          if (!email) return fail("account " + quote(id) + ": " + email.error().message());
          auto last = http::time_member(item, "last_active");
          if (!last) return fail("account " + quote(id) + ": " + last.error().message());
          managed_[id] = Managed{std::string(trim(email->value_or(""))), *last};
          return {};
        });
  }

  Result<void> emit_account(RecordSink& sink, const User& u) {
    Account a;
    a.id = u.id;
    a.login = u.id;
    a.display_name = u.name;
    a.email = u.email;
    a.status = u.active ? AccountStatus::active : AccountStatus::disabled;
    Json attrs = {{"account_type", u.type}};
    if (u.type == "app") {
      a.kind = s_.builtin_apps.matches(u.name) ? AccountKind::builtin : AccountKind::service;
    } else if (u.type == "customer") {
      a.kind = AccountKind::guest;
    }
    if (auto m = managed_.find(u.id); m != managed_.end()) {
      if (a.email.empty() && !m->second.email.empty()) {
        a.email = m->second.email;
        attrs["email_source"] = "organization";
      }
      a.last_login = m->second.last_active;
      attrs["managed"] = true;
    }
    if (a.kind == AccountKind::human || a.kind == AccountKind::guest) {
      ++people_;
      if (a.email.empty()) {
        ++hidden_;
        attrs["email_hidden"] = true;
      }
    }
    if (!u.listed) attrs["not_in_user_list"] = true;
    a.attrs_json = attrs.dump();
    return sink.account(a);
  }

  // Customers held by a group or project role, as guests; the others are only counted. Then the
  // one warning about hidden emails.
  Result<void> emit_customers(RecordSink& sink) {
    std::size_t skipped = 0;
    for (const User& u : users_) {
      if (u.type != "customer") continue;
      if (!u.holds) {
        ++skipped;
        continue;
      }
      RC_TRY(emit_account(sink, u));
    }
    if (skipped > 0) {
      log_.info("jira: " + std::to_string(skipped) +
                " customer accounts (Jira Service Management portal customers) hold no group or project role; "
                "not read");
    }
    if (hidden_ > 0) {
      std::string how = api_.org ? "nor in organization " + quote(api_.org->org_id) + "'s managed accounts"
                                 : "and no org_id/org_api_key is set to look them up";
      log_.warn("jira: " + std::to_string(hidden_) + " of " + std::to_string(people_) +
                " accounts have no email visible (Atlassian profile visibility), " + how +
                "; they are marked email_hidden and reported as unmatched unless the mapping file names them");
    }
    return {};
  }

  Result<void> grant(RecordSink& sink, const std::string& account, const std::string& entitlement,
                     const std::string& via) {
    Grant g;
    g.account_id = account;
    g.entitlement_id = entitlement;
    g.via = via;
    return sink.grant(g);
  }

  Result<void> emit_access(RecordSink& sink) {
    for (const Group& g : groups_) {
      Entitlement e;
      e.id = "group:" + g.name;
      e.type = "group";
      e.name = g.name;
      e.privileged = s_.admin_groups.matches(g.name);
      Json attrs = Json::object();
      if (!g.id.empty()) attrs["group_id"] = g.id;
      e.attrs_json = attrs.dump();
      RC_TRY(sink.entitlement(e));
      for (const std::string& m : g.members) RC_TRY(grant(sink, m, e.id, "direct"));
    }
    for (const ProductRole& p : products_) {
      Entitlement e;
      e.id = "product:" + p.key;
      e.type = "product";
      e.name = p.key;
      e.attrs_json = p.attrs_json;
      RC_TRY(sink.entitlement(e));
      std::set<std::string> groups(p.groups.begin(), p.groups.end());
      for (const std::string& name : groups) {
        for (const std::string& m : groups_[group_index_.at(name)].members) {
          RC_TRY(grant(sink, m, e.id, "group:" + name));
        }
      }
    }
    for (const ProjectRole& r : project_roles_) {
      Entitlement e;
      e.id = "project-role:" + r.project + ":" + r.name;
      e.type = "project-role";
      e.name = r.project + ":" + r.name;
      e.privileged = r.name == "Administrators";
      e.attrs_json = Json{{"project", r.project}, {"role", r.name}, {"role_id", r.id}}.dump();
      RC_TRY(sink.entitlement(e));
      std::set<std::string> direct(r.users.begin(), r.users.end());
      for (const std::string& u : direct) RC_TRY(grant(sink, u, e.id, "direct"));
      std::set<std::string> groups(r.groups.begin(), r.groups.end());
      for (const std::string& name : groups) {
        for (const std::string& m : groups_[group_index_.at(name)].members) {
          RC_TRY(grant(sink, m, e.id, "group:" + name));
        }
      }
    }
    return {};
  }

  JiraApi api_;
  Settings s_;
  Logger& log_;
  std::vector<User> users_;
  std::unordered_map<std::string, std::size_t> index_;  // accountId -> users_
  std::vector<Group> groups_;
  std::unordered_map<std::string, std::size_t> group_index_;  // name -> groups_
  std::vector<ProductRole> products_;
  std::vector<ProjectRole> project_roles_;
  std::unordered_map<std::string, Managed> managed_;  // accountId -> org API record
  std::size_t people_ = 0;  // human and guest accounts emitted
  std::size_t hidden_ = 0;  // ... of which without an email
};

Result<std::unique_ptr<Connector>> create(const config::SystemConfig& sys, const ConnectorEnv& env) {
  const config::Table& keys = sys.keys;
  Settings s;
  if (auto n = keys.integer("page_size")) {
    if (*n < 1 || *n > 1000) return fail(keys.where("page_size") + ": page_size must be 1 to 1000");
    s.page_size = static_cast<int>(*n);
  }
  if (auto projects = keys.list("projects")) {
    std::set<std::string> seen;
    for (const std::string& p : *projects) {
      if (p.empty() || p.find_first_of("/:?# ") != std::string::npos) {
        return fail(keys.where("projects") + ": " + quote(p) + " is not a project key");
      }
      if (seen.insert(p).second) s.projects.push_back(p);
    }
  }
  s.admin_groups = NamePatterns(keys.list("admin_groups").value_or(kDefaultAdminGroups), NameCase::insensitive);
  s.builtin_apps = NamePatterns(keys.list("builtin_apps").value_or(kDefaultBuiltinApps));
  RC_ASSIGN(JiraApi api, open_api(sys, env));
  return std::unique_ptr<Connector>(new JiraConnector(std::move(api), std::move(s), env.log));
}

}  // namespace

ConnectorType connector_type() {
  using config::ValueType;
  ConnectorType t;
  t.name = "jira";
  t.summary = "a Jira Cloud site: accounts, groups, product access, project roles";
  t.keys = {
      {"base_url", ValueType::string, true,
       "the site, e.g. https://acme.atlassian.net (OAuth: https://api.atlassian.com/ex/jira/<cloudId>)", ""},
      {"email", ValueType::string, false,
       "the account whose API token authenticates (with api_token_env/api_token_file)", ""},
      {"projects", ValueType::string_list, false, "project keys whose project roles to read; none when absent", ""},
      {"admin_groups", ValueType::string_list, false, "group name patterns that are privileged (case-insensitive)",
       "[\"site-admins\", \"org-admins\", \"jira-admins*\", \"jira-administrators\", \"administrators\", "
       "\"atlassian-addons-admin\"]"},
      {"builtin_apps", ValueType::string_list, false,
       "display-name patterns of app users Atlassian creates itself (kind builtin, never orphans)",
       "[\"Automation for Jira\", \"Atlassian Assist\", ...] (docs/connectors/jira.md)"},
      {"page_size", ValueType::integer, false, "items asked for per page (maxResults); Jira may return fewer", "100"},
      {"org_id", ValueType::string, false,
       "Atlassian organization id: match hidden emails through its managed accounts", ""},
      {"admin_base_url", ValueType::string, false, "the organization admin API root", "\"https://api.atlassian.com\""},
  };
  for (auto& k : connectors::credential_keys("api_token", "Atlassian API token (Basic auth with email)")) {
    t.keys.push_back(std::move(k));
  }
  for (auto& k : connectors::credential_keys("token", "OAuth 2.0 bearer token")) t.keys.push_back(std::move(k));
  for (auto& k : connectors::credential_keys("org_api_key", "organization admin API key")) {
    t.keys.push_back(std::move(k));
  }
  for (auto& k : http::common_keys()) t.keys.push_back(std::move(k));
  t.create = create;
  t.create_writer = create_writer;
  return t;
}

}  // namespace rollcall::connectors::jira
