// aws_iam_bench: snapshots of a large AWS account through the real HTTP stack, the SigV4 signer
// and the aws-iam connector, once reading credentials per user and per key and once through the
// credential report.
//
// A child process serves FakeIam (tests/integration/aws) on 127.0.0.1 with --users users, --keys
// access keys spread evenly over them (half of them used, every fourth inactive), --groups groups
// and --roles roles (each trusting one user and ec2), pages of up to 1,000 items as IAM allows.
// The parent snapshots it through take_snapshot into a real store file, and prints per mode the
// requests made, wall and CPU time, and peak RSS.
//
// Usage: aws_iam_bench [--users N] [--keys N] [--groups N] [--roles N] [--concurrency N] [--verbose 1]
#include <memory>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/measure.hpp"
#include "bench/server_child.hpp"
#include "connectors/api/snapshot_runner.hpp"
#include "connectors/aws_iam/aws_iam_connector.hpp"
#include "connectors/http/curl_transport.hpp"
#include "connectors/http/transport_factory.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/integration/aws/fake_iam.hpp"

using namespace rollcall;
using namespace rollcall::bench;

namespace {

struct Options {
  std::size_t users = 5'000;
  std::size_t keys = 20'000;
  std::size_t groups = 50;
  std::size_t roles = 500;
  int concurrency = 4;
  bool verbose = false;
};

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

struct Service {
  explicit Service(const Options& o)
      : server([] {
          testing::FakeServer::Options so;
          so.check_routes = false;
          so.threads = 8;
          return so;
        }()),
        iam(server) {
    iam.generate(o.users, o.users == 0 ? 0 : o.keys / o.users, o.groups, o.roles);
    iam.max_page = 1000;
    iam.install();
    server.get("/stats", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content("{\"requests\":" + std::to_string(iam.requests()) + ",\"peak_rss_kib\":" +
                          std::to_string(peak_rss_kib()) + "}",
                      "application/json");
    });
  }
  testing::FakeServer server;
  testing::FakeIam iam;
};

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "usage: aws_iam_bench [--users N] [--keys N] [--groups N] [--roles N] [--concurrency N] "
                           "[--verbose 1]\n");
      std::exit(2);
    }
    std::string v = argv[++i];
    if (a == "--users") o.users = std::stoul(v);
    else if (a == "--keys") o.keys = std::stoul(v);
    else if (a == "--groups") o.groups = std::stoul(v);
    else if (a == "--roles") o.roles = std::stoul(v);
    else if (a == "--concurrency") o.concurrency = std::stoi(v);
    else if (a == "--verbose") o.verbose = v == "1";
    else {
      std::fprintf(stderr, "aws_iam_bench: unknown option %s\n", a.c_str());
      std::exit(2);
    }
  }
  return o;
}

int fail_with(const std::string& message) {
  std::fprintf(stderr, "aws_iam_bench: %s\n", message.c_str());
  return 1;
}

struct Stats {
  long requests = 0;
  long server_rss_kib = 0;
};

Result<Stats> stats(const std::string& base) {
  RC_ASSIGN(auto transport, http::CurlTransport::create({}));
  http::Request r;
  r.url = base + "/stats";
  RC_ASSIGN(http::Response resp, transport->send(r));
  auto j = nlohmann::json::parse(resp.body);
  return Stats{j["requests"].get<long>(), j["peak_rss_kib"].get<long>()};
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  signal(SIGPIPE, SIG_IGN);

  // The server runs in a child process so the client's RSS and CPU are its own. Fork before
  // any thread exists.
  auto server = bench::ServerChild::start([&] { return std::make_unique<Service>(o); });
  if (!server) return fail_with("the fake server did not start");
  const int port = server->port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  SecretSource secrets = SecretSource::from_map({{"AWS_KEY_ID", "AKIDBENCH"}, {"AWS_SECRET", "bench-secret"}});
  StderrLogger log(o.verbose ? LogLevel::debug : LogLevel::warn);
  SystemClock clock;
  http::CurlTransportFactory factory;
  connectors::ConnectorEnv env{secrets, log, clock, std::filesystem::current_path()};
  env.http = &factory;
  connectors::Registry registry;
  registry.add(connectors::aws_iam::connector_type());

  std::printf("aws_iam_bench: %zu users, %zu access keys, %zu groups, %zu roles; concurrency %d\n", o.users, o.keys,
              o.groups, o.roles, o.concurrency);
  for (bool report : {false, true}) {
    config::SystemConfig sys;
    sys.name = "aws";
    sys.type = "aws-iam";
    sys.where = "bench";
    sys.timeout_s = 60;
    sys.keys = config::Table("bench", 1);
    sys.keys.set("endpoint", base, 2);
    sys.keys.set("access_key_id_env", std::string("AWS_KEY_ID"), 3);
    sys.keys.set("secret_access_key_env", std::string("AWS_SECRET"), 4);
    sys.keys.set("concurrency", std::int64_t{o.concurrency}, 5);
    sys.keys.set("credential_report", report, 6);

    auto db_path = std::filesystem::temp_directory_path() /
                   ("aws_iam_bench-" + std::to_string(getpid()) + (report ? "-report" : "") + ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path.string() + suffix);
    auto before = stats(base);
    if (!before) return fail_with(before.error().message());
    const double cpu0 = cpu_s();
    const double t0 = now_s();
    auto db = store::Database::open(db_path);
    if (!db) return fail_with(db.error().message());
    store::SnapshotStore store(**db);
    auto outcome = connectors::take_snapshot(sys, registry, env, store);
    if (!outcome) return fail_with(outcome.error().message());
    if (outcome->error) return fail_with(outcome->error->message());
    const double secs = now_s() - t0;
    const double cpu = cpu_s() - cpu0;
    auto after = stats(base);
    if (!after) return fail_with(after.error().message());
    const long requests = after->requests - before->requests;
    const store::SnapshotInfo& info = outcome->info;
    std::printf("  %s\n", report ? "credential_report = true" : "per user and per key (the default)");
    std::printf("    snapshot %s: %lld accounts, %lld entitlements, %lld grants\n",
                std::string(to_string(info.status)).c_str(), static_cast<long long>(info.accounts),
                static_cast<long long>(info.entitlements), static_cast<long long>(info.grants));
    std::printf("    requests         %ld, %.0f per second\n", requests, requests / secs);
    std::printf("    wall time        %.2f s (client CPU %.2f s)\n", secs, cpu);
    std::printf("    client peak RSS  %.1f MiB (whole run so far)\n", peak_rss_kib() / 1024.0);
    std::printf("    server peak RSS  %.1f MiB (separate process)\n", after->server_rss_kib / 1024.0);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path.string() + suffix);
  }
  return 0;
}
