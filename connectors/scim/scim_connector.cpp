#include "connectors/scim/scim_connector.hpp"

#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "connectors/http/api_client.hpp"
#include "connectors/http/http_config.hpp"
#include "connectors/http/paginate.hpp"
#include "connectors/http/parallel.hpp"
#include "connectors/scim/scim_api.hpp"
#include "connectors/scim/scim_writer.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::scim {
namespace {

using http::Json;

constexpr const char* kEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

// Resolves an attribute path: "meta.lastLogin", "title", or a schema-qualified one such as
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value".
const Json* resolve_path(const Json& resource, const std::string& path) {
  const Json* node = &resource;
  std::string rest = path;
  if (starts_with(to_lower(path), "urn:")) {
    auto colon = path.rfind(':');
    node = find_ci(resource, path.substr(0, colon));
    if (node == nullptr) return nullptr;
    rest = path.substr(colon + 1);
  }
  for (const std::string& part : split(rest, '.')) {
    node = find_ci(*node, part);
    if (node == nullptr) return nullptr;
  }
  return node;
}

std::string primary_email(const Json& user) {
  const Json* emails = find_ci(user, "emails");
  if (emails == nullptr || !emails->is_array()) return "";
  const Json* work = nullptr;
  const Json* first = nullptr;
  for (const Json& e : *emails) {
    if (!e.is_object() || string_at(e, "value").empty()) continue;
    const Json* primary = find_ci(e, "primary");
    if (primary != nullptr && primary->is_boolean() && primary->get<bool>()) return string_at(e, "value");
    if (work == nullptr && to_lower(string_at(e, "type")) == "work") work = &e;
    if (first == nullptr) first = &e;
  }
  if (work != nullptr) return string_at(*work, "value");
  return first != nullptr ? string_at(*first, "value") : "";
}

std::string display_name(const Json& user) {
  std::string s = string_at(user, "displayName");
  if (!s.empty()) return s;
  const Json* name = find_ci(user, "name");
  if (name == nullptr) return "";
  s = string_at(*name, "formatted");
  if (!s.empty()) return s;
  std::string given = string_at(*name, "givenName");
  std::string family = string_at(*name, "familyName");
  return std::string(trim(given + " " + family));
}

Result<std::optional<UnixTime>> time_at(const Json& resource, const std::string& path) {
  const Json* v = resolve_path(resource, path);
  if (v == nullptr) return std::optional<UnixTime>();
  if (!v->is_string()) return fail(quote(path) + " is " + http::type_name(*v) + ", not a date");
  if (v->get_ref<const std::string&>().empty()) return std::optional<UnixTime>();
  auto t = parse_iso8601(v->get<std::string>());
  if (!t) return fail(quote(path) + ": " + t.error().message());
  return std::optional<UnixTime>(*t);
}

struct Settings {
  int page_size = 100;
  std::string last_login_attribute;
};

Result<Account> to_account(const Json& user, const Settings& settings) {
  RC_TRY(http::expect_object(user));
  Account a;
  RC_ASSIGN(a.id, http::id_member(user, "id"));
  auto fail_for = [&](const Error& e) { return fail("user " + quote(a.id) + ": " + e.message()); };
  auto login = http::string_member(user, "userName");
  if (!login) return fail_for(login.error());
  a.login = *login;
  a.email = primary_email(user);
  a.display_name = display_name(user);
  a.external_id = string_at(user, "externalId");
  auto active = http::bool_member(user, "active", true);
  if (!active) return fail_for(active.error());
  a.status = *active ? AccountStatus::active : AccountStatus::disabled;
  auto created = time_at(user, "meta.created");
  if (!created) return fail_for(created.error());
  a.created_at = *created;
  if (!settings.last_login_attribute.empty()) {
    auto last = time_at(user, settings.last_login_attribute);
    if (!last) return fail_for(last.error());
    a.last_login = *last;
  }

  Json attrs = Json::object();
  if (auto v = string_at(user, "userType"); !v.empty()) attrs["user_type"] = v;
  if (auto v = string_at(user, "title"); !v.empty()) attrs["title"] = v;
  if (const Json* ext = find_ci(user, kEnterprise); ext != nullptr && ext->is_object()) {
    const std::pair<const char*, const char*> fields[] = {
        {"employeeNumber", "employee_number"}, {"department", "department"},
        {"division", "division"},              {"organization", "organization"},
        {"costCenter", "cost_center"}};
    for (const auto& [scim_name, attr] : fields) {
      if (auto v = string_at(*ext, scim_name); !v.empty()) attrs[attr] = v;
    }
    if (const Json* manager = find_ci(*ext, "manager"); manager != nullptr && manager->is_object()) {
      if (auto v = string_at(*manager, "value"); !v.empty()) attrs["manager_id"] = v;
      if (auto v = string_at(*manager, "displayName"); !v.empty()) attrs["manager_name"] = v;
    }
  }
  if (const Json* meta = find_ci(user, "meta"); meta != nullptr) {
    if (auto v = string_at(*meta, "lastModified"); !v.empty()) attrs["last_modified"] = v;
  }
  a.attrs_json = attrs.dump();
  return a;
}

struct GroupInfo {
  std::string name;  // displayName
};

struct Member {
  std::string group;  // SCIM id of the group
  std::string id;     // SCIM id of the member
};

class ScimConnector final : public Connector {
 public:
  ScimConnector(ScimApi api, Settings settings, Logger& log)
      : api_(std::move(api)), settings_(std::move(settings)), log_(log) {}

