#include "connectors/slack/slack_connector.hpp"

#include <map>
#include <unordered_set>

#include "connectors/http/http_config.hpp"
#include "connectors/http/paginate.hpp"
#include "connectors/http/parallel.hpp"
#include "connectors/slack/slack_api.hpp"
#include "connectors/slack/slack_writer.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::slack {
namespace {

using http::Json;

Result<bool> flag(const Json& o, const char* key) { return http::bool_member(o, key, false); }

struct User {
  Account account;
  std::string level;  // in the workspace; "" for deleted users
};

Result<User> to_user(const Json& u) {
  RC_TRY(http::expect_object(u));
  User out;
  Account& a = out.account;
  RC_ASSIGN(a.id, http::string_member(u, "id"));
  auto checked = [&]() -> Result<void> {
    RC_ASSIGN(auto name, http::optional_string(u, "name"));
    RC_ASSIGN(auto real_name, http::optional_string(u, "real_name"));
    a.login = name.value_or("");
    a.display_name = real_name.value_or("");
    if (const Json* profile = http::member(u, "profile")) {
      RC_ASSIGN(auto email, http::optional_string(*profile, "email"));
      RC_ASSIGN(auto profile_name, http::optional_string(*profile, "real_name"));
      a.email = email.value_or("");
      if (a.display_name.empty()) a.display_name = profile_name.value_or("");
    }
    RC_ASSIGN(bool deleted, flag(u, "deleted"));
    RC_ASSIGN(bool bot, flag(u, "is_bot"));
    RC_ASSIGN(bool admin, flag(u, "is_admin"));
    RC_ASSIGN(bool owner, flag(u, "is_owner"));
    RC_ASSIGN(bool primary, flag(u, "is_primary_owner"));
    RC_ASSIGN(bool restricted, flag(u, "is_restricted"));
    RC_ASSIGN(bool ultra, flag(u, "is_ultra_restricted"));
    // Slackbot (USLACKBOT: no email, is_bot false) is the platform's own account in every
    // workspace: builtin, never anyone's orphan.
    a.kind = a.id == "USLACKBOT" ? AccountKind::builtin : bot ? AccountKind::bot : AccountKind::human;
    a.status = deleted ? AccountStatus::disabled : AccountStatus::active;
    Json attrs = Json::object();
    if (primary) attrs["primary_owner"] = true;
    if (ultra || restricted) attrs["guest_type"] = ultra ? "single_channel" : "multi_channel";
    if (const Json* tfa = http::member(u, "has_2fa"); tfa != nullptr && tfa->is_boolean()) {
      attrs["two_factor_enabled"] = *tfa;
    }
    if (const Json* team = http::member(u, "team_id"); team != nullptr && team->is_string()) attrs["team_id"] = *team;
    a.attrs_json = attrs.dump();
    if (!deleted) {
      out.level = owner || primary ? "owner" : admin ? "admin" : ultra || restricted ? "guest" : "member";
    }
    return {};
  };
  if (auto r = checked(); !r) return fail("user " + quote(a.id) + ": " + r.error().message());
  return out;
}

// Members of one user group or channel, as user ids.
struct Holders {
  std::string entitlement;
  std::vector<std::string> users;
};

class SlackConnector final : public Connector {
 public:
  SlackConnector(std::unique_ptr<http::Transport> transport, http::ApiClient client, bool private_channels,
                 int concurrency, Logger& log)
      : transport_(std::move(transport)),
        client_(std::move(client)),
        private_channels_(private_channels),
        concurrency_(concurrency),
        log_(log) {}

  Result<void> fetch(RecordSink& sink) override {
    RC_TRY(read_workspace(sink));
    RC_TRY(http::for_each_item(client_, "/users.list", {}, http::CursorPaging{200, "/members"},
                               [&](const Json& item) -> Result<void> {
                                 RC_ASSIGN(User u, to_user(item));
                                 return emit_user(sink, u);
                               }));
    RC_TRY(read_usergroups(sink));
    if (private_channels_) RC_TRY(read_private_channels(sink));
    return read_missing_users(sink);
  }

