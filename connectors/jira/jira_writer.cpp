#include "connectors/jira/jira_writer.hpp"

#include <map>
#include <set>

#include "connectors/http/paginate.hpp"
#include "connectors/jira/jira_api.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::jira {
namespace {

using http::Json;
using http::Method;

constexpr std::string_view kType = "jira";
constexpr std::string_view kMember = "member";
constexpr const char* kGroupPrefix = "group:";
constexpr const char* kProductPrefix = "product:";

Error unsupported_because(const Change& c, const std::string& why) {
  return Error(unsupported(c, kType).message() + " (" + why + ")");
}

// What a change is about.
struct Target {
  enum class Kind { group, product } kind = Kind::group;
  std::string name;  // group name or product key
};

// An application role: the groups that give its seat, and where new users go.
struct Product {
  std::vector<std::string> groups;
  std::vector<std::string> default_groups;
};

class JiraWriter final : public Writer {
 public:
  explicit JiraWriter(JiraApi api) : api_(std::move(api)) {}

  Result<LiveState> read(const Change& c) override {
    RC_ASSIGN(Target t, target(c));
    RC_ASSIGN(auto user, account(c.account_id));
    LiveState s;
    if (!user) {
      if (c.type == ChangeType::grant) {
        return fail("account " + quote(c.account_id) + " no longer exists (" + user_label(c.account_id) + ": 404)");
      }
      return s;
    }
    s.account_exists = true;
    s.account_active = *user;
    RC_ASSIGN(std::set<std::string> groups, groups_of(c.account_id));
    if (t.kind == Target::Kind::group) {
      if (groups.count(t.name) != 0) {
        s.level = std::string(kMember);
      } else if (c.type == ChangeType::grant) {
        RC_ASSIGN(auto id, group_id(t.name));
        if (!id) return fail(no_group(t.name));
      }
      return s;
    }
    RC_ASSIGN(Product p, product(t.name));
    for (const std::string& g : p.groups) {
      if (groups.count(g) != 0) s.level = std::string(kMember);
    }
    return s;
  }

  Result<void> write(const Change& c) override {
    RC_ASSIGN(Target t, target(c));
    if (t.kind == Target::Kind::group) {
      if (c.type == ChangeType::grant) return add(c.account_id, t.name);
      return remove(c.account_id, t.name);
    }
    RC_ASSIGN(Product p, product(t.name));
    if (c.type == ChangeType::grant) {
      if (p.default_groups.size() != 1) {
        return fail("product:" + t.name + " has " + std::to_string(p.default_groups.size()) +
                    " default groups, so the group that gives the seat is not clear; grant a group:<name> of " +
                    join(p.groups, ", ") + " instead");
      }
      return add(c.account_id, p.default_groups.front());
    }
    // Revoke: out of every group of the role the account is in, each removal sent once.
    RC_ASSIGN(std::set<std::string> groups, groups_of(c.account_id));
    for (const std::string& g : p.groups) {
      if (groups.count(g) != 0) RC_TRY(remove(c.account_id, g));
    }
    return {};
  }

 private:
  Result<Target> target(const Change& c) const {
    switch (c.type) {
      case ChangeType::deactivate_credential: return fail(unsupported(c, "jira"));
      case ChangeType::grant:
      case ChangeType::revoke:
        break;
      case ChangeType::set_level:
        return unsupported_because(c, "Jira groups and seats have one level, \"member\"");
      case ChangeType::create_account:
      case ChangeType::disable_account:
      case ChangeType::enable_account:
        return unsupported_because(c, "the Jira REST API cannot create, deactivate or reactivate Atlassian accounts; "
                                      "an organization admin does that in admin.atlassian.com");
    }
    const std::string& id = c.entitlement_id;
    Target t;
    if (starts_with(id, kGroupPrefix) && id.size() > std::string_view(kGroupPrefix).size()) {
      t.name = id.substr(std::string_view(kGroupPrefix).size());
    } else if (starts_with(id, kProductPrefix) && id.size() > std::string_view(kProductPrefix).size()) {
      t.kind = Target::Kind::product;
      t.name = id.substr(std::string_view(kProductPrefix).size());
    } else if (starts_with(id, "project-role:")) {
      return unsupported_because(c, id + ": project role actors are not written; grant a group the role holds instead");
    } else {
      return fail(quote(id) +
                  " is not a Jira entitlement (group:<name>, product:<key>, project-role:<project>:<role>)");
    }
    if (c.type == ChangeType::grant && c.level != kMember) {
      return fail("Jira groups and seats have one level, \"member\"; cannot grant " + quote(c.level) + " of " +
                  quote(id));
    }
    return t;
  }

  static std::string no_group(const std::string& name) {
    return "no Jira group is named " + quote(name) + "; rollcall does not create groups";
  }