  Result<void> fetch(RecordSink& sink) override {
    RC_TRY(read_users(sink));
    RC_TRY(read_groups(sink));
    RC_TRY(read_missing_users(sink));
    return read_nested_groups(sink);
  }

 private:
  Result<void> read_users(RecordSink& sink) {
    return http::for_each_item(api_.client, "/Users", {}, http::IndexPaging{settings_.page_size},
                               [&](const Json& user) -> Result<void> {
                                 RC_ASSIGN(Account a, to_account(user, settings_));
                                 RC_TRY(sink.account(a));
                                 users_.insert(std::move(a.id));
                                 return {};
                               });
  }

  Result<void> grant(RecordSink& sink, const std::string& user, const std::string& group_name,
                     const std::string& via) {
    Grant g;
    g.account_id = user;
    g.entitlement_id = "group:" + group_name;
    g.via = via;
    return sink.grant(g);
  }

  Result<void> read_groups(RecordSink& sink) {
    std::unordered_map<std::string, std::string> id_by_name;
    auto on_group = [&](const Json& group) -> Result<void> {
      RC_TRY(http::expect_object(group));
      RC_ASSIGN(std::string id, http::id_member(group, "id"));
      auto name = http::string_member(group, "displayName");
      if (!name) return fail("group " + quote(id) + ": " + name.error().message());
      auto [it, fresh] = id_by_name.emplace(*name, id);
      if (!fresh) {
        return fail("groups " + quote(it->second) + " and " + quote(id) + " are both named " +
                    quote(*name) + "; entitlement ids (group:<displayName>) must be unique");
      }
      groups_[id] = GroupInfo{*name};
      Entitlement e;
      e.id = "group:" + *name;
      e.type = "group";
      e.name = *name;
      Json attrs = {{"scim_id", id}};
      if (auto ext = string_at(group, "externalId"); !ext.empty()) attrs["external_id"] = ext;
      e.attrs_json = attrs.dump();
      RC_TRY(sink.entitlement(e));

      const Json* members = find_ci(group, "members");
      if (members == nullptr) return {};
      if (!members->is_array()) return fail("group " + quote(*name) + ": \"members\" is not an array");
      std::unordered_set<std::string> seen;
      for (const Json& m : *members) {
        auto member_id = http::id_member(m, "value");
        if (!member_id) return fail("group " + quote(*name) + ": member: " + member_id.error().message());
        if (!seen.insert(*member_id).second) continue;  // listed twice: one membership
        std::string type = to_lower(string_at(m, "type"));
        if (type == "group") {
          edges_.push_back({id, *member_id});
        } else if (users_.count(*member_id) != 0) {
          RC_TRY(grant(sink, *member_id, *name, "direct"));
        } else if (type == "user") {
          missing_.push_back({id, *member_id});
        } else {
          untyped_.push_back({id, *member_id});  // a group listed later, or a new user
        }
      }
      return {};
    };
    RC_TRY(http::for_each_item(api_.client, "/Groups", {}, http::IndexPaging{settings_.page_size}, on_group));
    for (Member& m : untyped_) {
      if (groups_.count(m.id) != 0) {
        edges_.push_back({m.group, m.id});
      } else {
        missing_.push_back(std::move(m));
      }
    }
    untyped_.clear();
    // A member group missing from the listing was deleted in between: it grants nothing.
    std::erase_if(edges_, [&](const Member& edge) {
      if (groups_.count(edge.id) != 0) return false;
      log_.info("scim: group " + quote(groups_[edge.group].name) + " lists group " + quote(edge.id) +
                ", which no longer exists; skipped");
      return true;
    });
    return {};
  }

  // Members that were not in the user list: created after it was read, or already deleted.
  Result<void> read_missing_users(RecordSink& sink) {
    std::map<std::string, std::vector<std::string>> groups_of;  // user -> groups, sorted
    for (const Member& m : missing_) groups_of[m.id].push_back(m.group);
    missing_.clear();
    std::vector<std::string> ids;
    for (const auto& [id, _] : groups_of) ids.push_back(id);
    return http::ordered_parallel<std::optional<Json>>(
        ids.size(), api_.concurrency,
        [&](std::size_t i) { return api_.client.get_unless("/Users/" + http::percent_encode(ids[i]), {}); },
        [&](std::size_t i, std::optional<Json>&& user) -> Result<void> {
          if (!user) {
            log_.info("scim: group member " + quote(ids[i]) + " no longer exists; skipped");
            return {};
          }
          const std::string where = api_.client.label("/Users/" + http::percent_encode(ids[i]));
          auto mapped = to_account(*user, settings_);
          if (!mapped) return fail(where + ": " + mapped.error().message());
          Account& a = *mapped;
          if (a.id != ids[i]) return fail(where + ": returned user " + quote(a.id));
          RC_TRY(sink.account(a));
          users_.insert(a.id);
          for (const std::string& group : groups_of[ids[i]]) {
            RC_TRY(grant(sink, a.id, groups_[group].name, "direct"));
          }
          return {};
        });
  }

