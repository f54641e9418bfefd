// okta_bench: a snapshot of a large Okta org through the real HTTP stack and the okta connector.
//
// A child process serves FakeOkta (tests/integration/okta) on 127.0.0.1 with --users users,
// --groups groups holding --memberships memberships in all, and --apps apps (each assigned to
// two groups and ten users directly), plus five super admins. The parent snapshots it through
// take_snapshot into a real store file (CurlTransport, retries, Okta's Link paging) and prints
// the requests and list pages the connector made, wall and CPU time, and peak RSS of both sides.
//
// Usage: okta_bench [--users N] [--groups N] [--memberships N] [--apps N] [--db FILE]
//                   [--concurrency N] [--verbose 1]
#include <memory>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/measure.hpp"
#include "bench/server_child.hpp"
#include "connectors/api/snapshot_runner.hpp"
#include "connectors/http/curl_transport.hpp"
#include "connectors/http/transport_factory.hpp"
#include "connectors/okta/okta_connector.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/integration/okta/fake_okta.hpp"

using namespace rollcall;
using namespace rollcall::bench;

namespace {

constexpr const char* kToken = "bench-okta-token";

struct Options {
  std::size_t users = 100'000;
  std::size_t groups = 5'000;
  std::size_t memberships = 1'000'000;
  std::size_t apps = 500;
  int concurrency = 4;
  std::string db;
  bool verbose = false;
};

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

struct Service {
  Service(const Options& o)
      : server([] {
          testing::FakeServer::Options so;
          so.check_routes = false;
          so.threads = 8;
          return so;
        }()),
        okta(server, kToken) {
    okta.per_user_routes = false;
    okta.generate(o.users, o.groups, o.memberships, o.apps);
    okta.install();
    server.get("/stats", [this](const httplib::Request&, httplib::Response& res) {
      long pages = 0;
      auto seen = server.requests();
      for (const auto& r : seen) pages += r.query.find("limit=") != std::string::npos ? 1 : 0;
      testing::reply_json(res, "{\"requests\":" + std::to_string(seen.size()) + ",\"pages\":" + std::to_string(pages) +
                                   ",\"connections\":" + std::to_string(server.connections()) +
                                   ",\"peak_rss_kib\":" + std::to_string(peak_rss_kib()) + "}");
    });
  }
  testing::FakeServer server;
  testing::FakeOkta okta;
};

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "usage: okta_bench [--users N] [--groups N] [--memberships N] [--apps N] [--db FILE] "
                           "[--concurrency N] [--verbose 1]\n");
      std::exit(2);
    }
    std::string v = argv[++i];
    if (a == "--users") o.users = std::stoul(v);
    else if (a == "--groups") o.groups = std::stoul(v);
    else if (a == "--memberships") o.memberships = std::stoul(v);
    else if (a == "--apps") o.apps = std::stoul(v);
    else if (a == "--concurrency") o.concurrency = std::stoi(v);
    else if (a == "--db") o.db = v;
    else if (a == "--verbose") o.verbose = v == "1";
    else {
      std::fprintf(stderr, "okta_bench: unknown option %s\n", a.c_str());
      std::exit(2);
    }
  }
  return o;
}

int fail_with(const std::string& message) {
  std::fprintf(stderr, "okta_bench: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  signal(SIGPIPE, SIG_IGN);

  // The server runs in a child process so the client's RSS and CPU are its own. Fork before
  // any thread exists.
  const double setup0 = now_s();
  auto server = bench::ServerChild::start([&] { return std::make_unique<Service>(o); });
  if (!server) return fail_with("the fake server did not start");
  const int port = server->port();
  const double setup_s = now_s() - setup0;
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  std::filesystem::path db_path = o.db.empty() ? std::filesystem::temp_directory_path() /
                                                     ("okta_bench-" + std::to_string(getpid()) + ".db")
                                               : std::filesystem::path(o.db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path.string() + suffix);

  SecretSource secrets = SecretSource::from_map({{"OKTA_TOKEN", kToken}});
  StderrLogger log(o.verbose ? LogLevel::debug : LogLevel::warn);
  SystemClock clock;
  http::CurlTransportFactory factory;
  connectors::ConnectorEnv env{secrets, log, clock, std::filesystem::current_path()};
  env.http = &factory;
  connectors::Registry registry;
  registry.add(connectors::okta::connector_type());
  config::SystemConfig sys;
  sys.name = "okta";
  sys.type = "okta";
  sys.where = "bench";
  sys.timeout_s = 60;
  sys.keys = config::Table("bench", 1);
  sys.keys.set("base_url", base, 2);
  sys.keys.set("token_env", std::string("OKTA_TOKEN"), 3);
  sys.keys.set("concurrency", std::int64_t{o.concurrency}, 4);

  const long rss_before = peak_rss_kib();
  const double cpu0 = cpu_s();
  const double t0 = now_s();
  auto db = store::Database::open(db_path);
  if (!db) return fail_with(db.error().message());
  store::SnapshotStore store(**db);
  auto outcome = connectors::take_snapshot(sys, registry, env, store);
  if (!outcome) return fail_with(outcome.error().message());
  if (outcome->error) return fail_with(outcome->error->message());
  const store::SnapshotInfo info = outcome->info;
  const double secs = now_s() - t0;
  const double cpu = cpu_s() - cpu0;

  auto stats_transport = http::CurlTransport::create({});
  if (!stats_transport) return fail_with(stats_transport.error().message());
  http::Request stats_request;
  stats_request.url = base + "/stats";
  auto stats = (*stats_transport)->send(stats_request);
  if (!stats) return fail_with(stats.error().message());
  auto s = nlohmann::json::parse(stats->body);
  const long requests = s["requests"].get<long>() - 1;  // not /stats itself
  const long pages = s["pages"].get<long>();

  std::printf("okta_bench: %zu users, %zu groups, %zu memberships, %zu apps (fake set up in %.1f s)\n", o.users,
              o.groups, o.memberships, o.apps, setup_s);
  std::printf("  snapshot %s: %lld accounts, %lld entitlements, %lld grants\n",
              std::string(to_string(info.status)).c_str(), static_cast<long long>(info.accounts),
              static_cast<long long>(info.entitlements), static_cast<long long>(info.grants));
  std::printf("  requests         %ld (%ld list pages, %ld single GETs), %.0f per second\n", requests, pages,
              requests - pages, requests / secs);
  std::printf("  wall time        %.2f s (client CPU %.2f s)\n", secs, cpu);
  std::printf("  client peak RSS  %.1f MiB (%.1f MiB before the snapshot)\n", peak_rss_kib() / 1024.0,
              rss_before / 1024.0);
  std::printf("  server peak RSS  %.1f MiB (separate process)\n", s["peak_rss_kib"].get<long>() / 1024.0);
  std::printf("  store file       %s, %.1f MiB\n", db_path.c_str(),
              std::filesystem::file_size(db_path) / (1024.0 * 1024.0));
  return 0;
}
