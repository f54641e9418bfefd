// `rollcall apply` as it runs against GitHub and Slack: the real writers over the real curl
// transport, against small stateful fakes of the two APIs on 127.0.0.1 that keep memberships
// and change them as the real services document. Apply reads, writes, verifies; applying the
// same changes again sends nothing; a concurrent Slack change is never overwritten.
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "connectors/github/github_connector.hpp"
#include "connectors/http/transport_factory.hpp"
#include "connectors/slack/slack_connector.hpp"
#include "scanner/plan/apply.hpp"
#include "tests/integration/http/fake_server.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using Json = nlohmann::json;
using plan::ActionType;

namespace {

plan::Action action(ActionType type, const std::string& system, const std::string& account,
                    const std::string& entitlement, const std::string& before, const std::string& after) {
  plan::Action a;
  a.type = type;
  a.system = system;
  a.account_id = account;
  a.account_login = account;
  a.entitlement_id = entitlement;
  a.before = before;
  a.after = after;
  a.id = std::string(plan::to_string(type)) + ":" + account + ":" + entitlement;
  return a;
}

std::vector<std::string> outcomes(const std::vector<plan::ActionReport>& reports) {
  std::vector<std::string> out;
  for (const auto& r : reports)
    out.push_back(std::string(plan::to_string(r.outcome)) + (r.detail.empty() ? "" : ": " + r.detail));
  return out;
}

// Team and organization memberships of org "acme", as GitHub keeps them: a PUT for someone
// outside the organization creates a pending membership (an invitation).
class FakeGithub {
 public:
  struct Membership {
    std::string role;
    std::string state = "active";
  };

  explicit FakeGithub(FakeServer& server) : server_(server) {
    server_.get("/api/v3/orgs/acme", [](const auto&, auto& res) { reply_json(res, R"({"login":"acme"})"); });
    server_.get("/api/v3/orgs/acme/teams/eng", [](const auto&, auto& res) { reply_json(res, R"({"slug":"eng"})"); });
    server_.get("/api/v3/orgs/acme/outside_collaborators", [](const auto&, auto& res) { reply_json(res, "[]"); });
  }

  std::mutex mutex;
  std::map<std::string, Membership> org;   // login ->
  std::map<std::string, Membership> team;  // team "eng": login ->
  int writes = 0;

  // Routes the membership resources of `login`.
  void user(const std::string& login) {
    membership("/api/v3/orgs/acme/memberships/" + login, org, login);
    membership("/api/v3/orgs/acme/teams/eng/memberships/" + login, team, login);
  }

 private:
  void membership(const std::string& path, std::map<std::string, Membership>& where, const std::string& login) {
    server_.get(path, [this, &where, login](const auto&, auto& res) {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = where.find(login);
      if (it == where.end()) return reply_json(res, R"({"message":"Not Found"})", 404);
      reply_json(res, Json{{"role", it->second.role}, {"state", it->second.state}}.dump());
    });
    server_.route("PUT", path, [this, &where, login](const httplib::Request& req, auto& res) {
      std::lock_guard<std::mutex> lock(mutex);
      ++writes;
      const Json body = Json::parse(req.body, nullptr, false);
      if (!body.is_object() || !body.contains("role")) return reply_json(res, R"({"message":"Invalid request"})", 422);
      const bool member = org.count(login) != 0 && org[login].state == "active";
      Membership& m = where[login];
      m.role = body["role"].get<std::string>();
      if (!member) m.state = "pending";  // an invitation is sent; accepted later, or never
      reply_json(res, Json{{"role", m.role}, {"state", m.state}}.dump());
    });
    server_.route("DELETE", path, [this, &where, login](const auto&, auto& res) {
      std::lock_guard<std::mutex> lock(mutex);
      ++writes;
      if (where.erase(login) == 0) return reply_json(res, R"({"message":"Not Found"})", 404);
      if (&where == &org) team.erase(login);  // leaving the organization leaves its teams
      res.status = 204;
    });
  }

  FakeServer& server_;
};

// Slack user groups: usergroups.users.update replaces the whole list. `before_list` runs
// before each usergroups.users.list answer (someone else changing the group).
class FakeSlack {
 public:
  explicit FakeSlack(FakeServer& server) {
    server.get("/api/usergroups.list", [](const auto&, auto& res) {
      reply_json(res, R"({"ok":true,"usergroups":[{"id":"S1","handle":"oncall","name":"On call"}]})");
    });
    server.get("/api/usergroups.users.list", [this](const auto& req, auto& res) {
      std::lock_guard<std::mutex> lock(mutex);
      if (param(req, "usergroup") != "S1") return reply_json(res, R"({"ok":false,"error":"no_such_subteam"})");
      ++lists;
      if (before_list) before_list(lists, members);
      reply_json(res, Json{{"ok", true}, {"users", members}}.dump());
    });
    server.route("POST", "/api/usergroups.users.update", [this](const httplib::Request& req, auto& res) {
      std::lock_guard<std::mutex> lock(mutex);
      ++writes;
      if (req.get_header_value("Content-Type") != "application/x-www-form-urlencoded" ||
          req.get_param_value("usergroup") != "S1") {
        return reply_json(res, R"({"ok":false,"error":"invalid_arguments"})");
      }
      const std::string users = req.get_param_value("users");
      if (users.empty()) return reply_json(res, R"({"ok":false,"error":"invalid_users"})");
      members.clear();
      for (std::size_t start = 0; start <= users.size();) {
        const std::size_t comma = std::min(users.find(',', start), users.size());
        members.push_back(users.substr(start, comma - start));
        start = comma + 1;
      }
      reply_json(res, R"({"ok":true})");
    });
  }