  // A member of a nested group holds every group above it, via the group it is a member of.
  // Group listings name only direct members, so each nested group is read again for its users.
  Result<void> read_nested_groups(RecordSink& sink) {
    if (edges_.empty()) return {};
    std::map<std::string, std::set<std::string>> parents;  // child -> direct parents
    for (const Member& e : edges_) parents[e.id].insert(e.group);
    std::vector<std::string> nested;
    std::vector<std::vector<std::string>> ancestors;
    for (const auto& [child, _] : parents) {
      std::set<std::string> found;
      std::vector<std::string> stack(parents[child].begin(), parents[child].end());
      while (!stack.empty()) {
        std::string g = stack.back();
        stack.pop_back();
        if (g == child || !found.insert(g).second) continue;  // cycles end here
        if (auto it = parents.find(g); it != parents.end()) stack.insert(stack.end(), it->second.begin(), it->second.end());
      }
      if (found.empty()) continue;
      nested.push_back(child);
      ancestors.emplace_back(found.begin(), found.end());
    }
    return http::ordered_parallel<Json>(
        nested.size(), api_.concurrency,
        [&](std::size_t i) { return api_.client.get("/Groups/" + http::percent_encode(nested[i])); },
        [&](std::size_t i, Json&& group) -> Result<void> {
          const std::string& via_name = groups_[nested[i]].name;
          const Json* members = find_ci(group, "members");
          if (members == nullptr) return {};
          if (!members->is_array()) return fail("group " + quote(via_name) + ": \"members\" is not an array");
          std::unordered_set<std::string> seen;
          for (const Json& m : *members) {
            std::string id = string_at(m, "value");
            if (to_lower(string_at(m, "type")) == "group" || users_.count(id) == 0) continue;
            if (!seen.insert(id).second) continue;
            for (const std::string& a : ancestors[i]) {
              RC_TRY(grant(sink, id, groups_[a].name, "group:" + via_name));
            }
          }
          return {};
        });
  }

  ScimApi api_;
  Settings settings_;
  Logger& log_;
  std::unordered_set<std::string> users_;
  std::unordered_map<std::string, GroupInfo> groups_;
  std::vector<Member> edges_;    // group -> member group
  std::vector<Member> missing_;  // group -> user not (yet) seen
  std::vector<Member> untyped_;  // group -> member of unknown type
};

Result<std::unique_ptr<Connector>> create(const config::SystemConfig& sys, const ConnectorEnv& env) {
  const config::Table& keys = sys.keys;
  Settings settings;
  if (auto n = keys.integer("page_size")) {
    if (*n < 1 || *n > 10000) return fail(keys.where("page_size") + ": page_size must be 1 to 10000");
    settings.page_size = static_cast<int>(*n);
  }
  settings.last_login_attribute = keys.string("last_login_attribute").value_or("");

  RC_ASSIGN(ScimApi api, open_api(sys, env));
  return std::unique_ptr<Connector>(new ScimConnector(std::move(api), std::move(settings), env.log));
}

}  // namespace

ConnectorType connector_type() {
  using config::ValueType;
  ConnectorType t;
  t.name = "scim";
  t.summary = "any SCIM 2.0 service provider: /Users and /Groups";
  t.keys = {
      {"base_url", ValueType::string, true, "the SCIM base URL, e.g. https://idp.example.com/scim/v2", ""},
      {"username", ValueType::string, false, "user name for basic auth (with password_env/password_file)", ""},
      {"page_size", ValueType::integer, false, "resources asked for per page (count)", "100"},
      {"last_login_attribute", ValueType::string, false,
       "attribute path holding the last login time, e.g. \"urn:...:User:lastLogin\" or \"meta.lastLogin\"", ""},
      {"member_filter", ValueType::boolean, false,
       "apply reads one membership with a members[value eq ...] filter instead of the group's whole member list",
       "false"},
  };
  for (auto& k : connectors::credential_keys("token", "bearer token")) t.keys.push_back(std::move(k));
  for (auto& k : connectors::credential_keys("password", "basic-auth password")) t.keys.push_back(std::move(k));
  for (auto& k : http::common_keys()) t.keys.push_back(std::move(k));
  t.create = create;
  t.create_writer = scim::create_writer;
  return t;
}

}  // namespace rollcall::connectors::scim
