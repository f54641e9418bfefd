#include <catch2/catch.hpp>

#include "connectors/api/name_patterns.hpp"

using rollcall::connectors::NameCase;
using rollcall::connectors::NamePatterns;

TEST_CASE("name patterns: * and ? match runs and single characters of the whole name",
          "[connector][patterns]") {
  NamePatterns p({"pg_*", "svc_?", "app"});
  CHECK(p.matches("pg_monitor"));
  CHECK(p.matches("pg_"));
  CHECK(p.matches("svc_a"));
  CHECK_FALSE(p.matches("svc_ab"));
  CHECK(p.matches("app"));
  CHECK_FALSE(p.matches("app2"));
  CHECK_FALSE(p.matches("xpg_monitor"));
  CHECK(NamePatterns({"*@*"}).matches("carol@example.com"));
  CHECK_FALSE(NamePatterns({"*@*"}).matches("carol"));
  CHECK(NamePatterns({"a*b*c"}).matches("aXbYbZc"));
  CHECK_FALSE(NamePatterns({"a*b*c"}).matches("aXbYbZ"));
  CHECK(NamePatterns({"*"}).matches(""));
}

TEST_CASE("name patterns: an empty list matches nothing", "[connector][patterns]") {
  NamePatterns none;
  CHECK(none.empty());
  CHECK_FALSE(none.matches("anything"));
}

TEST_CASE("name patterns: case-insensitive lists ignore case on both sides",
          "[connector][patterns]") {
  NamePatterns p({"Domain Admins", "enterprise*"}, NameCase::insensitive);
  CHECK(p.matches("domain admins"));
  CHECK(p.matches("Enterprise Admins"));
  CHECK_FALSE(NamePatterns({"Domain Admins"}).matches("domain admins"));
}

TEST_CASE("name patterns: literal patterns name one thing", "[connector][patterns]") {
  CHECK(NamePatterns::is_literal("app"));
  CHECK_FALSE(NamePatterns::is_literal("app*"));
  CHECK_FALSE(NamePatterns::is_literal("ap?"));
}
