#include "connectors/scim/scim_writer.hpp"

#include <map>
#include <optional>
#include <vector>

#include "connectors/scim/scim_api.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::scim {
namespace {

using http::Json;
using http::Method;

constexpr std::string_view kGroupPrefix = "group:";
constexpr std::string_view kMember = "member";
constexpr std::string_view kScimJson = "application/scim+json";
constexpr const char* kPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
constexpr const char* kUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";

// JSON text; the values come from the plan and the roster, which may hold invalid UTF-8.
Result<std::string> dump(const Json& body) {
  try {
    return body.dump();
  } catch (const Json::type_error&) {
    return fail("the request body is not valid UTF-8");
  }
}

// RFC 7643 §4.1.1 `name` from a roster name: `formatted` as written; many providers (Okta,
// Entra) require givenName and familyName, which are split at the last space ("Mary Ann
// Smith" -> "Mary Ann" + "Smith"). A one-word name is the familyName.
Json name_of(const std::string& full) {
  const std::string name(trim(full));
  Json out{{"formatted", name}};
  const auto space = name.find_last_of(' ');
  if (space == std::string::npos) {
    out["familyName"] = name;
  } else {
    out["givenName"] = std::string(trim(name.substr(0, space)));
    out["familyName"] = name.substr(space + 1);
  }
  return out;
}

Result<std::string> patch_body(Json operation) {
  return dump(Json{{"schemas", Json::array({kPatchOp})}, {"Operations", Json::array({std::move(operation)})}});
}

// The resources of a filtered list answer (a ListResponse) whose `attribute` is `value`.
// Fails when the answer is not a complete list: a writer must not take "not on this page"
// for "absent".
Result<std::vector<Json>> matching(const Json& list, std::string_view attribute, const std::string& value,
                                   bool case_exact) {
  RC_TRY(http::expect_object(list));
  const Json* total = find_ci(list, "totalResults");
  if (total == nullptr || !total->is_number_integer()) return fail("\"totalResults\" is missing or not an integer");
  const Json* resources = find_ci(list, "Resources");
  const std::size_t listed = resources != nullptr && resources->is_array() ? resources->size() : 0;
  if (resources != nullptr && !resources->is_array()) return fail("\"Resources\" is not an array");
  if (total->get<std::int64_t>() > static_cast<std::int64_t>(listed)) {
    return fail("the answer lists " + std::to_string(listed) + " of " + std::to_string(total->get<std::int64_t>()) +
                " results; the filter was not applied");
  }
  std::vector<Json> out;
  if (resources == nullptr) return out;
  for (const Json& r : *resources) {
    RC_TRY(http::expect_object(r));
    const std::string found = string_at(r, attribute);
    if (case_exact ? found == value : iequals(found, value)) out.push_back(r);
  }
  return out;
}

class ScimWriter final : public Writer {
 public:
  ScimWriter(ScimApi api, bool member_filter) : api_(std::move(api)), member_filter_(member_filter) {}

  Result<LiveState> read(const Change& change) override {
    switch (change.type) {
      case ChangeType::deactivate_credential: return fail(unsupported(change, "scim"));
      case ChangeType::set_level: return fail(unsupported(change, "scim"));
      case ChangeType::create_account: {
        RC_ASSIGN(auto user, user_named(change.account_id));
        return state_of(user);
      }
      case ChangeType::disable_account:
      case ChangeType::enable_account: {
        RC_ASSIGN(auto user, user_by_id(change.account_id));
        return state_of(user);
      }
      case ChangeType::grant:
      case ChangeType::revoke: {
        RC_TRY(check_target(change));
        RC_ASSIGN(auto user, user_by_id(change.account_id));
        if (!user && change.type == ChangeType::grant) {
          // A PATCH could only fail, at every attempt; the account went away since the plan.
          return fail("user " + quote(change.account_id) + " no longer exists (" +
                      api_.client.label("/Users/" + http::percent_encode(change.account_id)) + ": 404)");
        }
        RC_ASSIGN(LiveState state, state_of(user));
        RC_ASSIGN(std::optional<bool> member, direct_member(change));
        if (!member && change.type == ChangeType::grant) return fail(no_group(change));
        if (member && *member) state.level = std::string(kMember);
        return state;
      }
    }
    return fail("unknown change");
  }