 private:
  // auth.test names the workspace (and fails fast on a bad token).
  Result<void> read_workspace(RecordSink& sink) {
    RC_ASSIGN(Json auth, client_.get("/auth.test"));
    Entitlement e;
    e.type = "workspace";
    auto parsed = [&]() -> Result<void> {
      RC_ASSIGN(std::string team_id, http::string_member(auth, "team_id"));
      RC_ASSIGN(auto url, http::optional_string(auth, "url"));
      RC_ASSIGN(auto team, http::optional_string(auth, "team"));
      e.name = team_id;
      if (auto u = http::parse_url(url.value_or("")); u && u->host.find('.') != std::string::npos) {
        e.name = u->host.substr(0, u->host.find('.'));
      }
      Json attrs = {{"team_id", team_id}};
      if (team) attrs["name"] = *team;
      e.attrs_json = attrs.dump();
      return {};
    }();
    if (!parsed) return fail(client_.label("/auth.test") + ": " + parsed.error().message());
    workspace_ = e.id = "workspace:" + e.name;
    return sink.entitlement(e);
  }

  Result<void> emit_user(RecordSink& sink, const User& u) {
    if (!users_.insert(u.account.id).second) return {};  // pages shifted under us
    RC_TRY(sink.account(u.account));
    if (u.level.empty()) return {};
    Grant g;
    g.account_id = u.account.id;
    g.entitlement_id = workspace_;
    g.level = u.level;
    return sink.grant(g);
  }

  Result<void> grant_all(RecordSink& sink, Holders&& h) {
    std::unordered_set<std::string> seen;
    for (std::string& user : h.users) {
      if (!seen.insert(user).second) continue;
      if (users_.count(user) == 0) {
        missing_[user].push_back(h.entitlement);
        continue;
      }
      Grant g;
      g.account_id = std::move(user);
      g.entitlement_id = h.entitlement;
      RC_TRY(sink.grant(g));
    }
    return {};
  }

  Result<void> read_usergroups(RecordSink& sink) {
    const http::Query query{{"include_disabled", "false"}};
    RC_ASSIGN(Json list, client_.get("/usergroups.list", query));
    std::vector<std::pair<std::string, std::string>> ids;  // id, entitlement
    auto entitlements = [&]() -> Result<void> {
      RC_ASSIGN(const Json* groups, http::array_at(list, "/usergroups"));
      for (const Json& g : *groups) {
        RC_TRY(http::expect_object(g));
        RC_ASSIGN(std::string id, http::string_member(g, "id"));
        auto handle = http::string_member(g, "handle");
        if (!handle) return fail("usergroup " + quote(id) + ": " + handle.error().message());
        Entitlement e;
        e.id = "usergroup:" + *handle;
        e.type = "usergroup";
        e.name = *handle;
        Json attrs = {{"slack_id", id}};
        if (const Json* name = http::member(g, "name"); name != nullptr && name->is_string()) attrs["name"] = *name;
        e.attrs_json = attrs.dump();
        RC_TRY(sink.entitlement(e));
        ids.emplace_back(id, e.id);
      }
      return {};
    }();
    if (!entitlements) return fail(client_.label("/usergroups.list", query) + ": " + entitlements.error().message());

    return http::ordered_parallel<Holders>(
        ids.size(), concurrency_,
        [&](std::size_t i) -> Result<Holders> {
          const http::Query q{{"usergroup", ids[i].first}};
          RC_ASSIGN(Json r, client_.get("/usergroups.users.list", q));
          Holders h{ids[i].second, {}};
          auto users = http::array_at(r, "/users");
          if (!users) return fail(client_.label("/usergroups.users.list", q) + ": " + users.error().message());
          for (const Json& u : **users) {
            if (!u.is_string()) return fail(client_.label("/usergroups.users.list", q) + ": a user id is not a string");
            h.users.push_back(u.get<std::string>());
          }
          return h;
        },
        [&](std::size_t, Holders&& h) { return grant_all(sink, std::move(h)); });
  }

