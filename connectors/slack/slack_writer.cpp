#include "connectors/slack/slack_writer.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "connectors/http/paginate.hpp"
#include "connectors/slack/slack_api.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::slack {
namespace {

using http::Json;

constexpr std::string_view kType = "slack";
using Members = std::vector<std::string>;  // user ids
using IdsByName = std::map<std::string, std::string>;

Error unsupported_because(const Change& c, const std::string& why) {
  return Error(unsupported(c, kType).message() + " (" + why + ")");
}

bool contains(const Members& m, const std::string& user) { return std::find(m.begin(), m.end(), user) != m.end(); }

// "+U9 -U3": who joined and who left between two reads of one list.
std::string difference(const Members& before, const Members& now) {
  std::vector<std::string> parts;
  for (const auto& u : now) {
    if (!contains(before, u)) parts.push_back("+" + u);
  }
  for (const auto& u : before) {
    if (!contains(now, u)) parts.push_back("-" + u);
  }
  return join(parts, " ");
}

class SlackWriter final : public Writer {
 public:
  explicit SlackWriter(SlackApi api) : api_(std::move(api)) {}

  Result<LiveState> read(const Change& c) override {
    RC_ASSIGN(Target t, target(c));
    RC_ASSIGN(Members members, t.usergroup ? group_members(t.id) : channel_members(t.id));
    LiveState s;
    s.account_exists = s.account_active = true;  // deleted users are never targets: they hold nothing
    if (contains(members, c.account_id)) s.level = "member";
    if (t.usergroup) read_groups_[t.id] = std::move(members);
    return s;
  }

  Result<void> write(const Change& c) override {
    RC_ASSIGN(Target t, target(c));
    const bool add = c.type != ChangeType::revoke;
    if (add && c.level != "member") return fail(c.entitlement_id + ": level " + quote(c.level) + " is not \"member\"");
    if (t.usergroup) return update_group(t, c.account_id, add);
    if (add) return post("/conversations.invite", {{"channel", t.id}, {"users", c.account_id}});
    return post("/conversations.kick", {{"channel", t.id}, {"user", c.account_id}});
  }

 private:
  struct Target {
    bool usergroup = false;  // else a channel
    std::string name;        // handle or channel name
    std::string id;          // Slack's S... or C... id
  };

  Result<Target> target(const Change& c) {
    if (c.type == ChangeType::create_account || c.type == ChangeType::disable_account) {
      return unsupported_because(c,
                                 "Slack's Web API cannot create or deactivate users; Slack's SCIM API can: "
                                 "manage accounts with a system of type \"scim\"");
    }
    const std::string& id = c.entitlement_id;
    if (starts_with(id, "workspace:")) {
      return unsupported_because(c, id + ": Slack's Web API cannot change workspace roles");
    }
    Target t;
    if (starts_with(id, "usergroup:")) {
      t.usergroup = true;
      t.name = id.substr(10);
      RC_ASSIGN(const IdsByName* groups, group_ids());
      auto it = groups->find(t.name);
      if (it == groups->end()) return fail("usergroup " + quote(t.name) + ": no enabled user group has this handle");
      t.id = it->second;
      return t;
    }
    if (starts_with(id, "channel:")) {
      t.name = id.substr(8);
      RC_ASSIGN(const IdsByName* channels, channel_ids());
      auto it = channels->find(t.name);
      if (it == channels->end()) {
        return fail("channel " + quote(t.name) + ": no private channel of this name is visible to the token");
      }
      t.id = it->second;
      return t;
    }
    return fail(quote(id) + " is not a Slack entitlement (usergroup:<handle>, channel:<name>, workspace:<domain>)");
  }

  // Handle -> id of the enabled user groups, read once per run.
  Result<const IdsByName*> group_ids() {
    if (groups_) return &*groups_;
    const http::Query query{{"include_disabled", "false"}};
    RC_ASSIGN(Json list, api_.client.get("/usergroups.list", query));
    IdsByName ids;
    auto parsed = [&]() -> Result<void> {
      RC_ASSIGN(const Json* groups, http::array_at(list, "/usergroups"));
      for (const Json& g : *groups) {
        RC_TRY(http::expect_object(g));
        RC_ASSIGN(std::string id, http::string_member(g, "id"));
        RC_ASSIGN(std::string handle, http::string_member(g, "handle"));
        ids.emplace(std::move(handle), std::move(id));
      }
      return {};
    }();
    if (!parsed) return fail(api_.client.label("/usergroups.list", query) + ": " + parsed.error().message());
    groups_ = std::move(ids);
    return &*groups_;
  }

