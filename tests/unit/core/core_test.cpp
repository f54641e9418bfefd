#include <catch2/catch.hpp>

#include "scanner/core/digest.hpp"
#include "scanner/core/model.hpp"
#include "scanner/core/result.hpp"
#include "scanner/core/secret.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/core/time.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;

TEST_CASE("time: ISO 8601 dates and times parse to UTC seconds", "[core]") {
  CHECK(*parse_iso8601("1970-01-01") == 0);
  CHECK(*parse_iso8601("2026-10-01T12:00:00Z") == 1790856000);
  CHECK(*parse_iso8601("2026-10-01T14:00:00+02:00") == 1790856000);
  CHECK(*parse_iso8601("2026-10-01T12:00:00.123Z") == 1790856000);
  CHECK(*parse_iso8601("2024-02-29") == 1709164800);
  CHECK(format_iso8601(1790856000) == "2026-10-01T12:00:00Z");
  CHECK(format_date(1790856000) == "2026-10-01");
}

TEST_CASE("time: malformed dates are rejected quoting the text", "[core]") {
  for (const char* bad : {"", "2026-13-01", "2026-02-30", "2023-02-29", "01/10/2026", "2026-10-01T25:00:00Z",
                          "2026-10-01Tnoon", "2026-10-01T12:00:00Zjunk"}) {
    auto r = parse_iso8601(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == std::string("invalid date/time ") + quote(bad) + " (expected ISO 8601)");
  }
}

TEST_CASE("time: durations accept s, m, h, d suffixes", "[core]") {
  CHECK(*parse_duration("90") == 90);
  CHECK(*parse_duration("90s") == 90);
  CHECK(*parse_duration("15m") == 900);
  CHECK(*parse_duration("26h") == 93600);
  CHECK(*parse_duration("7d") == 604800);
  auto bad = parse_duration("26 hours");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message() ==
        "invalid duration \"26 hours\" (expected e.g. \"90s\", \"15m\", \"26h\", \"7d\")");
}

TEST_CASE("digest: the multiset digest ignores order but not content or multiplicity", "[core]") {
  MultisetDigest a, b, c, d;
  a.add("x"); a.add("y"); a.add("z");
  b.add("z"); b.add("x"); b.add("y");
  c.add("x"); c.add("y"); c.add("w");
  d.add("x"); d.add("y"); d.add("z"); d.add("z");
  CHECK(a.hex() == b.hex());
  CHECK(a.hex() != c.hex());
  CHECK(a.hex() != d.hex());
  CHECK(a.hex().size() == 32);
}

TEST_CASE("digest: sha256 matches the standard test vector", "[core]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("model: entitlement ids split at the first colon and reject empty parts", "[core]") {
  auto id = split_entitlement_id("table:public.orders:SELECT");
  REQUIRE(id.ok());
  CHECK(id->type == "table");
  CHECK(id->name == "public.orders:SELECT");
  for (const char* bad : {"team", ":x", "team:"}) {
    auto r = split_entitlement_id(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() ==
          std::string("malformed entitlement id ") + quote(bad) + " (expected \"<type>:<name>\")");
  }
}

TEST_CASE("strings: closest_match suggests plausible typos only", "[core]") {
  std::vector<std::string> keys = {"token_env", "token_file", "base_url", "org"};
  CHECK(closest_match("tokn_env", keys) == "token_env");
  CHECK(closest_match("BASE_URL", keys) == "base_url");
  CHECK(closest_match("completely_different", keys).empty());
  CHECK(quote("a\"b\n") == "\"a\\\"b\\x0a\"");
}

TEST_CASE("secrets: resolved from the environment seam or a file, errors never carry values", "[core]") {
  testing::TempDir tmp;
  auto src = SecretSource::from_map({{"GITHUB_TOKEN", "ghp_supersecret"}, {"EMPTY", ""}});
  CHECK(src.from_env("GITHUB_TOKEN")->reveal() == "ghp_supersecret");
  auto missing = src.from_env("NOPE");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message() == "environment variable NOPE is not set");
  CHECK_FALSE(src.from_env("EMPTY").ok());
  auto path = tmp.write("token", "s3cr3t\n");
  CHECK(src.from_file(path.string())->reveal() == "s3cr3t");
  auto absent = src.from_file((tmp / "absent").string());
  REQUIRE_FALSE(absent.ok());
  CHECK(absent.error().message() == "cannot read secret file " + quote((tmp / "absent").string()));
}

TEST_CASE("result: RC_TRY and RC_ASSIGN propagate errors with context", "[core]") {
  auto inner = []() -> Result<int> { return fail("boom"); };
  auto outer = [&]() -> Result<int> {
    RC_ASSIGN(int v, inner());
    return v + 1;
  };
  auto r = outer();
  REQUIRE_FALSE(r.ok());
  CHECK(r.context("reading x").error.message() == "reading x: boom");
}