  std::string user_label(const std::string& account) const {
    return api_.client.label("/rest/api/3/user", {{"accountId", account}});
  }

  // Whether the account is active, or nullopt when it does not exist.
  Result<std::optional<bool>> account(const std::string& id) {
    const http::Query q = {{"accountId", id}};
    RC_ASSIGN(auto user, api_.client.get_unless("/rest/api/3/user", q, {404}));
    if (!user) return std::optional<bool>();
    const std::string where = user_label(id);
    if (auto ok = http::expect_object(*user); !ok) return fail(where + ": " + ok.error().message());
    auto returned = http::string_member(*user, "accountId");
    if (!returned) return fail(where + ": " + returned.error().message());
    if (*returned != id) return fail(where + ": returned account " + quote(*returned));
    auto active = http::bool_member(*user, "active", true);
    if (!active) return fail(where + ": " + active.error().message());
    return std::optional<bool>(*active);
  }

  // The names of the groups the account is a member of (Jira Cloud groups do not nest).
  Result<std::set<std::string>> groups_of(const std::string& id) {
    const http::Query q = {{"accountId", id}};
    RC_ASSIGN(Json list, api_.client.get("/rest/api/3/user/groups", q));
    const std::string where = api_.client.label("/rest/api/3/user/groups", q);
    if (!list.is_array()) return fail(where + ": expected an array of groups, got " + http::type_name(list));
    std::set<std::string> out;
    for (const Json& g : list) {
      auto name = http::string_member(g, "name");
      if (!name) return fail(where + ": " + name.error().message());
      out.insert(*name);
    }
    return out;
  }

  // The groupId of the group named `name`, or nullopt when there is none. Kept for the run.
  Result<std::optional<std::string>> group_id(const std::string& name) {
    if (auto it = group_ids_.find(name); it != group_ids_.end()) return std::optional<std::string>(it->second);
    std::optional<std::string> found;
    RC_TRY(http::for_each_item(api_.client, "/rest/api/3/group/bulk", {{"groupName", name}},
                               http::OffsetPaging{50, "/values"}, [&](const Json& item) -> Result<void> {
                                 RC_ASSIGN(std::string n, http::string_member(item, "name"));
                                 if (n != name) return {};  // only an exact name counts
                                 RC_ASSIGN(found, http::string_member(item, "groupId"));
                                 return {};
                               }));
    if (found) group_ids_[name] = *found;
    return found;
  }

  Result<Product> product(const std::string& key) {
    if (auto it = products_.find(key); it != products_.end()) return it->second;
    const std::string p = "/rest/api/3/applicationrole/" + http::percent_encode(key);
    RC_ASSIGN(auto role, api_.client.get_unless(p, {}, {404}));
    const std::string where = api_.client.label(p);
    if (!role) return fail(where + ": no application role (product) has the key " + quote(key));
    Product out;
    for (auto [member, list] : {std::pair{"groups", &out.groups}, std::pair{"defaultGroups", &out.default_groups}}) {
      const Json* names = http::member(*role, member);
      if (names == nullptr) continue;
      if (!names->is_array()) return fail(where + ": " + quote(member) + " is not an array");
      for (const Json& n : *names) {
        if (!n.is_string()) return fail(where + ": " + quote(member) + " holds a non-name");
        list->push_back(n.get<std::string>());
      }
    }
    products_[key] = out;
    return out;
  }

  Result<void> add(const std::string& account, const std::string& group) {
    RC_ASSIGN(auto id, group_id(group));
    if (!id) return fail(no_group(group));
    RC_ASSIGN(std::string body, dump(Json{{"accountId", account}}));
    RC_TRY(api_.client.send(Method::post, "/rest/api/3/group/user", body, {{"groupId", *id}}));
    return {};
  }

  Result<void> remove(const std::string& account, const std::string& group) {
    RC_ASSIGN(auto id, group_id(group));
    if (!id) return {};  // no such group: nobody is in it, and apply's next read says so
    RC_TRY(api_.client.send(Method::del, "/rest/api/3/group/user", "", {{"groupId", *id}, {"accountId", account}}));
    return {};
  }

  // JSON text; ids come from the plan, which may hold invalid UTF-8.
  static Result<std::string> dump(const Json& body) {
    try {
      return body.dump();
    } catch (const Json::type_error&) {
      return fail("the request body is not valid UTF-8");
    }
  }

  JiraApi api_;
  std::map<std::string, std::string> group_ids_;  // group name -> groupId
  std::map<std::string, Product> products_;       // application role key -> its groups
};

}  // namespace

Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system, const ConnectorEnv& env) {
  RC_ASSIGN(JiraApi api, open_api(system, env));
  return std::unique_ptr<Writer>(std::make_unique<JiraWriter>(std::move(api)));
}

}  // namespace rollcall::connectors::jira
