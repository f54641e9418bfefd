#include "connectors/okta/okta_writer.hpp"

#include <map>

#include "connectors/http/paginate.hpp"
#include "connectors/okta/okta_api.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::okta {
namespace {

using http::Json;
using http::Method;

constexpr std::string_view kType = "okta";
constexpr std::string_view kGroupPrefix = "group:";
constexpr std::string_view kMember = "member";

bool usable(const std::string& s) {
  return s == "ACTIVE" || s == "PASSWORD_EXPIRED" || s == "LOCKED_OUT" || s == "RECOVERY";
}

Error unsupported_because(const Change& c, const std::string& why) {
  return Error(unsupported(c, kType).message() + " (" + why + ")");
}

struct User {
  std::string id;
  std::string status;
};

struct GroupRef {
  std::string id;
  std::string type;
};

class OktaWriter final : public Writer {
 public:
  explicit OktaWriter(OktaApi api) : api_(std::move(api)) {}

  Result<LiveState> read(const Change& c) override {
    switch (c.type) {
      case ChangeType::deactivate_credential: return fail(unsupported(c, "okta"));
      case ChangeType::set_level: return fail(unsupported_because(c, "Okta groups have one level, member"));
      case ChangeType::create_account: {
        RC_ASSIGN(auto u, user_at(c.account_id));
        return state(u, [](const std::string& s) { return s != "SUSPENDED" && s != "DEPROVISIONED"; });
      }
      case ChangeType::disable_account: {
        RC_ASSIGN(auto u, user_at(c.account_id));
        if (api_.settings.disable == DisableMode::deactivate) {
          return state(u, [](const std::string& s) { return s != "DEPROVISIONED"; });
        }
        return state(u, [](const std::string& s) { return s != "SUSPENDED" && s != "DEPROVISIONED"; });
      }
      case ChangeType::enable_account: {
        RC_ASSIGN(auto u, user_at(c.account_id));
        return state(u, [](const std::string& s) { return usable(s) || s == "PROVISIONED"; });
      }
      case ChangeType::grant:
      case ChangeType::revoke: break;
    }
    RC_ASSIGN(GroupRef group, group_of(c));
    RC_ASSIGN(auto u, user_at(c.account_id));
    if (!u) {
      if (c.type == ChangeType::grant) {
        return fail("user " + quote(c.account_id) + " no longer exists (" +
                    api_.client.label("/api/v1/users/" + http::percent_encode(c.account_id)) + ": 404)");
      }
      return LiveState{};
    }
    LiveState s;
    s.account_exists = true;
    s.account_active = u->status != "DEPROVISIONED";
    bool member = false;
    http::LinkPaging p;
    p.per_page = 10000;
    p.limit_param = "limit";
    RC_TRY(http::for_each_item(api_.client, "/api/v1/users/" + http::percent_encode(u->id) + "/groups", {}, p,
                               [&](const Json& item) -> Result<void> {
                                 RC_TRY(http::expect_object(item));
                                 RC_ASSIGN(std::string id, http::string_member(item, "id"));
                                 if (id == group.id) member = true;
                                 return {};
                               }));
    if (member) s.level = std::string(kMember);
    return s;
  }

  Result<void> write(const Change& c) override {
    const std::string user_path = "/api/v1/users/" + http::percent_encode(c.account_id);
    switch (c.type) {
      case ChangeType::deactivate_credential: return fail(unsupported(c, "okta"));
      case ChangeType::set_level: return fail(unsupported_because(c, "Okta groups have one level, member"));
      case ChangeType::grant:
      case ChangeType::revoke: {
        if (c.type == ChangeType::grant && c.level != kMember) {
          return fail("okta groups have one level, \"member\"; cannot grant " + quote(c.level) + " of " +
                      quote(c.entitlement_id));
        }
        RC_ASSIGN(GroupRef group, group_of(c));
        const std::string path = "/api/v1/groups/" + http::percent_encode(group.id) + "/users/" +
                                 http::percent_encode(c.account_id);
        return send(c.type == ChangeType::grant ? Method::put : Method::del, path);
      }
      case ChangeType::disable_account: {
        RC_ASSIGN(auto u, user_at(c.account_id));
        if (!u) return fail("user " + quote(c.account_id) + " no longer exists");
        if (api_.settings.disable == DisableMode::suspend && usable(u->status)) {
          return send(Method::post, user_path + "/lifecycle/suspend");
        }
        if (u->status == "DEPROVISIONED" || (api_.settings.disable == DisableMode::suspend && u->status == "SUSPENDED")) {
          return {};  // disabled meanwhile: apply's next read says so
        }
        return send(Method::post, user_path + "/lifecycle/deactivate", {{"sendEmail", "false"}});
      }
      case ChangeType::enable_account: {
        RC_ASSIGN(auto u, user_at(c.account_id));
        if (!u) return fail("user " + quote(c.account_id) + " no longer exists");
        if (u->status == "SUSPENDED") return send(Method::post, user_path + "/lifecycle/unsuspend");
        if (u->status == "DEPROVISIONED" || u->status == "STAGED") {
          return send(Method::post, user_path + "/lifecycle/activate", {{"sendEmail", "true"}});
        }
        return {};  // usable already: apply's next read says so
      }
      case ChangeType::create_account: return create(c);
    }
    return fail("unknown change");
  }