  Result<void> read_private_channels(RecordSink& sink) {
    std::vector<std::pair<std::string, std::string>> channels;  // id, entitlement
    RC_TRY(http::for_each_item(
        client_, "/conversations.list", {{"types", "private_channel"}, {"exclude_archived", "true"}},
        http::CursorPaging{200, "/channels"}, [&](const Json& c) -> Result<void> {
          RC_TRY(http::expect_object(c));
          RC_ASSIGN(std::string id, http::string_member(c, "id"));
          auto name = http::string_member(c, "name");
          if (!name) return fail("channel " + quote(id) + ": " + name.error().message());
          Entitlement e;
          e.id = "channel:" + *name;
          e.type = "channel";
          e.name = *name;
          e.attrs_json = Json{{"slack_id", id}, {"private", true}}.dump();
          RC_TRY(sink.entitlement(e));
          channels.emplace_back(id, e.id);
          return {};
        }));
    return http::ordered_parallel<Holders>(
        channels.size(), concurrency_,
        [&](std::size_t i) -> Result<Holders> {
          Holders h{channels[i].second, {}};
          RC_TRY(http::for_each_item(client_, "/conversations.members", {{"channel", channels[i].first}},
                                     http::CursorPaging{200, "/members"}, [&](const Json& u) -> Result<void> {
                                       if (!u.is_string()) return fail("a user id is not a string");
                                       h.users.push_back(u.get<std::string>());
                                       return {};
                                     }));
          return h;
        },
        [&](std::size_t, Holders&& h) { return grant_all(sink, std::move(h)); });
  }

  // Users that joined a group or channel after users.list was read: fetched one by one.
  Result<void> read_missing_users(RecordSink& sink) {
    std::vector<std::string> ids;
    for (const auto& [id, _] : missing_) ids.push_back(id);
    return http::ordered_parallel<Json>(
        ids.size(), concurrency_, [&](std::size_t i) { return client_.get("/users.info", {{"user", ids[i]}}); },
        [&](std::size_t i, Json&& r) -> Result<void> {
          const Json* user = http::member(r, "user");
          if (user == nullptr) {
            log_.info("slack: member " + quote(ids[i]) + " no longer exists; skipped");
            return {};
          }
          const std::string where = client_.label("/users.info", {{"user", ids[i]}});
          auto u = to_user(*user);
          if (!u) return fail(where + ": " + u.error().message());
          if (u->account.id != ids[i]) return fail(where + ": returned user " + quote(u->account.id));
          RC_TRY(emit_user(sink, *u));
          for (const std::string& entitlement : missing_[ids[i]]) {
            Grant g;
            g.account_id = ids[i];
            g.entitlement_id = entitlement;
            RC_TRY(sink.grant(g));
          }
          return {};
        });
  }

  std::unique_ptr<http::Transport> transport_;
  http::ApiClient client_;
  bool private_channels_;
  int concurrency_;
  Logger& log_;
  std::string workspace_;
  std::unordered_set<std::string> users_;
  std::map<std::string, std::vector<std::string>> missing_;  // user id -> entitlements
};

Result<std::unique_ptr<Connector>> create(const config::SystemConfig& sys, const ConnectorEnv& env) {
  RC_ASSIGN(SlackApi api, open_api(sys, env));
  return std::unique_ptr<Connector>(new SlackConnector(std::move(api.transport), std::move(api.client),
                                                       sys.keys.boolean("private_channels").value_or(false),
                                                       api.concurrency, env.log));
}

}  // namespace

ConnectorType connector_type() {
  using config::ValueType;
  ConnectorType t;
  t.name = "slack";
  t.summary = "a Slack workspace: users and their roles, user groups, optionally private channels";
  t.keys = {
      {"base_url", ValueType::string, false, "Web API root", "\"https://slack.com/api\""},
      {"private_channels", ValueType::boolean, false,
       "also read the members of private channels the token can see (scope groups:read)", "false"},
  };
  for (auto& k : connectors::credential_keys("token", "API token (xoxb- or xoxp-)")) t.keys.push_back(std::move(k));
  for (auto& k : http::common_keys()) t.keys.push_back(std::move(k));
  t.create = create;
  t.create_writer = create_writer;
  return t;
}

}  // namespace rollcall::connectors::slack
