// entra_bench: a snapshot of a large Entra ID tenant through the real HTTP stack.
//
// A child process serves the fake Microsoft Graph and token endpoint of tests/integration/entra
// (cpp-httplib) holding --users users, --groups groups with --memberships user memberships in
// all (every tenth group nested in the one before), and --apps enterprise apps (each with an
// app registration, an owner, an app role, one group and 20 users assigned). The parent
// snapshots it with the `entra` connector (client secret sign-in, CurlTransport, retries, OData
// paging) through take_snapshot into a real store file, and prints requests and pages, wall and
// CPU time, and peak memory of both sides.
//
// Usage: entra_bench [--users N] [--groups N] [--memberships N] [--apps N] [--page-cap N]
//                    [--db FILE] [--null-sink 1] [--verbose 1]
// --page-cap lowers the page size the fake serves below Graph's 999 (more pages, same data);
// --null-sink 1 fetches and maps everything but stores nothing.
#include <memory>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "bench/measure.hpp"
#include "bench/server_child.hpp"
#include "connectors/api/snapshot_runner.hpp"
#include "connectors/entra/entra_connector.hpp"
#include "connectors/http/curl_transport.hpp"
#include "connectors/http/transport_factory.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/integration/entra/fake_graph.hpp"

using namespace rollcall;
using namespace rollcall::bench;

namespace {

constexpr const char* kTenant = "bench.onmicrosoft.com";
constexpr const char* kClient = "bench-client";
constexpr const char* kSecret = "bench-secret";

struct Options {
  std::size_t users = 100'000;
  std::size_t groups = 5'000;
  std::size_t memberships = 1'000'000;
  std::size_t apps = 500;
  std::size_t page_cap = 999;
  std::string db;
  bool null_sink = false;
  bool verbose = false;
};

struct Service {
  Service(const Options& o)
      : server([] {
          testing::FakeServer::Options so;
          so.check_routes = false;
          so.threads = 8;
          return so;
        }()),
        graph(server, kTenant, kClient, kSecret) {
    graph.generate(o.users, o.groups, o.memberships, o.apps);
    graph.page_cap = o.page_cap;
    graph.write_routes = false;
    graph.install();
    server.get("/stats", [this](const httplib::Request&, httplib::Response& res) {
      std::size_t tokens = 0;
      for (const auto& r : server.requests()) tokens += r.method == "POST" ? 1 : 0;
      testing::reply_json(res, "{\"connections\":" + std::to_string(server.connections()) +
                                   ",\"requests\":" + std::to_string(server.requests().size()) +
                                   ",\"token_requests\":" + std::to_string(tokens) +
                                   ",\"peak_rss_mib\":" + std::to_string(peak_rss_mib()) + "}");
    });
  }
  testing::FakeServer server;
  testing::FakeGraph graph;
};

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr,
                   "usage: entra_bench [--users N] [--groups N] [--memberships N] [--apps N] [--page-cap N] "
                   "[--db FILE] [--null-sink 1] [--verbose 1]\n");
      std::exit(2);
    }
    std::string v = argv[++i];
    if (a == "--users")
      o.users = std::stoul(v);
    else if (a == "--groups")
      o.groups = std::stoul(v);
    else if (a == "--memberships")
      o.memberships = std::stoul(v);
    else if (a == "--apps")
      o.apps = std::stoul(v);
    else if (a == "--page-cap")
      o.page_cap = std::stoul(v);
    else if (a == "--db")
      o.db = v;
    else if (a == "--null-sink")
      o.null_sink = v == "1";
    else if (a == "--verbose")
      o.verbose = v == "1";
    else {
      std::fprintf(stderr, "entra_bench: unknown option %s\n", a.c_str());
      std::exit(2);
    }
  }
  return o;
}

struct NullSink final : RecordSink {
  std::int64_t accounts = 0, entitlements = 0, grants = 0;
  Result<void> account(const Account&) override {
    ++accounts;
    return {};
  }
  Result<void> entitlement(const Entitlement&) override {
    ++entitlements;
    return {};
  }
  Result<void> grant(const Grant&) override {
    ++grants;
    return {};
  }
  Result<void> credential(const Credential&) override { return {}; }
};