 private:
  Result<void> send(Method method, const std::string& path, const http::Query& query = {},
                    const std::string& body = "") {
    RC_ASSIGN(auto response, api_.client.send(method, path, body, query));
    (void)response;
    return {};
  }

  Result<LiveState> state(const std::optional<User>& u, bool (*active)(const std::string&)) const {
    LiveState s;
    if (!u) return s;
    s.account_exists = true;
    s.account_active = active(u->status);
    return s;
  }

  // The user with id (or login) `key`, or nullopt when Okta answers 404.
  Result<std::optional<User>> user_at(const std::string& key) {
    const std::string path = "/api/v1/users/" + http::percent_encode(key);
    RC_ASSIGN(auto body, api_.client.get_unless(path, {}));
    if (!body) return std::optional<User>();
    const std::string where = api_.client.label(path);
    User u;
    auto id = http::string_member(*body, "id");
    auto status = http::string_member(*body, "status");
    if (!id) return fail(where + ": " + id.error().message());
    if (!status) return fail(where + ": " + status.error().message());
    u.id = *id;
    u.status = *status;
    return std::optional<User>(std::move(u));
  }

  // The group a change names, found once per run; only Okta groups take membership changes.
  Result<GroupRef> group_of(const Change& c) {
    const std::string& id = c.entitlement_id;
    if (starts_with(id, "app:") || starts_with(id, "admin-role:")) {
      return fail(unsupported_because(c, id + ": app assignments and admin roles are changed in Okta's admin console "
                                              "or through group memberships"));
    }
    if (!starts_with(id, kGroupPrefix) || id.size() == kGroupPrefix.size()) {
      return fail(quote(id) + " is not an Okta entitlement (group:<name>, app:<label>, admin-role:<type>)");
    }
    if (auto it = groups_.find(id); it != groups_.end()) return it->second;
    std::string name = id.substr(kGroupPrefix.size());
    std::string wanted_id;
    // "group:<name> [<okta id>]": the read side's name for one of several groups sharing a name.
    if (auto open = name.rfind(" ["); open != std::string::npos && ends_with(name, "]")) {
      wanted_id = name.substr(open + 2, name.size() - open - 3);
      name = name.substr(0, open);
    }
    const http::Query query = {{"search", "profile.name eq " + Json(name).dump()}};
    RC_ASSIGN(Json list, api_.client.get("/api/v1/groups", query));
    const std::string where = api_.client.label("/api/v1/groups", query);
    if (!list.is_array()) return fail(where + ": expected an array, got " + http::type_name(list));
    std::vector<GroupRef> found;
    for (const Json& g : list) {
      auto gid = http::string_member(g, "id");
      auto type = http::string_member(g, "type");
      if (!gid) return fail(where + ": " + gid.error().message());
      if (!type) return fail(where + ": " + type.error().message());
      const Json* profile = http::member(g, "profile");
      if (profile == nullptr) return fail(where + ": group " + quote(*gid) + " has no \"profile\"");
      auto gname = http::string_member(*profile, "name");
      if (!gname) return fail(where + ": profile: " + gname.error().message());
      if (*gname != name || (!wanted_id.empty() && *gid != wanted_id)) continue;
      found.push_back({*gid, *type});
    }
    if (found.empty()) {
      return fail("no Okta group is named " + quote(name) + (wanted_id.empty() ? "" : " with id " + quote(wanted_id)) +
                  " (" + where + "); rollcall does not create groups");
    }
    if (found.size() > 1) {
      return fail(where + ": groups " + quote(found[0].id) + " and " + quote(found[1].id) + " are both named " +
                  quote(name) + "; name one as " + quote("group:" + name + " [" + found[0].id + "]"));
    }
    if (found[0].type != "OKTA_GROUP") {
      return fail(unsupported_because(c, id + " is an " + found[0].type +
                                             " group, whose members Okta does not let an API change"));
    }
    groups_[id] = found[0];
    return found[0];
  }

  // create_account: a STAGED user (or an activated one) with the person's name and email.
  Result<void> create(const Change& c) {
    const std::string email = c.account_id;
    if (email.find('@') == std::string::npos) {
      return fail("create_account: " + quote(email) + " is not an email address; Okta logins are email-shaped");
    }
    const std::string name(trim(c.person_name));
    if (name.empty()) {
      return fail("create_account " + quote(email) + ": Okta requires a first and last name, and the roster has none");
    }
    const auto space = name.find_last_of(' ');
    const std::string first = space == std::string::npos ? name : std::string(trim(name.substr(0, space)));
    const std::string last = space == std::string::npos ? name : name.substr(space + 1);
    Json body = {{"profile", {{"firstName", first}, {"lastName", last}, {"email", email}, {"login", email}}}};
    std::string text;
    try {
      text = body.dump();
    } catch (const Json::type_error&) {
      return fail("create_account: the person's name or email is not valid UTF-8");
    }
    // A 400 "login already exists" fails like any status: apply's next read finds the user.
    return send(Method::post, "/api/v1/users", {{"activate", api_.settings.activate_on_create ? "true" : "false"}}, text);
  }

  OktaApi api_;
  std::map<std::string, GroupRef> groups_;  // entitlement id -> group
};

}  // namespace

Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& sys, const ConnectorEnv& env) {
  RC_ASSIGN(OktaApi api, open_api(sys, env, Purpose::write));
  return std::unique_ptr<Writer>(new OktaWriter(std::move(api)));
}

}  // namespace rollcall::connectors::okta
