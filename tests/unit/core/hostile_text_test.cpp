// The text rule and the redactor (issue 12, docs/security.md).
#include <catch2/catch.hpp>

#include <sstream>

#include "scanner/core/csv.hpp"
#include "scanner/core/redact.hpp"
#include "scanner/core/secret.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/core/utf8.hpp"

using namespace rollcall;

TEST_CASE("utf8: ill-formed sequences are found at their first byte", "[core][utf8]") {
  CHECK_FALSE(invalid_utf8_at("plain ascii"));
  CHECK_FALSE(invalid_utf8_at("J\xc3\xb6rg \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));  // up to U+10FFFF
  CHECK(invalid_utf8_at("ab\xff") == 2u);              // never valid
  CHECK(invalid_utf8_at("a\x80") == 1u);               // stray continuation
  CHECK(invalid_utf8_at("a\xc3") == 1u);               // truncated
  CHECK(invalid_utf8_at("\xc0\xaf") == 0u);            // overlong '/'
  CHECK(invalid_utf8_at("\xe0\x80\xaf") == 0u);        // overlong
  CHECK(invalid_utf8_at("x\xed\xa0\x80") == 1u);       // surrogate U+D800
  CHECK(invalid_utf8_at("\xf4\x90\x80\x80") == 0u);    // above U+10FFFF
  CHECK(check_utf8("ok", "field \"name\"").ok());
  auto bad = check_utf8("Ren\xe9", "field \"name\"");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message() == "field \"name\" is not valid UTF-8 (byte 0xe9 at offset 3)");
}

TEST_CASE("utf8: quote() escapes the bytes of ill-formed sequences, so messages stay valid UTF-8", "[core][utf8]") {
  CHECK(quote("Ren\xe9 \xc3\xa9") == "\"Ren\\xe9 \xc3\xa9\"");
  CHECK(is_valid_utf8(quote("\xff\xfe\xed\xa0\x80")));
  CHECK(escape_invalid_utf8("a\xffz\xc3\xa9") == "a\\xffz\xc3\xa9");
}

TEST_CASE("csv: two byte-order marks and an oversized field are errors with the line", "[core][csv]") {
  std::vector<std::string> row;
  std::istringstream twice("\xEF\xBB\xBF\xEF\xBB\xBF" "employee_id,email\nE1,a@x.com\n");
  CsvReader reader(twice);
  auto r = reader.next(row);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "1: two byte-order marks at the start of the file (converted to UTF-8 twice?)");

  // Look-alike: one mark, then a header whose first character is U+FEFF's neighbour U+FEFE.
  std::istringstream once("\xEF\xBB\xBF\xEF\xBB\xBE" "x\n");
  CsvReader ok(once);
  REQUIRE(ok.next(row).ok());
  CHECK(row == std::vector<std::string>{"\xEF\xBB\xBE" "x"});

  std::istringstream big("a,b\n1,\"" + std::string(65, 'x') + "\"\n");
  CsvReader limited(big, 64);
  REQUIRE(limited.next(row).ok());
  auto too_long = limited.next(row);
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().message() == "2: a field is longer than 64 bytes (the limit for one value)");
}

TEST_CASE("csv: the formula guard is shared by every CSV people open in a spreadsheet", "[core][csv]") {
  CHECK(csv_safe_field("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  CHECK(csv_safe_field("+1") == "'+1");
  CHECK(csv_safe_field("-2") == "'-2");
  CHECK(csv_safe_field("@SUM(A1)") == "'@SUM(A1)");
  CHECK(csv_safe_field("\tx") == "'\tx");
  CHECK(csv_safe_field("jane=doe") == "jane=doe");  // look-alike: '=' not first
}

namespace {

constexpr const char* kToken = "ghp_PLANTED0token/value+must=never0leak";

std::string redacted(std::string_view text) {
  Redactor r;
  r.add_header_value(std::string("Bearer ") + kToken);
  return r.redact(text);
}

}  // namespace

TEST_CASE("redact: every encoding a server plausibly echoes", "[core][redact]") {
  CHECK(redacted(std::string("exact: ") + kToken) == "exact: [REDACTED]");
  CHECK(redacted("lower: ghp_planted0token/value+must=never0leak") == "lower: [REDACTED]");
  CHECK(redacted("upper: GHP_PLANTED0TOKEN/VALUE+MUST=NEVER0LEAK.") == "upper: [REDACTED].");
  CHECK(redacted("url: ghp_PLANTED0token%2Fvalue%2Bmust%3dnever0leak&x=1") == "url: [REDACTED]&x=1");
  CHECK(redacted("json: \"ghp_PLANTED0token\\/value+must\\u003dnever0leak\"") == "json: \"[REDACTED]\"");
  CHECK(redacted("redirect: /login?next=%2Fcb%3Ftoken%3Dghp_PLANTED0token%252Fvalue%252Bmust%253Dnever0leak") ==
        "redirect: /login?next=%2Fcb%3Ftoken%3D[REDACTED]");
  CHECK(redacted("cut at the end: ghp_PLANTED0tok") == "cut at the end: [REDACTED]");
  CHECK(redacted("cut before dots: ghp_PLANTED0tok...") == "cut before dots: [REDACTED]...");
  // Look-alikes stay: a short prefix, a different token, ordinary text.
  CHECK(redacted("ghp_ and ghp_OTHER0token") == "ghp_ and ghp_OTHER0token");
  CHECK(redacted("value+must is fine") == "value+must is fine");
}

TEST_CASE("redact: a Basic header's decoded password and its base64 form", "[core][redact]") {
  Redactor r;
  // base64("svc-user:s3cret-Pa55word")
  r.add_header_value("Basic c3ZjLXVzZXI6czNjcmV0LVBhNTV3b3Jk");
  CHECK(r.redact("echo c3ZjLXVzZXI6czNjcmV0LVBhNTV3b3Jk") == "echo [REDACTED]");
  CHECK(r.redact("bad password s3cret-Pa55word for svc-user.") == "bad password [REDACTED] for svc-user.");
  CHECK(r.redact("pair svc-user:s3cret-Pa55word") == "pair [REDACTED]");
}

TEST_CASE("redact: SecretSource knows every secret it resolved", "[core][redact]") {
  auto secrets = SecretSource::from_map({{"T", "tok-0123456789abcdef"}});
  CHECK(secrets.redactor().redact("tok-0123456789abcdef") == "tok-0123456789abcdef");  // not resolved yet
  REQUIRE(secrets.from_env("T").ok());
  const SecretSource copy = secrets;  // copies share what was resolved
  CHECK(copy.redactor().redact("x TOK-0123456789ABCDEF y") == "x [REDACTED] y");
}
