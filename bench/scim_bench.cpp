// scim_bench: a snapshot of a large SCIM service through the real HTTP stack.
//
// A child process serves a fake SCIM 2.0 API on 127.0.0.1 (cpp-httplib, the fake used by
// tests/integration/http) holding --users users in groups of --group-size with --memberships
// memberships in all. The parent snapshots it with the `scim` connector (CurlTransport,
// retries, SCIM paging) through take_snapshot into a real store file and prints wall time,
// requests per second, the connections the server accepted, and peak RSS of both sides.
//
// The server's own capacity for the same pages is measured with a load tool against a
// foreground server (--serve PORT), e.g. with Debian's wrk:
//
//   build/bench/scim_bench --serve 18080 &
//   wrk -t1 -c1 -d10s -H 'Authorization: Bearer bench-token' 'http://127.0.0.1:18080/scim/v2/Users?startIndex=50001&count=100'
//
// Usage: scim_bench [--users N] [--memberships N] [--group-size N] [--page-size N]
//                   [--db FILE] [--serve PORT] [--null-sink 1] [--http-only 1] [--verbose 1]
// --null-sink 1 fetches and maps everything but stores nothing; --http-only 1 only GETs the
// same pages through the same (retrying, curl) transport: the cost of each layer.
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
#include "connectors/scim/scim_connector.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/integration/http/fake_apis.hpp"

using namespace rollcall;

using namespace rollcall::bench;

namespace {

constexpr const char* kToken = "bench-token";

struct Options {
  std::size_t users = 100'000;
  std::size_t memberships = 1'000'000;
  std::size_t group_size = 500;
  int page_size = 100;
  std::string db;
  int serve_port = 0;
  bool null_sink = false;  // --null-sink: fetch and map only, nothing stored
  bool verbose = false;    // --verbose 1: the request log on stderr
  bool http_only = false;  // --http-only 1: the same GETs through the transport, no parsing
};

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// The fake SCIM API plus /stats (connections, requests, the server's peak RSS).
struct Service {
  Service(const Options& o, int port)
      : server([&] {
          testing::FakeServer::Options so;
          so.check_routes = false;
          so.threads = 8;
          so.port = port;
          return so;
        }()),
        api(server, kToken) {
    api.generate(o.users, o.memberships, o.group_size);
    api.install();
    server.get("/stats", [this](const httplib::Request&, httplib::Response& res) {
      testing::reply_json(res, "{\"connections\":" + std::to_string(server.connections()) +
                                   ",\"requests\":" + std::to_string(server.requests().size()) +
                                   ",\"peak_rss_kib\":" + std::to_string(peak_rss_kib()) + "}");
    });
  }
  testing::FakeServer server;
  testing::FakeScimApi api;
};

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "usage: scim_bench [--users N] [--memberships N] [--group-size N] [--page-size N] "
                           "[--db FILE] [--serve PORT] [--null-sink 1] [--http-only 1] [--verbose 1]\n");
      std::exit(2);
    }
    std::string v = argv[++i];
    if (a == "--users") o.users = std::stoul(v);
    else if (a == "--memberships") o.memberships = std::stoul(v);
    else if (a == "--group-size") o.group_size = std::stoul(v);
    else if (a == "--page-size") o.page_size = std::stoi(v);
    else if (a == "--db") o.db = v;
    else if (a == "--serve") o.serve_port = std::stoi(v);
    else if (a == "--null-sink") o.null_sink = v == "1";
    else if (a == "--verbose") o.verbose = v == "1";
    else if (a == "--http-only") o.http_only = v == "1";
    else {
      std::fprintf(stderr, "scim_bench: unknown option %s\n", a.c_str());
      std::exit(2);
    }
  }
  return o;
}

// Until SIGINT/SIGTERM.
int serve_foreground(const Options& o) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before the server's threads inherit the mask
  Service service(o, o.serve_port);
  std::fprintf(stderr, "scim_bench: serving %zu users, %zu memberships on %s/scim/v2 (token %s)\n", o.users,
               o.memberships, service.server.url().c_str(), kToken);
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
}

