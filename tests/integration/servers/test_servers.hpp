// Real PostgreSQL and OpenLDAP servers for the integration tests, started on 127.0.0.1 by
// scripts/test-servers.sh in a folder of their own and stopped (files deleted) when the
// TestServers object goes away. The test binaries start them themselves, so plain `ctest`
// works on a machine prepared with `scripts/setup.sh --with-test-deps`.
//
// shared() gives one instance per kind for the whole test binary (started on first use,
// stopped at exit); start() gives a private one, for tests that crash their server.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "connectors/api/connector.hpp"
#include "scanner/core/log.hpp"
#include "scanner/core/secret.hpp"
#include "scanner/core/time.hpp"
#include "tests/support/temp_dir.hpp"

namespace rollcall::testing {

class TestServers {
 public:
  // Starts "postgres" or "ldap". Throws std::runtime_error (with the script's message) when
  // the servers cannot be started, e.g. because the packages are missing.
  static std::unique_ptr<TestServers> start(const std::string& kind);
  // The instance of `kind` shared by the whole test binary.
  static TestServers& shared(const std::string& kind);

  ~TestServers();
  TestServers(const TestServers&) = delete;
  TestServers& operator=(const TestServers&) = delete;

  // A setting printed by the script (ROLLCALL_PG_PORT, ROLLCALL_LDAP_URL, ...). Throws when
  // the script printed no such setting.
  const std::string& get(const std::string& key) const;
  // Crashes the server (SIGKILL) without cleaning up; the destructor still does.
  void kill();

 private:
  TestServers(std::string kind, std::filesystem::path state) : kind_(std::move(kind)), state_(std::move(state)) {}
  std::string run(const std::string& command, const std::string& extra = "") const;

  std::string kind_;
  std::filesystem::path state_;
  std::map<std::string, std::string> env_;
};

// What a connector or writer test against a server needs: the server, a workspace folder, the
// given environment variables as secrets, a capturing logger, a fixed clock, a ConnectorEnv
// over them and a registry holding `type`. Tests derive their Harness from it.
struct ServerHarness {
  ServerHarness(TestServers& servers, connectors::ConnectorType type, std::map<std::string, std::string> env_vars,
                UnixTime now)
      : servers(servers),
        secrets(SecretSource::from_map(std::move(env_vars))),
        clock(now),
        env{secrets, log, clock, dir.path()} {
    registry.add(std::move(type));
  }

  TestServers& servers;
  TempDir dir;
  SecretSource secrets;
  CapturingLogger log;
  FixedClock clock;
  connectors::ConnectorEnv env;
  connectors::Registry registry;
};

// The connector type `type` with a fetch that crashes `servers` (TestServers::kill) when the
// connector emits its account number `accounts`, then carries on: for "server killed mid-read".
connectors::ConnectorType crash_after_accounts(connectors::ConnectorType type, TestServers& servers,
                                               int accounts);

}  // namespace rollcall::testing
