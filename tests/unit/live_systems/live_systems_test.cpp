// The documented PostgreSQL, LDAP and Jira configurations stay true: the example fragment loads
// and builds its connectors. (That docs/ names every key: tests/unit/docs/.)
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "connectors/api/connector.hpp"
#include "connectors/http/transport_factory.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using rollcall::testing::TempDir;

namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("examples: rollcall.live-systems.toml loads and builds its postgres, ldap and jira systems",
          "[connector][postgres][ldap][jira]") {
  connectors::Registry registry;
  connectors::register_builtin_connectors(registry);
  TempDir dir;
  dir.write("rollcall.toml",
            "[roster]\npath = \"roster.csv\"\n" +
                read_text(testing::source_dir() / "examples/acme/rollcall.live-systems.toml"));
  dir.write("secrets/ldap-bind-password", "bind-secret\n");
  auto cfg = config::load_workspace(dir.path(), registry.key_lookup(), registry.names());
  REQUIRE(cfg.ok());

  auto secrets = SecretSource::from_map({{"ROLLCALL_PG_PASSWORD", "pg"},
                                         {"ROLLCALL_AD_PASSWORD", "ad"},
                                         {"ROLLCALL_JIRA_TOKEN", "jira"},
                                         {"ROLLCALL_ATLASSIAN_ORG_KEY", "org"}});
  NullLogger log;
  FixedClock clock(0);
  connectors::ConnectorEnv env{secrets, log, clock, dir.path()};
  http::CurlTransportFactory http_factory;  // builds transports; nothing is sent
  env.http = &http_factory;
  int built = 0;
  for (const auto& sys : cfg->systems) {
    if (sys.type != "postgres" && sys.type != "ldap" && sys.type != "jira") continue;
    INFO(sys.name);
    auto connector = registry.find(sys.type)->create(sys, env);
    INFO((connector ? std::string() : connector.error().message()));
    CHECK(connector.ok());
    ++built;
  }
  CHECK(built == 4);
}