  // Name -> id of the private channels the token can see, read once per run.
  Result<const IdsByName*> channel_ids() {
    if (channels_) return &*channels_;
    IdsByName ids;
    RC_TRY(http::for_each_item(api_.client, "/conversations.list",
                               {{"types", "private_channel"}, {"exclude_archived", "true"}},
                               http::CursorPaging{200, "/channels"}, [&](const Json& c) -> Result<void> {
                                 RC_TRY(http::expect_object(c));
                                 RC_ASSIGN(std::string id, http::string_member(c, "id"));
                                 RC_ASSIGN(std::string name, http::string_member(c, "name"));
                                 ids.emplace(std::move(name), std::move(id));
                                 return {};
                               }));
    channels_ = std::move(ids);
    return &*channels_;
  }

  Result<Members> group_members(const std::string& group) {
    const http::Query q{{"usergroup", group}};
    RC_ASSIGN(Json r, api_.client.get("/usergroups.users.list", q));
    Members out;
    auto users = http::array_at(r, "/users");
    if (!users) return fail(api_.client.label("/usergroups.users.list", q) + ": " + users.error().message());
    for (const Json& u : **users) {
      if (!u.is_string()) return fail(api_.client.label("/usergroups.users.list", q) + ": a user id is not a string");
      out.push_back(u.get<std::string>());
    }
    return out;
  }

  Result<Members> channel_members(const std::string& channel) {
    Members out;
    RC_TRY(http::for_each_item(api_.client, "/conversations.members", {{"channel", channel}},
                               http::CursorPaging{200, "/members"}, [&](const Json& u) -> Result<void> {
                                 if (!u.is_string()) return fail("a user id is not a string");
                                 out.push_back(u.get<std::string>());
                                 return {};
                               }));
    return out;
  }

  // usergroups.users.update replaces the whole list: read it again, refuse if it moved since
  // the decision (the last read()), then send the list with one user added or removed.
  Result<void> update_group(const Target& t, const std::string& user, bool add) {
    const std::string what = "usergroup " + quote(t.name) + " (" + t.id + ")";
    RC_ASSIGN(Members now, group_members(t.id));
    auto decided = read_groups_.find(t.id);
    if (decided != read_groups_.end()) {
      Members a = decided->second, b = now;
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      if (a != b) {
        return fail(what + " changed since it was read (" + difference(decided->second, now) +
                    "); not updated, so that the other change is not overwritten");
      }
    }
    Members next = now;
    if (add) {
      if (contains(next, user)) return {};  // added meanwhile; apply's next read says so
      next.push_back(user);
    } else {
      auto it = std::find(next.begin(), next.end(), user);
      if (it == next.end()) return {};
      next.erase(it);
      if (next.empty()) {
        return fail(what + ": cannot remove " + user +
                    ", its last member: Slack cannot empty a user group "
                    "(usergroups.users.update rejects an empty list); disable the group in Slack instead");
      }
    }
    RC_TRY(post("/usergroups.users.update", {{"usergroup", t.id}, {"users", join(next, ",")}}));
    read_groups_[t.id] = std::move(next);
    return {};
  }

  // A form POST; any answer but "ok": true fails (the client's check lets a few errors pass
  // that only make sense for reads).
  Result<void> post(const std::string& method, const http::Query& params) {
    RC_ASSIGN(http::JsonResponse r, api_.client.send(http::Method::post, method, http::encode_query(params), {}, {},
                                                     "application/x-www-form-urlencoded"));
    const Json* ok = http::member(r.json, "ok");
    if (ok != nullptr && ok->is_boolean() && ok->get<bool>()) return {};
    const Json* error = http::member(r.json, "error");
    return fail(api_.client.label(method, {}, http::Method::post) + ": Slack error " +
                (error != nullptr && error->is_string() ? error->get<std::string>() : std::string("unknown_error")));
  }

  SlackApi api_;
  std::optional<IdsByName> groups_;
  std::optional<IdsByName> channels_;
  std::map<std::string, Members> read_groups_;  // group id -> members at the last read()
};

}  // namespace

Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& sys, const ConnectorEnv& env) {
  RC_ASSIGN(SlackApi api, open_api(sys, env));
  return std::unique_ptr<Writer>(new SlackWriter(std::move(api)));
}

}  // namespace rollcall::connectors::slack
