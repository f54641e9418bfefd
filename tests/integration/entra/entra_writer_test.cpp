// The entra writer against the stateful fake Graph: each write read back before and verified
// after, through the real curl transport; apply with writes answered after the client's timeout
// (each sent once, found done); a rehire re-enabled once.
#include "connectors/entra/entra_writer.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

#include "scanner/plan/apply.hpp"
#include "tests/integration/entra/entra_fixture.hpp"
#include "tests/support/writer_checks.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using connectors::ChangeType;
using plan::Action;
using plan::ActionType;

namespace {

std::unique_ptr<connectors::Writer> writer(EntraWorld& w, std::int64_t timeout_s = 10) {
  auto made = connectors::entra::connector_type().create_writer(w.system({}, timeout_s), w.fx.env());
  INFO((made ? "" : made.error().message()));
  REQUIRE(made.ok());
  return std::move(made).value();
}

std::string read_error(connectors::Writer& wr, const connectors::Change& c) {
  auto r = wr.read(c);
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

std::size_t writes_seen(const FakeServer& server) {
  auto seen = server.requests();
  return static_cast<std::size_t>(std::count_if(seen.begin(), seen.end(), [](const FakeServer::Seen& s) {
    return s.method != "GET" && s.path.find("/oauth2/") == std::string::npos;  // token requests are no writes
  }));
}

Action action(ActionType type, std::string account, std::string entitlement, std::string before, std::string after) {
  Action a;
  a.type = type;
  a.system = "entra";
  a.account_id = std::move(account);
  a.entitlement_id = std::move(entitlement);
  a.before = std::move(before);
  a.after = std::move(after);
  a.id = std::string(plan::to_string(type)) + ":" + a.account_id + ":" + a.entitlement_id;
  a.destructive = type == ActionType::revoke || type == ActionType::disable_account;
  return a;
}

std::unique_ptr<store::Database> memory_db() {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  return std::move(db).value();
}

std::vector<plan::ActionReport> apply(EntraWorld& w, const plan::Plan& p, store::Database& db, std::int64_t timeout_s) {
  auto wr = writer(w, timeout_s);
  auto lookup = [&](const std::string& name) -> Result<connectors::Writer*> {
    if (name != "entra") return fail("no system " + name);
    return wr.get();
  };
  auto reports = plan::apply_plan(p, db, lookup, plan::ApplyOptions{}, {});
  REQUIRE(reports.ok());
  return *reports;
}

std::vector<std::string> outcomes(const std::vector<plan::ActionReport>& reports) {
  std::vector<std::string> out;
  for (const auto& r : reports) out.push_back(std::string(plan::to_string(r.outcome)));
  return out;
}

}  // namespace

TEST_CASE("entra writer: disable and enable an account, read back each time", "[integration][entra][writer]") {
  EntraWorld w;
  w.install();
  auto wr = writer(w);
  const auto disable = make_change(ChangeType::disable_account, uid(1));
  auto before = must_read(*wr, disable);
  CHECK(before.account_exists);
  CHECK(before.account_active);
  must_write(*wr, disable);
  CHECK_FALSE(must_read(*wr, disable).account_active);
  CHECK_FALSE(w.graph.enabled(uid(1)));
  CHECK(w.graph.enabled(uid(5)));  // control: no one else changed

  const auto enable = make_change(ChangeType::enable_account, uid(1));
  must_write(*wr, enable);
  CHECK(must_read(*wr, enable).account_active);
  CHECK(w.graph.writes() == 2);
  const auto seen = w.server.requests();
  CHECK(std::count_if(seen.begin(), seen.end(), [](const auto& s) { return s.method == "PATCH"; }) == 2);

  const auto gone = make_change(ChangeType::disable_account, "aaaaaaaa-0000-4000-8000-0000000000ff");
  w.server.route(
      "GET", "/v1.0/users/aaaaaaaa-0000-4000-8000-0000000000ff", [](const httplib::Request&, httplib::Response& res) {
        reply_json(res, R"({"error":{"code":"Request_ResourceNotFound","message":"Resource does not exist."}})", 404);
      });
  CHECK_FALSE(must_read(*wr, gone).account_exists);
}

TEST_CASE("entra writer: grant and revoke a direct group membership, read back each time",
          "[integration][entra][writer]") {
  EntraWorld w;
  w.install();
  auto wr = writer(w);
  const auto grant = make_change(ChangeType::grant, uid(5), "group:Engineering", "member");
  CHECK(level_of(must_read(*wr, grant)) == "absent");
  must_write(*wr, grant);
  CHECK(level_of(must_read(*wr, grant)) == "member");
  CHECK(w.graph.members(gid("01")) == std::vector<std::string>{uid(1), gid("02"), uid(5)});
  // Control: the look-alike group is untouched.
  CHECK(w.graph.members(gid("04")) == std::vector<std::string>{uid(5), "99999999-0000-4000-8000-00000000dev1"});

  const auto revoke = make_change(ChangeType::revoke, uid(1), "group:Engineering");
  CHECK(level_of(must_read(*wr, revoke)) == "member");
  must_write(*wr, revoke);
  CHECK(level_of(must_read(*wr, revoke)) == "absent");
  CHECK(w.graph.members(gid("01")) == std::vector<std::string>{gid("02"), uid(5)});

  // carl holds Engineering only through Backend: not a direct member, so nothing to revoke
  // here (the plan revokes Backend instead).
  CHECK(level_of(must_read(*wr, make_change(ChangeType::revoke, uid(4), "group:Engineering"))) == "absent");
  // Two groups share "Shared": the read side's "(<object id>)" names pick one.
  const auto shared = make_change(ChangeType::grant, uid(5), "group:Shared (" + gid("06") + ")", "member");
  CHECK(level_of(must_read(*wr, shared)) == "absent");
  must_write(*wr, shared);
  CHECK(w.graph.members(gid("06")) == std::vector<std::string>{uid(3), uid(5)});
  CHECK(w.graph.members(gid("05")) == std::vector<std::string>{uid(1)});
  CHECK(read_error(*wr, make_change(ChangeType::grant, uid(5), "group:Shared", "member")) ==
        "GET /v1.0/groups?%24filter=displayName%20eq%20%27Shared%27&%24select=id%2CdisplayName: groups \"" + gid("05") +
            "\" and \"" + gid("06") + "\" are both named \"Shared\"");
}

TEST_CASE("entra writer: what it will not do is refused before any write", "[integration][entra][writer]") {
  EntraWorld w;
  w.install();
  auto wr = writer(w);
  CHECK(
      read_error(*wr, make_change(ChangeType::create_account, "new.hire@contoso.com")) ==
      "entra cannot create_account through its API; set apply_via = \"tickets\" on the system to file such changes as "
      "tickets");
  CHECK(read_error(*wr, make_change(ChangeType::grant, uid(5), "directory-role:Global Administrator", "member")) ==
        "entra writes group memberships only (group:<displayName>), not \"directory-role:Global Administrator\"; set "
        "apply_via = \"tickets\" on the system for directory roles and apps");
  CHECK(read_error(*wr, make_change(ChangeType::grant, uid(5), "group:Engineering", "owner")) ==
        "entra groups have one level, \"member\"; cannot grant \"owner\" of \"group:Engineering\"");
  CHECK(read_error(*wr, make_change(ChangeType::grant, uid(5), "group:Nonexistent", "member")) ==
        "no Entra group has displayName \"Nonexistent\"; rollcall does not create groups");
  CHECK(w.graph.writes() == 0);
}

TEST_CASE("entra apply: writes answered after the client's timeout are found done, each sent exactly once",
          "[integration][entra][apply]") {
  EntraWorld w;
  w.install();
  auto db = memory_db();
  plan::Plan p;
  p.id = "incident";
  p.actions = {action(ActionType::grant, uid(5), "group:Engineering", "absent", "member"),
               action(ActionType::revoke, uid(1), "group:Engineering", "member", "absent"),
               action(ActionType::disable_account, uid(4), "", "active", "disabled"),
               action(ActionType::enable_account, uid(2), "", "disabled", "active")};
  // Every write takes effect at once and is answered 1.5 s later; the client gives up at 1 s.
  w.graph.set_answer_writes_after(std::chrono::milliseconds(1500));
  const auto reports = apply(w, p, *db, 1);
  REQUIRE(reports.size() == 4);
  CHECK(outcomes(reports) == std::vector<std::string>{"done", "done", "done", "done"});
  const std::vector<std::string> requests = {"POST /v1.0/groups/" + gid("01") + "/members/$ref",
                                             "DELETE /v1.0/groups/" + gid("01") + "/members/" + uid(1) + "/$ref",
                                             "PATCH /v1.0/users/" + uid(4), "PATCH /v1.0/users/" + uid(2)};
  for (std::size_t i = 0; i < reports.size(); ++i) {
    CHECK(reports[i].attempts == 1);
    CHECK(reports[i].detail ==
          "the write took effect despite: " + requests[i] + ": no complete response within 1s (the timeout)");
  }
  CHECK(w.graph.writes() == 4);
  CHECK(writes_seen(w.server) == 4);
  CHECK(w.graph.members(gid("01")) == std::vector<std::string>{gid("02"), uid(5)});
  CHECK_FALSE(w.graph.enabled(uid(4)));
  CHECK(w.graph.enabled(uid(2)));

  SECTION("the same plan again, without the journal: every target is found done, nothing is sent") {
    w.graph.set_answer_writes_after(std::chrono::milliseconds(0));
    auto fresh = memory_db();
    const auto again = apply(w, p, *fresh, 10);
    CHECK(outcomes(again) == std::vector<std::string>{"noop", "noop", "noop", "noop"});
    CHECK(w.graph.writes() == 4);
    CHECK(writes_seen(w.server) == 4);
  }
}

TEST_CASE("entra apply: a rehire's disabled account is enabled once; a second apply changes nothing",
          "[integration][entra][apply]") {
  EntraWorld w;
  w.install();
  plan::Plan p;
  p.id = "rehire";
  // bob left and came back: his account exists, disabled; the plan re-enables it and gives back
  // his group instead of creating a second account.
  p.actions = {action(ActionType::enable_account, uid(2), "", "disabled", "active"),
               action(ActionType::grant, uid(2), "group:Engineering", "absent", "member")};
  auto first = memory_db();
  CHECK(outcomes(apply(w, p, *first, 10)) == std::vector<std::string>{"done", "done"});
  CHECK(w.graph.enabled(uid(2)));
  CHECK(w.graph.writes() == 2);
  auto second = memory_db();
  CHECK(outcomes(apply(w, p, *second, 10)) == std::vector<std::string>{"noop", "noop"});
  CHECK(w.graph.writes() == 2);
  CHECK(writes_seen(w.server) == 2);
}
