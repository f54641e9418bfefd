// `rollcall run` as a scheduler runs it, three times in a row against a drifted fake SCIM
// server: the first run grants the missing access (additive) and only plans the destructive
// fixes; the second and third change nothing and say so. The webhook hears about the new
// findings once, not again while they persist. A second run while one holds the lock refuses.
#include <catch2/catch.hpp>

#include <mutex>

#include <nlohmann/json.hpp>

#include "tests/integration/apply_http/scim_state_api.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::FakeServer;
using rollcall::testing::ScimStateApi;
using rollcall::testing::TempDir;

namespace {

constexpr const char* kToken = "scim-run-secret-7d21";
constexpr const char* kHookKey = "hook-key-90ab";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

rollcall::testing::CliRun run_cli(const TempDir& dir, const std::string& args) {
  return rollcall::testing::run_rollcall(dir, "--workspace " + (dir / "ws").string() + " " + args,
                                         std::string("SCIM_TOKEN=") + kToken + " HOOK_KEY=" + kHookKey);
}

void write_workspace(const TempDir& dir, const std::string& scim_url, const std::string& hook_url) {
  // jane should be in Engineering and is not (additive: granted by the run); bob left and is
  // still active, raj is in Finance, which no policy gives him (destructive: only planned).
  dir.write("ws/roster.csv",
            "employee_id,email,name,department,title,role,status,manager_email,start_date,end_date\n"
            "E1,jane@acme.com,Jane Doe,Engineering,Engineer,engineer,active,,2020-01-01,\n"
            "E2,bob@acme.com,Bob Brown,Engineering,Engineer,engineer,terminated,,2020-01-01,2026-10-31\n"
            "E3,raj@acme.com,Raj Patel,Engineering,Engineer,engineer,active,,2020-01-01,\n");
  dir.write("ws/policies/eng.lua", "owner \"team-eng\"\nrole \"engineer\" { okta = { \"group:Engineering\" } }\n");
  dir.write("ws/rollcall.toml", "[roster]\ntype = \"csv\"\npath = \"roster.csv\"\n\n"
                                "[scan]\nformats = [\"json\"]\n\n"
                                "[run]\nself_heal = true\n\n"
                                "[[system]]\nname = \"okta\"\ntype = \"scim\"\nbase_url = \"" + scim_url +
                                    "\"\ntoken_env = \"SCIM_TOKEN\"\ntimeout = \"5s\"\n\n"
                                    "[[notify]]\nname = \"siem\"\ntype = \"webhook\"\nurl = \"" + hook_url +
                                    "\"\nsecret_env = \"HOOK_KEY\"\n");
}

}  // namespace

TEST_CASE("run: three runs on a drifted SCIM server - the first grants, the next two are no-ops",
          "[integration][run][scim]") {
  FakeServer server;
  ScimStateApi scim(server, kToken);
  scim.add_user({"u1", "jane@acme.com", true});
  scim.add_user({"u2", "bob@acme.com", true});
  scim.add_user({"u3", "raj@acme.com", true});
  scim.add_group({"g1", "Engineering", {"u2", "u3"}});
  scim.add_group({"g2", "Finance", {"u3"}});
  std::mutex mutex;
  std::vector<std::string> hooks;
  server.route("POST", "/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex);
    hooks.push_back(req.body);
    res.status = 204;
  });
  TempDir dir;
  write_workspace(dir, scim.base_url(), server.url() + "/hook");

  auto first = run_cli(dir, "run");
  INFO(first.out << first.err);
  CHECK(first.exit_code == 2);  // terminated_active is critical, at or above the default high
  CHECK(has(first.out, "okta: snapshot #1 complete"));
  CHECK(has(first.out, "Self-heal: applying plan "));
  CHECK(has(first.out, "+ grant okta jane@acme.com group:Engineering (member)"));
  CHECK(has(first.out, "Self-heal: 1 changed, 0 no-op, 0 conflict, 0 failed"));
  CHECK(has(first.out, "Review: 2 action(s) planned and not applied"));
  CHECK(has(first.out, "- revoke okta raj@acme.com group:Finance"));
  CHECK(has(first.out, "- disable_account okta bob@acme.com"));
  CHECK(has(first.out, "Run changed 1 thing(s) in the target systems"));
  CHECK(scim.writes() == 1);
  CHECK(scim.members("g1") == std::vector<std::string>{"u2", "u3", "u1"});
  CHECK(scim.members("g2") == std::vector<std::string>{"u3"});  // destructive: not applied
  CHECK(scim.active("u2"));
  {
    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE(hooks.size() == 1);
    const auto body = nlohmann::json::parse(hooks[0]);
    CHECK(body["scan_id"] == 1);
    CHECK(body["findings"].size() == 2);  // bob (critical), raj (high); jane's missing access is below high
  }
  CHECK(!has(first.err, kToken));
  CHECK(!has(first.err, kHookKey));

  for (int i = 2; i <= 3; ++i) {
    auto again = run_cli(dir, "run");
    INFO("run " << i << "\n" << again.out << again.err);
    CHECK(again.exit_code == 2);
    CHECK(has(again.out, "Self-heal: nothing to add; no change made"));
    CHECK(has(again.out, "Run made no change (no-op)"));
    CHECK(has(again.out, "Review: 2 action(s) planned and not applied"));
    CHECK(scim.writes() == 1);
  }
  std::lock_guard<std::mutex> lock(mutex);
  CHECK(hooks.size() == 1);  // the findings persist: no second notification
}

TEST_CASE("run: a second run while one holds the lock refuses at once and changes nothing",
          "[integration][run]") {
  FakeServer server;
  ScimStateApi scim(server, kToken);
  scim.add_user({"u1", "jane@acme.com", true});
  scim.add_group({"g1", "Engineering", {}});
  TempDir dir;
  write_workspace(dir, scim.base_url(), server.url() + "/hook");
  // flock(1) holds the lock the way a running `rollcall run` does while the second one starts.
  auto held = rollcall::testing::run_shell(
      dir, "flock " + (dir / "ws" / "rollcall.run.lock").string() + " env SCIM_TOKEN=" + kToken + " HOOK_KEY=" + kHookKey + " " +
               ROLLCALL_BINARY + " --workspace " + (dir / "ws").string() + " run </dev/null");
  INFO(held.out << held.err);
  CHECK(held.exit_code == 1);
  CHECK(held.err == "rollcall: error: another `rollcall run` is in progress on this workspace (" +
                        (dir / "ws" / "rollcall.run.lock").string() + " is locked); this run did nothing\n");
  CHECK(held.out.empty());
  CHECK(server.count("/scim/v2/Users") == 0);
  CHECK(scim.writes() == 0);
}
