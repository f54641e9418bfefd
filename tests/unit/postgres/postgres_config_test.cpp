// The postgres connector's configuration: the dsn and the password by reference. No server.
#include <catch2/catch.hpp>

#include "connectors/postgres/pg_connection.hpp"
#include "connectors/postgres/postgres_connector.hpp"
#include "tests/fakes/system_config.hpp"

using namespace rollcall;
using rollcall::connectors::postgres::ConnInfo;
using rollcall::testing::TempDir;

namespace {

struct Fixture {
  Fixture() : secrets(SecretSource::from_map({{"PG_PASSWORD", "s3cret"}})), env{secrets, log, clock, dir.path()} {
    registry.add(connectors::postgres::connector_type());
  }
  // The error of loading and creating a system with these keys, "" on success.
  std::string error(const std::string& keys) {
    auto sys = testing::load_system(dir, registry, "[[system]]\nname = \"pg\"\ntype = \"postgres\"\n" + keys);
    if (!sys) return sys.error().message();
    auto c = registry.find("postgres")->create(*sys, env);
    return c ? "" : c.error().message();
  }
  std::string file() const { return (dir.path() / "rollcall.toml").string(); }

  TempDir dir;
  SecretSource secrets;
  CapturingLogger log;
  FixedClock clock{0};
  connectors::ConnectorEnv env;
  connectors::Registry registry;
};

}  // namespace

TEST_CASE("postgres config: a dsn in either libpq form is accepted, its keywords kept",
          "[connector][postgres]") {
  auto kv = ConnInfo::parse("host=db.internal port=5433 dbname=app user=rollcall sslmode=verify-full");
  REQUIRE(kv.ok());
  CHECK(kv->value("host") == "db.internal");
  CHECK(kv->value("port") == "5433");
  CHECK(kv->value("sslmode") == "verify-full");
  CHECK(kv->value("password") == "");
  auto uri = ConnInfo::parse("postgresql://rollcall@db.internal:5433/app?sslmode=require");
  REQUIRE(uri.ok());
  CHECK(uri->value("user") == "rollcall");
  CHECK(uri->value("dbname") == "app");
  CHECK(uri->value("sslmode") == "require");
}

TEST_CASE("postgres config: a password in the dsn is refused without repeating it",
          "[connector][postgres]") {
  for (const char* dsn : {"host=db user=rollcall password=hunter2",
                          "postgresql://rollcall:hunter2@db/app"}) {
    auto r = ConnInfo::parse(dsn);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() ==
          "dsn must not contain a password: put it in password_env or password_file");
  }
  auto bad = ConnInfo::parse("host=db password hunter2");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message() ==
        "dsn is not a valid libpq connection string, and seems to contain a password: put the "
        "password in password_env or password_file");
}

TEST_CASE("postgres config: a malformed dsn fails with libpq's reason", "[connector][postgres]") {
  auto r = ConnInfo::parse("host=db colour=blue");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() ==
        "dsn is not a valid libpq connection string: invalid connection option \"colour\"");
}

TEST_CASE("postgres config: errors name the file, line and key", "[connector][postgres]") {
  Fixture f;
  CHECK(f.error("dsn = \"host=db user=r password=x\"\n") ==
        f.file() + ":6: dsn must not contain a password: put it in password_env or password_file");
  CHECK(f.error("dsn = \"host=db\"\npassword_env = \"PG_PASSWORD\"\npassword_file = \"pw.txt\"\n") ==
        f.file() + ":8: set password_env or password_file, not both");
  CHECK(f.error("dsn = \"host=db\"\npassword_env = \"UNSET_VARIABLE\"\n") ==
        f.file() + ":7: environment variable UNSET_VARIABLE is not set");
  CHECK(f.error("dsn = \"host=db\"\ndatabases = []\n") ==
        f.file() + ":7: databases must name at least one database");
  CHECK(f.error("dsn = \"host=db\"\nignore_role = [\"x\"]\n") ==
        f.file() + ":7: unknown key \"ignore_role\" in system \"pg\" (did you mean \"ignore_roles\"?)");
  CHECK(f.error("dsn = \"host=db\"\npassword_env = \"PG_PASSWORD\"\ndatabases = \"*\"\n"
                "schemas = [\"public\", \"sales_*\"]\nignore_roles = [\"pg_*\"]\n"
                "human_roles = [\"*\"]\ntimeout = \"30s\"\n") == "");
}
