#include "connectors/entra/entra_writer.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "connectors/entra/entra_api.hpp"
#include "connectors/http/paginate.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::entra {
namespace {

using http::Json;
using http::Method;

constexpr std::string_view kGroupPrefix = "group:";
constexpr std::string_view kMember = "member";

// "Name (0f1e...)" -> the object id, when the name ends in a parenthesized GUID.
std::optional<std::string> id_suffix(const std::string& name) {
  if (name.size() < 40 || name.back() != ')') return std::nullopt;
  const std::string id = name.substr(name.size() - 37, 36);
  if (name.compare(name.size() - 39, 2, " (") != 0) return std::nullopt;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !std::isxdigit(static_cast<unsigned char>(id[i]))) return std::nullopt;
  }
  return id;
}

// An OData string literal: single quotes, a quote doubled.
std::string odata_literal(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

class EntraWriter final : public Writer {
 public:
  explicit EntraWriter(EntraApi api) : api_(std::move(api)) {}

  Result<LiveState> read(const Change& change) override {
    switch (change.type) {
      case ChangeType::deactivate_credential: return fail(unsupported(change, "entra"));
      case ChangeType::set_level:
      case ChangeType::create_account: return fail(unsupported(change, "entra"));
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
          return fail("user " + quote(change.account_id) + " no longer exists (" +
                      api_.client.label("/users/" + http::percent_encode(change.account_id)) + ": 404)");
        }
        RC_ASSIGN(LiveState state, state_of(user));
        RC_ASSIGN(auto group, group_id(change.entitlement_id));
        if (!group) {
          if (change.type == ChangeType::grant) return fail(no_group(change));
          return state;
        }
        RC_ASSIGN(bool member, direct_member(*group, change.account_id));
        if (member) state.level = std::string(kMember);
        return state;
      }
    }
    return fail("unknown change");
  }

  Result<void> write(const Change& change) override {
    switch (change.type) {
      case ChangeType::deactivate_credential: return fail(unsupported(change, "entra"));
      case ChangeType::set_level:
      case ChangeType::create_account: return fail(unsupported(change, "entra"));
      case ChangeType::disable_account:
      case ChangeType::enable_account: {
        const Json body = {{"accountEnabled", change.type == ChangeType::enable_account}};
        RC_TRY(api_.client.send(Method::patch, "/users/" + http::percent_encode(change.account_id), body.dump()));
        return {};
      }
      case ChangeType::grant:
      case ChangeType::revoke: {
        RC_TRY(check_target(change));
        RC_ASSIGN(auto group, group_id(change.entitlement_id));
        if (!group) return fail(no_group(change));
        const std::string members = "/groups/" + http::percent_encode(*group) + "/members";
        if (change.type == ChangeType::grant) {
          const Json body = {
              {"@odata.id", api_.client.url("/directoryObjects/" + http::percent_encode(change.account_id))}};
          // A 400 "One or more added object references already exist" fails like any status:
          // apply's next read finds the membership and calls the action done.
          RC_TRY(api_.client.send(Method::post, members + "/$ref", body.dump()));
        } else {
          RC_TRY(api_.client.send(Method::del, members + "/" + http::percent_encode(change.account_id) + "/$ref"));
        }
        return {};
      }
    }
    return fail("unknown change");
  }

 private:
  // Group changes name a group (not a directory role or app: those are privileged and go to
  // tickets) and the one level groups have; checked before any request.
  static Result<void> check_target(const Change& change) {
    if (!starts_with(change.entitlement_id, kGroupPrefix)) {
      return fail("entra writes group memberships only (group:<displayName>), not " + quote(change.entitlement_id) +
                  "; set apply_via = \"tickets\" on the system for directory roles and apps");
    }
    if (change.type != ChangeType::grant || change.level == kMember) return {};
    return fail("entra groups have one level, \"member\"; cannot grant " + quote(change.level) + " of " +
                quote(change.entitlement_id));
  }

  static Error no_group(const Change& change) {
    return Error("no Entra group has displayName " + quote(change.entitlement_id.substr(kGroupPrefix.size())) +
                 "; rollcall does not create groups");
  }

  static Result<LiveState> state_of(const std::optional<Json>& user) {
    LiveState state;
    if (!user) return state;
    state.account_exists = true;
    const Json* enabled = http::member(*user, "accountEnabled");
    if (enabled == nullptr || !enabled->is_boolean()) return fail("\"accountEnabled\" is missing or not a boolean");
    state.account_active = enabled->get<bool>();
    return state;
  }

  // The user with object id `id`, or nullopt when there is none (404).
  Result<std::optional<Json>> user_by_id(const std::string& id) {
    const std::string path = "/users/" + http::percent_encode(id);
    const http::Query query = {{"$select", "id,accountEnabled"}};
    RC_ASSIGN(auto user, api_.client.get_unless(path, query));
    if (!user) return user;
    const std::string where = api_.client.label(path, query);
    if (auto ok = http::expect_object(*user); !ok) return fail(where + ": " + ok.error().message());
    auto returned = http::string_member(*user, "id");
    if (!returned) return fail(where + ": " + returned.error().message());
    if (to_lower(*returned) != to_lower(id)) return fail(where + ": returned user " + quote(*returned));
    return user;
  }

  // The object id of the group `group:<displayName>` or `group:<displayName> (<id>)`, or nullopt
  // when none exists. Kept for the run: a group's id does not change.
  Result<std::optional<std::string>> group_id(const std::string& entitlement_id) {
    if (auto it = group_ids_.find(entitlement_id); it != group_ids_.end())
      return std::optional<std::string>(it->second);
    const std::string name = entitlement_id.substr(kGroupPrefix.size());
    std::vector<std::pair<std::string, std::string>> found;  // id, displayName
    auto collect = [&](const Json& g) -> Result<void> {
      RC_TRY(http::expect_object(g));
      RC_ASSIGN(std::string id, http::string_member(g, "id"));
      RC_ASSIGN(auto shown, http::optional_string(g, "displayName"));
      found.emplace_back(std::move(id), shown.value_or(""));
      return {};
    };
    if (auto id = id_suffix(name)) {
      const std::string path = "/groups/" + http::percent_encode(*id);
      const http::Query query = {{"$select", "id,displayName"}};
      RC_ASSIGN(auto group, api_.client.get_unless(path, query));
      if (!group) return std::optional<std::string>();
      if (auto ok = collect(*group); !ok) return fail(api_.client.label(path, query) + ": " + ok.error().message());
      if (found[0].second != name.substr(0, name.size() - 39)) return std::optional<std::string>();
    } else {
      const http::Query query = {{"$filter", "displayName eq " + odata_literal(name)}, {"$select", "id,displayName"}};
      RC_TRY(http::for_each_item(api_.client, "/groups", query, http::NextLinkPaging{}, collect));
      // The filter is case-insensitive; entitlement names are exact.
      found.erase(std::remove_if(found.begin(), found.end(), [&](const auto& g) { return g.second != name; }),
                  found.end());
      if (found.size() > 1) {
        return fail(api_.client.label("/groups", query) + ": groups " + quote(found[0].first) + " and " +
                    quote(found[1].first) + " are both named " + quote(name));
      }
      if (found.empty()) return std::optional<std::string>();
    }
    group_ids_[entitlement_id] = found[0].first;
    return std::optional<std::string>(found[0].first);
  }

  // Whether `user` is a direct member of `group`: its whole member list, every page.
  Result<bool> direct_member(const std::string& group, const std::string& user) {
    bool member = false;
    const std::string wanted = to_lower(user);
    RC_TRY(http::for_each_item(api_.client, "/groups/" + http::percent_encode(group) + "/members", {{"$select", "id"}},
                               http::NextLinkPaging{999}, [&](const Json& m) -> Result<void> {
                                 RC_TRY(http::expect_object(m));
                                 RC_ASSIGN(std::string id, http::string_member(m, "id"));
                                 if (to_lower(id) == wanted) member = true;
                                 return {};
                               }));
    return member;
  }

  EntraApi api_;
  std::map<std::string, std::string> group_ids_;  // entitlement id -> group object id
};

}  // namespace

Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system, const ConnectorEnv& env) {
  RC_ASSIGN(EntraApi api, open_api(system, env));
  return std::unique_ptr<Writer>(std::make_unique<EntraWriter>(std::move(api)));
}

}  // namespace rollcall::connectors::entra
