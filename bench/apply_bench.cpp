// Apply benchmark: N grant actions (default 2,000) into one SCIM group, applied through the real
// SCIM writer and curl transport against the stateful fake SCIM server of the apply tests
// (in-process, 127.0.0.1), journaled into an on-disk store. Three runs:
//   first     read, write, verify-read and two journal commits per action;
//   rerun     the same plan again: the journal short-cuts every action (no request);
//   re-read   the same plan with an empty journal: one live read per action, no write.
// Each scenario runs twice: membership read from the group's whole member list (the default; the
// group grows to N members, so one big group costs O(N^2)), then with member_filter = true (one
// filtered read per action). Prints wall and CPU time, requests, actions/s and peak memory;
// asserts nothing.
//
//   build/bench/apply_bench [actions]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/measure.hpp"
#include "connectors/http/transport_factory.hpp"
#include "connectors/scim/scim_connector.hpp"
#include "scanner/plan/apply.hpp"
#include "tests/integration/apply_http/scim_state_api.hpp"

using namespace rollcall;

using namespace rollcall::bench;

namespace {

config::SystemConfig scim_system(const std::string& base_url, bool member_filter) {
  config::SystemConfig s;
  s.name = "okta";
  s.type = "scim";
  s.where = "rollcall.toml:1";
  s.keys = config::Table("rollcall.toml", 1);
  s.keys.set("name", std::string("okta"), 2);
  s.keys.set("type", std::string("scim"), 3);
  s.keys.set("base_url", base_url, 4);
  s.keys.set("token_env", std::string("SCIM_TOKEN"), 5);
  s.keys.set("member_filter", member_filter, 6);
  return s;
}

// One scenario on a fresh server and store.
int scenario(int n, bool member_filter) {
  testing::FakeServer server(testing::FakeServer::Options{16, 0, false});
  testing::ScimStateApi scim(server, "bench-token");
  plan::Plan p;
  p.id = "bench";
  for (int i = 0; i < n; ++i) {
    const std::string id = "u" + std::to_string(i);
    scim.add_user({id, "user" + std::to_string(i) + "@acme.com", true});
    plan::Action a;
    a.id = "a" + std::to_string(i);
    a.type = plan::ActionType::grant;
    a.system = "okta";
    a.account_id = id;
    a.entitlement_id = "group:Engineering";
    a.before = "absent";
    a.after = "member";
    p.actions.push_back(a);
  }
  scim.add_group({"g1", "Engineering", {}});

  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "rollcall-apply-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto db = store::Database::open(dir / "rollcall.db");
  auto fresh_db = store::Database::open(dir / "fresh.db");
  if (!db || !fresh_db) {
    std::fprintf(stderr, "cannot open the store in %s\n", dir.c_str());
    return 1;
  }

  http::CurlTransportFactory factory;
  NullLogger log;
  SystemClock clock;
  SecretSource secrets = SecretSource::from_map({{"SCIM_TOKEN", "bench-token"}});
  connectors::ConnectorEnv env{secrets, log, clock, dir};
  env.http = &factory;
  auto writer = connectors::scim::connector_type().create_writer(scim_system(scim.base_url(), member_filter), env);
  if (!writer) {
    std::fprintf(stderr, "%s\n", writer.error().message().c_str());
    return 1;
  }
  auto lookup = [&](const std::string&) -> Result<connectors::Writer*> { return writer->get(); };

  std::printf("apply_bench: %d grant actions into one SCIM group, journal on disk, membership read by %s\n", n,
              member_filter ? "a members[value eq] filter (member_filter = true)" : "the group's member list");
  auto run = [&](const char* label, store::Database& journal_db) {
    const std::size_t requests_before = server.requests().size();
    const double t0 = now_s(), c0 = cpu_s();
    auto reports = plan::apply_plan(p, journal_db, lookup, plan::ApplyOptions{}, {});
    const double secs = now_s() - t0, cpu = cpu_s() - c0;
    if (!reports) {
      std::fprintf(stderr, "%s: %s\n", label, reports.error().message().c_str());
      std::exit(1);
    }
    int changed = 0;
    for (const auto& r : *reports) changed += r.outcome == plan::Outcome::done ? 1 : 0;
    std::printf("%-8s wall %.2fs (cpu %.2fs, client + fake server)  %.0f actions/s  %d changed  %zu requests  peak RSS %ld MiB\n",
                label, secs, cpu, n / secs, changed, server.requests().size() - requests_before, peak_rss_mib());
  };
  run("first", **db);
  run("rerun", **db);
  run("re-read", **fresh_db);
  std::printf("server writes %d, group members %zu\n", scim.writes(), scim.members("g1").size());
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (int rc = scenario(n, false); rc != 0) return rc;
  return scenario(n, true);
}