  Result<void> write(const Change& change) override {
    switch (change.type) {
      case ChangeType::deactivate_credential: return fail(unsupported(change, "scim"));
      case ChangeType::set_level: return fail(unsupported(change, "scim"));
      case ChangeType::grant:
      case ChangeType::revoke: {
        RC_TRY(check_target(change));
        RC_ASSIGN(auto group, group_id(change.entitlement_id));
        if (!group) return fail(no_group(change));
        Json op;
        if (change.type == ChangeType::grant) {
          op = {{"op", "add"}, {"path", "members"}, {"value", Json::array({Json{{"value", change.account_id}}})}};
        } else {
          RC_ASSIGN(std::string selector, filter_eq("value", change.account_id));
          op = {{"op", "remove"}, {"path", "members[" + selector + "]"}};
        }
        RC_ASSIGN(std::string body, patch_body(std::move(op)));
        return send(Method::patch, "/Groups/" + http::percent_encode(*group), body);
      }
      case ChangeType::disable_account:
      case ChangeType::enable_account: {
        // A rehire is the same user made active again: never a second user with the same userName.
        const bool active = change.type == ChangeType::enable_account;
        RC_ASSIGN(std::string body, patch_body({{"op", "replace"}, {"value", {{"active", active}}}}));
        return send(Method::patch, "/Users/" + http::percent_encode(change.account_id), body);
      }
      case ChangeType::create_account: {
        Json user = {{"schemas", Json::array({kUserSchema})},
                     {"userName", change.account_id},
                     {"emails", Json::array({Json{{"value", change.account_id}, {"type", "work"}, {"primary", true}}})},
                     {"active", true}};
        if (!trim(change.person_name).empty()) {
          user["displayName"] = std::string(trim(change.person_name));
          user["name"] = name_of(change.person_name);
        }
        RC_ASSIGN(std::string body, dump(user));
        // A 409 (userName taken) fails like any status: the user may exist, and apply's next
        // read finds it.
        return send(Method::post, "/Users", body);
      }
    }
    return fail("unknown change");
  }

 private:
  Result<void> send(Method method, const std::string& path, const std::string& body) {
    RC_TRY(api_.client.send(method, path, body, {}, {}, kScimJson));
    return {};
  }

  // A group change names a group, and a grant the one level groups have; checked before any
  // request.
  static Result<void> check_target(const Change& change) {
    if (!starts_with(change.entitlement_id, kGroupPrefix)) {
      return fail("scim entitlements are group:<displayName>, not " + quote(change.entitlement_id));
    }
    if (change.type != ChangeType::grant || change.level == kMember) return {};
    return fail("scim groups have one level, \"member\"; cannot grant " + quote(change.level) + " of " +
                quote(change.entitlement_id));
  }

  static Error no_group(const Change& change) {
    return Error("no SCIM group has displayName " + quote(change.entitlement_id.substr(kGroupPrefix.size())) +
                 "; rollcall does not create groups");
  }

  static Result<LiveState> state_of(const std::optional<Json>& user) {
    LiveState state;
    if (!user) return state;
    state.account_exists = true;
    RC_ASSIGN(state.account_active, http::bool_member(*user, "active", true));
    return state;
  }

  // The user with SCIM id `id`, or nullopt when there is none (404).
  Result<std::optional<Json>> user_by_id(const std::string& id) {
    const std::string path = "/Users/" + http::percent_encode(id);
    RC_ASSIGN(auto user, api_.client.get_unless(path, {}));
    if (!user) return user;
    const std::string where = api_.client.label(path);
    if (auto ok = http::expect_object(*user); !ok) return fail(where + ": " + ok.error().message());
    auto returned = http::id_member(*user, "id");
    if (!returned) return fail(where + ": " + returned.error().message());
    if (*returned != id) return fail(where + ": returned user " + quote(*returned));
    if (auto active = http::bool_member(*user, "active", true); !active) {
      return fail(where + ": " + active.error().message());
    }
    return user;
  }

  // The user whose userName is `email` (userName is not case-exact, RFC 7643 §4.1.1), or nullopt.
  Result<std::optional<Json>> user_named(const std::string& email) {
    RC_ASSIGN(std::string filter, filter_eq("userName", email));
    const http::Query query = {{"filter", filter}};
    RC_ASSIGN(Json list, api_.client.get("/Users", query));
    const std::string where = api_.client.label("/Users", query);
    auto found = matching(list, "userName", email, false);
    if (!found) return fail(where + ": " + found.error().message());
    if (found->size() > 1) return fail(where + ": " + std::to_string(found->size()) + " users have this userName");
    if (found->empty()) return std::optional<Json>();
    if (auto active = http::bool_member(found->front(), "active", true); !active) {
      return fail(where + ": " + active.error().message());
    }
    return std::optional<Json>(std::move(found->front()));
  }