  std::mutex mutex;
  std::vector<std::string> members = {"U3", "U7"};
  std::function<void(int, std::vector<std::string>&)> before_list;
  int lists = 0;
  int writes = 0;
};

struct Apply {
  FakeServer server;
  RecordingSleeper sleeper;
  http::CurlTransportFactory factory{sleeper, [] { return 0.5; }};
  CapturingLogger log{LogLevel::debug};
  FixedClock clock{1'800'000'000};
  SecretSource secrets = SecretSource::from_map({{"GITHUB_TOKEN", "ghp-it"}, {"SLACK_TOKEN", "xoxb-it"}});
  std::unique_ptr<store::Database> db;

  Apply() {
    auto d = store::Database::open_memory();
    REQUIRE(d.ok());
    db = std::move(d).value();
  }

  // Applies `p` with a fresh writer of `type` for a system with `keys` (base_url is the
  // fake server's plus `api_root`), as `rollcall apply` builds it.
  std::vector<std::string> run(const plan::Plan& p, const connectors::ConnectorType& type,
                               std::vector<std::pair<std::string, config::Value>> keys, const std::string& api_root) {
    connectors::ConnectorEnv env{secrets, log, clock, "/work/ws"};
    env.http = &factory;
    keys.emplace_back("base_url", server.url() + api_root);
    auto writer = type.create_writer(system_config(type.name, type.name, keys), env);
    INFO((writer ? std::string() : writer.error().message()));
    REQUIRE(writer.ok());
    auto reports = plan::apply_plan(
        p, *db, [&](const std::string&) -> Result<connectors::Writer*> { return writer->get(); }, {}, {});
    REQUIRE(reports.ok());
    return outcomes(*reports);
  }
};

}  // namespace

TEST_CASE("apply over GitHub: memberships written, invitations pending count as done, a rerun sends nothing",
          "[integration][apply][github]") {
  Apply t;
  FakeGithub gh(t.server);
  for (const char* login : {"carol", "bob", "dave", "newbie", "eve"}) gh.user(login);
  gh.org = {{"carol", {"member"}}, {"bob", {"member"}}, {"dave", {"member"}}, {"eve", {"member"}}};
  gh.team = {{"bob", {"member"}}, {"dave", {"member"}}, {"eve", {"maintainer"}}};

  plan::Plan p;
  p.id = "gh1";
  p.actions = {action(ActionType::grant, "github", "carol", "team:eng", "absent", "member"),
               action(ActionType::set_level, "github", "bob", "team:eng", "member", "maintainer"),
               action(ActionType::revoke, "github", "dave", "team:eng", "member", "absent"),
               action(ActionType::grant, "github", "newbie", "org:acme", "absent", "member"),
               action(ActionType::disable_account, "github", "eve", "", "active", "disabled")};
  const auto run = [&] {
    return t.run(p, connectors::github::connector_type(),
                 {{"org", std::string("acme")}, {"token_env", std::string("GITHUB_TOKEN")}}, "/api/v3");
  };
  CHECK(run() == std::vector<std::string>(5, "done"));
  CHECK(gh.writes == 5);
  CHECK(gh.team.at("carol").role == "member");
  CHECK(gh.team.at("bob").role == "maintainer");
  CHECK(gh.team.count("dave") == 0);
  CHECK(gh.org.at("newbie").state == "pending");
  CHECK(gh.org.count("eve") == 0);
  CHECK(gh.team.count("eve") == 0);

  // The same changes in a new plan (say after a rescan that still shows newbie's invitation
  // as not yet accepted): every live read says done, nothing is sent.
  p.id = "gh2";
  CHECK(run() == std::vector<std::string>(5, "noop"));
  CHECK(gh.writes == 5);
  CHECK(t.sleeper.waits().empty());
}

TEST_CASE("apply over Slack: a user group changed by someone else meanwhile keeps that change",
          "[integration][apply][slack]") {
  Apply t;
  FakeSlack slack(t.server);
  // Between apply's first read and the writer's re-read right before the update, someone adds U8.
  slack.before_list = [](int n, std::vector<std::string>& members) {
    if (n == 2) members.push_back("U8");
  };
  plan::Plan p;
  p.id = "sl1";
  p.actions = {action(ActionType::grant, "slack", "U9", "usergroup:oncall", "absent", "member"),
               action(ActionType::revoke, "slack", "U3", "usergroup:oncall", "member", "absent")};
  const auto run = [&] {
    return t.run(p, connectors::slack::connector_type(), {{"token_env", std::string("SLACK_TOKEN")}}, "/api");
  };
  CHECK(run() == std::vector<std::string>{"done", "done"});
  CHECK(slack.members == std::vector<std::string>{"U7", "U8", "U9"});
  CHECK(slack.writes == 2);  // the refused attempt sent nothing

  p.id = "sl2";
  CHECK(run() == std::vector<std::string>{"noop", "noop"});
  CHECK(slack.writes == 2);
}