// Counts what a connector emits and keeps nothing.
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
  std::fprintf(stderr, "scim_bench: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  if (o.serve_port > 0) return serve_foreground(o);

  // The server runs in a child process so the client's RSS and CPU are its own. Fork before
  // any thread exists.
  auto server = bench::ServerChild::start([&] { return std::make_unique<Service>(o, 0); });
  if (!server) return fail_with("the fake server did not start");
  const int port = server->port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  std::filesystem::path db_path = o.db.empty() ? std::filesystem::temp_directory_path() /
                                                     ("scim_bench-" + std::to_string(getpid()) + ".db")
                                               : std::filesystem::path(o.db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path.string() + suffix);

  SecretSource secrets = SecretSource::from_map({{"SCIM_TOKEN", kToken}});
  StderrLogger log(o.verbose ? LogLevel::debug : LogLevel::warn);
  SystemClock clock;
  http::CurlTransportFactory factory;
  connectors::ConnectorEnv env{secrets, log, clock, std::filesystem::current_path()};
  env.http = &factory;
  connectors::Registry registry;
  registry.add(connectors::scim::connector_type());
  config::SystemConfig sys;
  sys.name = "idp";
  sys.type = "scim";
  sys.where = "bench";
  sys.keys = config::Table("bench", 1);
  sys.keys.set("base_url", base + "/scim/v2", 2);
  sys.keys.set("token_env", std::string("SCIM_TOKEN"), 3);
  sys.keys.set("page_size", std::int64_t{o.page_size}, 4);

  long rss_before = peak_rss_kib();
  double cpu_before = cpu_s();
  auto t0 = std::chrono::steady_clock::now();
  store::SnapshotInfo info;
  std::size_t bytes = 0;
  if (o.http_only) {
    auto transport = factory.create(http::TransportOptions{}, log, clock);
    if (!transport) return fail_with(transport.error().message());
    std::size_t groups = o.group_size == 0 ? 0 : (o.memberships + o.group_size - 1) / o.group_size;
    for (auto [path, total] : {std::pair{"/Users", o.users}, std::pair{"/Groups", groups}}) {
      for (std::size_t start = 1; start <= total; start += o.page_size) {
        http::Request r;
        r.url = base + "/scim/v2" + path + "?startIndex=" + std::to_string(start) + "&count=" + std::to_string(o.page_size);
        r.secret_headers.push_back({"Authorization", Secret(std::string("Bearer ") + kToken)});
        auto resp = (*transport)->send(r);
        if (!resp || resp->status != 200) return fail_with("GET " + r.url + " failed");
        bytes += resp->body.size();
      }
    }
    info.status = SnapshotStatus::complete;
  } else if (o.null_sink) {
    NullSink sink;
    auto connector = registry.find("scim")->create(sys, env);
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
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = cpu_s() - cpu_before;

  auto stats_transport = http::CurlTransport::create({});
  if (!stats_transport) return fail_with(stats_transport.error().message());
  http::Request stats_request;
  stats_request.url = base + "/stats";
  auto stats = (*stats_transport)->send(stats_request);
  if (!stats) return fail_with(stats.error().message());
  auto s = nlohmann::json::parse(stats->body);
  long requests = s["requests"].get<long>() - 1;        // not /stats itself
  long connections = s["connections"].get<long>() - 1;  // nor its connection

  std::printf("scim_bench: %zu users, %zu memberships, page size %d\n", o.users, o.memberships, o.page_size);
  std::printf("  snapshot %s: %lld accounts, %lld entitlements, %lld grants\n",
              std::string(to_string(info.status)).c_str(),
              static_cast<long long>(info.accounts), static_cast<long long>(info.entitlements),
              static_cast<long long>(info.grants));
  std::printf("  wall time        %.2f s (client CPU %.2f s)\n", secs, cpu);
  std::printf("  requests         %ld (%.0f per second)\n", requests, requests / secs);
  std::printf("  records          %.0f accounts+grants per second\n", (info.accounts + info.grants) / secs);
  std::printf("  connections      %ld opened on the server\n", connections);
  std::printf("  client peak RSS  %.1f MiB (%.1f MiB before the snapshot)\n", peak_rss_kib() / 1024.0,
              rss_before / 1024.0);
  std::printf("  server peak RSS  %.1f MiB (separate process)\n", s["peak_rss_kib"].get<long>() / 1024.0);
  if (o.http_only) {
    std::printf("  transferred      %.1f MiB (%.1f MiB/s), nothing parsed or stored (--http-only)\n",
                bytes / (1024.0 * 1024.0), bytes / (1024.0 * 1024.0) / secs);
  } else if (o.null_sink) {
    std::printf("  store            none (--null-sink)\n");
  } else {
    std::printf("  store file       %s, %.1f MiB\n", db_path.c_str(),
                std::filesystem::file_size(db_path) / (1024.0 * 1024.0));
  }
  return 0;
}