  // The SCIM id of the group `group:<displayName>` (checked by check_target), or nullopt when no group has that exact
  // displayName. Found ids are kept for the run: a group's id does not change.
  Result<std::optional<std::string>> group_id(const std::string& entitlement_id) {
    if (auto it = group_ids_.find(entitlement_id); it != group_ids_.end()) return std::optional<std::string>(it->second);
    const std::string name = entitlement_id.substr(kGroupPrefix.size());
    RC_ASSIGN(std::string filter, filter_eq("displayName", name));
    const http::Query query = {{"filter", filter}, {"excludedAttributes", "members"}};
    RC_ASSIGN(Json list, api_.client.get("/Groups", query));
    const std::string where = api_.client.label("/Groups", query);
    auto found = matching(list, "displayName", name, true);
    if (!found) return fail(where + ": " + found.error().message());
    if (found->empty()) return std::optional<std::string>();
    std::vector<std::string> ids;
    for (const Json& g : *found) {
      auto id = http::id_member(g, "id");
      if (!id) return fail(where + ": " + id.error().message());
      ids.push_back(*id);
    }
    if (ids.size() > 1) {
      return fail(where + ": groups " + quote(ids[0]) + " and " + quote(ids[1]) + " are both named " + quote(name));
    }
    group_ids_[entitlement_id] = ids[0];
    return std::optional<std::string>(ids[0]);
  }

  // Whether the change's user is a direct member of its group; nullopt when the group does not
  // exist (or was deleted since its id was looked up).
  Result<std::optional<bool>> direct_member(const Change& change) {
    RC_ASSIGN(auto group, group_id(change.entitlement_id));
    if (!group) return std::optional<bool>();
    if (member_filter_) return filtered_member(change, *group);
    const std::string path = "/Groups/" + http::percent_encode(*group);
    const http::Query query = {{"attributes", "members"}};
    RC_ASSIGN(auto body, api_.client.get_unless(path, query));
    if (!body) {
      group_ids_.erase(change.entitlement_id);
      return std::optional<bool>();
    }
    const std::string where = api_.client.label(path, query);
    if (auto ok = http::expect_object(*body); !ok) return fail(where + ": " + ok.error().message());
    if (auto id = string_at(*body, "id"); !id.empty() && id != *group) {
      return fail(where + ": returned group " + quote(id));
    }
    const Json* members = find_ci(*body, "members");
    if (members == nullptr) return std::optional<bool>(false);  // SCIM omits empty attributes
    if (!members->is_array()) return fail(where + ": \"members\" is not an array");
    for (const Json& m : *members) {
      if (!m.is_object()) return fail(where + ": a member is " + http::type_name(m) + ", not an object");
      if (string_at(m, "value") == change.account_id && to_lower(string_at(m, "type")) != "group") {
        return std::optional<bool>(true);
      }
    }
    return std::optional<bool>(false);
  }

  // member_filter = true: `GET /Groups?filter=id eq "<group>" and members[value eq "<user>"]`
  // answers with the group when the user is a member and with nothing otherwise, whatever the
  // group's size (RFC 7644 §3.4.2.2 value filters on a multi-valued attribute).
  Result<std::optional<bool>> filtered_member(const Change& change, const std::string& group) {
    RC_ASSIGN(std::string by_id, filter_eq("id", group));
    RC_ASSIGN(std::string by_member, filter_eq("value", change.account_id));
    const http::Query query = {{"filter", by_id + " and members[" + by_member + "]"},
                               {"excludedAttributes", "members"}};
    RC_ASSIGN(Json list, api_.client.get("/Groups", query));
    const std::string where = api_.client.label("/Groups", query);
    auto found = matching(list, "id", group, true);
    if (!found) return fail(where + ": " + found.error().message());
    return std::optional<bool>(!found->empty());
  }

  ScimApi api_;
  bool member_filter_ = false;
  std::map<std::string, std::string> group_ids_;  // entitlement id -> SCIM group id
};

}  // namespace

Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system, const ConnectorEnv& env) {
  RC_ASSIGN(ScimApi api, open_api(system, env));
  const bool member_filter = system.keys.boolean("member_filter").value_or(false);
  return std::unique_ptr<Writer>(std::make_unique<ScimWriter>(std::move(api), member_filter));
}

}  // namespace rollcall::connectors::scim