int fail_with(const std::string& message) {
  std::fprintf(stderr, "entra_bench: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  signal(SIGPIPE, SIG_IGN);

  // The server runs in a child process so the client's memory and CPU are its own. Fork before
  // any thread exists.
  auto server = bench::ServerChild::start([&] { return std::make_unique<Service>(o); });
  if (!server) return fail_with("the fake server did not start");
  const int port = server->port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  std::filesystem::path db_path =
      o.db.empty() ? std::filesystem::temp_directory_path() / ("entra_bench-" + std::to_string(getpid()) + ".db")
                   : std::filesystem::path(o.db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path.string() + suffix);

  SecretSource secrets = SecretSource::from_map({{"ENTRA_SECRET", kSecret}});
  StderrLogger log(o.verbose ? LogLevel::debug : LogLevel::warn);
  SystemClock clock;
  http::CurlTransportFactory factory;
  connectors::ConnectorEnv env{secrets, log, clock, std::filesystem::current_path()};
  env.http = &factory;
  connectors::Registry registry;
  registry.add(connectors::entra::connector_type());
  config::SystemConfig sys;
  sys.name = "entra";
  sys.type = "entra";
  sys.where = "bench";
  sys.keys = config::Table("bench", 1);
  sys.keys.set("tenant", std::string(kTenant), 2);
  sys.keys.set("client_id", std::string(kClient), 3);
  sys.keys.set("client_secret_env", std::string("ENTRA_SECRET"), 4);
  sys.keys.set("authority", base, 5);
  sys.keys.set("graph_url", base, 6);

  const long rss_before = peak_rss_mib();
  const double cpu_before = cpu_s();
  const double t0 = now_s();
  store::SnapshotInfo info;
  if (o.null_sink) {
    NullSink sink;
    auto connector = registry.find("entra")->create(sys, env);
    if (!connector) return fail_with(connector.error().message());
    if (auto r = (*connector)->fetch(sink); !r) return fail_with(r.error().message());
    info.status = SnapshotStatus::complete;
    info.accounts = sink.accounts;
    info.entitlements = sink.entitlements;
    info.grants = sink.grants;
  } else {
    auto db = store::Database::open(db_path);
    if (!db) return fail_with(db.error().message());
    store::SnapshotStore store(**db);
    auto outcome = connectors::take_snapshot(sys, registry, env, store);
    if (!outcome) return fail_with(outcome.error().message());
    if (outcome->error) return fail_with(outcome->error->message());
    info = outcome->info;
  }
  const double secs = now_s() - t0;
  const double cpu = cpu_s() - cpu_before;

  auto stats_transport = http::CurlTransport::create({});
  if (!stats_transport) return fail_with(stats_transport.error().message());
  http::Request stats_request;
  stats_request.url = base + "/stats";
  auto stats = (*stats_transport)->send(stats_request);
  if (!stats) return fail_with(stats.error().message());
  auto s = nlohmann::json::parse(stats->body);
  const long requests = s["requests"].get<long>() - 1;  // not /stats itself
  const long tokens = s["token_requests"].get<long>();

  std::printf("entra_bench: %zu users, %zu groups, %zu memberships, %zu apps, pages of up to %zu\n", o.users, o.groups,
              o.memberships, o.apps, o.page_cap);
  std::printf("  snapshot %s: %lld accounts, %lld entitlements, %lld grants\n",
              std::string(to_string(info.status)).c_str(), static_cast<long long>(info.accounts),
              static_cast<long long>(info.entitlements), static_cast<long long>(info.grants));
  std::printf("  requests         %ld: %ld token, %ld Graph pages (%.0f per second)\n", requests, tokens,
              requests - tokens, requests / secs);
  std::printf("  wall time        %.2f s (client CPU %.2f s)\n", secs, cpu);
  std::printf("  client peak RSS  %ld MiB (%ld MiB before the snapshot)\n", peak_rss_mib(), rss_before);
  std::printf("  server peak RSS  %ld MiB (separate process)\n", s["peak_rss_mib"].get<long>());
  if (o.null_sink) {
    std::printf("  store            none (--null-sink)\n");
  } else {
    std::printf("  store file       %s, %.1f MiB\n", db_path.c_str(),
                std::filesystem::file_size(db_path) / (1024.0 * 1024.0));
  }
  return 0;
}
