// Snapshot ingest benchmark: a generated `file` export (default 100k accounts, 2M grants)
// through the file connector into a fresh store, end to end, then again (the unchanged path).
// Prints throughput and peak memory; asserts nothing.
//
//   build/bench/ingest_bench [accounts] [grants] [workdir]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/measure.hpp"
#include "connectors/api/snapshot_runner.hpp"
#include "scanner/store/snapshot_store.hpp"

using namespace rollcall;

using namespace rollcall::bench;

namespace {

void generate(const std::filesystem::path& path, long accounts, long grants) {
  std::ofstream out(path);
  out << "{\n\"exported_at\": \"2026-11-01T00:00:00Z\",\n\"accounts\": [\n";
  for (long i = 0; i < accounts; ++i) {
    out << (i ? ",\n" : "") << R"({"id":"u-)" << i << R"(","login":"user)" << i
        << R"(","email":"user)" << i << R"(@acme.com","display_name":"User )" << i
        << R"(","status":")" << (i % 97 == 0 ? "suspended" : "active")
        << R"(","last_login":"2026-10-)" << (1 + i % 28 < 10 ? "0" : "") << 1 + i % 28
        << R"(T08:00:00Z","attrs":{"mfa":)" << (i % 5 ? "true" : "false") << "}}";
  }
  out << "\n],\n\"entitlements\": [\n";
  const long kEntitlements = 2000;
  for (long e = 0; e < kEntitlements; ++e) {
    out << (e ? ",\n" : "") << R"({"id":"group:g)" << e << R"(","privileged":)" << (e % 50 ? "false" : "true") << "}";
  }
  out << "\n],\n\"grants\": [\n";
  for (long g = 0; g < grants; ++g) {
    long account = g % accounts;
    long ent = (g / accounts * 37 + account * 13) % kEntitlements;
    out << (g ? ",\n" : "") << R"({"account":"u-)" << account << R"(","entitlement":"group:g)" << ent
        << R"(","level":")" << (g % 11 ? "member" : "admin") << R"("})";
  }
  out << "\n]\n}\n";
}

}  // namespace

int main(int argc, char** argv) {
  long accounts = argc > 1 ? std::atol(argv[1]) : 100'000;
  long grants = argc > 2 ? std::atol(argv[2]) : 2'000'000;
  std::filesystem::path dir = argc > 3 ? argv[3] : std::filesystem::temp_directory_path() / "rollcall-ingest-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto export_path = dir / "export.json";

  double t0 = now_s();
  generate(export_path, accounts, grants);
  std::printf("generated %ld accounts, %ld grants: %.1f MiB in %.1fs\n", accounts, grants,
              std::filesystem::file_size(export_path) / 1048576.0, now_s() - t0);

  auto db = store::Database::open(dir / "rollcall.db");
  if (!db) {
    std::fprintf(stderr, "%s\n", db.error().message().c_str());
    return 1;
  }
  store::SnapshotStore store(**db);
  connectors::Registry registry;
  connectors::register_builtin_connectors(registry);
  config::SystemConfig sys;
  sys.name = "bench";
  sys.type = "file";
  sys.keys.set("path", export_path.string(), 1);
  SecretSource secrets = SecretSource::from_map({});
  NullLogger log;
  SystemClock clock;
  connectors::ConnectorEnv env{secrets, log, clock, dir};

  for (const char* label : {"first snapshot", "unchanged re-snapshot"}) {
    double t = now_s();
    double c = cpu_s();
    auto outcome = connectors::take_snapshot(sys, registry, env, store);
    double secs = now_s() - t;
    double cpu = cpu_s() - c;
    if (!outcome || outcome->error) {
      std::fprintf(stderr, "snapshot failed: %s\n",
                   outcome ? outcome->error->message().c_str() : outcome.error().message().c_str());
      return 1;
    }
    std::printf("%-22s wall %.2fs (cpu %.2fs)  %.0f grants/s  %.0f grants/cpu-s  peak RSS %ld MiB  db %.1f MiB%s\n",
                label, secs, cpu, outcome->info.grants / secs, outcome->info.grants / cpu, peak_rss_mib(),
                std::filesystem::file_size(dir / "rollcall.db") / 1048576.0,
                outcome->info.unchanged() ? "  (unchanged: no data stored)" : "");
  }
  if (std::getenv("ROLLCALL_BENCH_KEEP") == nullptr) std::filesystem::remove_all(dir);
  return 0;
}
