#include <catch2/catch.hpp>

#include "reports/common/atomic_file.hpp"
#include "reports/common/text.hpp"
#include "reports/html/charts.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall::reports;

namespace {

std::string json(std::string_view s, JsonEscape mode) {
  std::string out;
  append_json_string(out, s, mode);
  return out;
}

std::string utf8(std::string_view s) {
  std::string out;
  append_utf8(out, s);
  return out;
}

}  // namespace

TEST_CASE("text: invalid UTF-8 is replaced by U+FFFD, valid text is kept", "[report]") {
  CHECK(utf8("Jos\xC3\xA9 \xE2\x80\xAE \xF0\x9F\x98\x80") == "Jos\xC3\xA9 \xE2\x80\xAE \xF0\x9F\x98\x80");
  CHECK(utf8("a\xFF" "b") == "a\xEF\xBF\xBD" "b");                  // never valid byte
  CHECK(utf8("a\xC3") == "a\xEF\xBF\xBD");                          // truncated sequence
  CHECK(utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");            // overlong '/'
  CHECK(utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

TEST_CASE("text: HTML escaping covers text and quoted attributes", "[report]") {
  CHECK(html_escaped("<a href=\"x\" title='y'>&amp;</a>") ==
        "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
  CHECK(html_escaped("\xFF") == "\xEF\xBF\xBD");
}

TEST_CASE("text: script-safe JSON cannot close a script element or break a JS string", "[report]") {
  CHECK(json("</script><!--&", JsonEscape::script) ==
        "\"\\u003c/script\\u003e\\u003c!--\\u0026\"");
  CHECK(json("a\xE2\x80\xA8" "b\xE2\x80\xA9", JsonEscape::script) == "\"a\\u2028b\\u2029\"");
  CHECK(json("q\"b\\n\n\t\x01", JsonEscape::script) == "\"q\\\"b\\\\n\\n\\t\\u0001\"");
  CHECK(json("</script>", JsonEscape::plain) == "\"</script>\"");
  CHECK(json("\xFF", JsonEscape::plain) == "\"\xEF\xBF\xBD\"");
}

TEST_CASE("text: base64 matches the RFC 4648 test vectors", "[report]") {
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foob") == "Zm9vYg==");
  CHECK(base64("fooba") == "Zm9vYmE=");
  CHECK(base64("foobar") == "Zm9vYmFy");
  CHECK(hex_to_bytes("00ff7A") == std::string("\x00\xff\x7a", 3));
  CHECK(hex_to_bytes("abc") == "");
  CHECK(hex_to_bytes("zz") == "");
}

TEST_CASE("charts: labels drop bidi controls and are cut with an ellipsis", "[report]") {
  using rollcall::reports::html::short_label;
  CHECK(short_label("\xE2\x80\xAE" "abc\xE2\x80\xAC", 10) == "abc");
  CHECK(short_label("\xE2\x81\xA6x\xE2\x81\xA9\xE2\x80\x8F", 10) == "x");
  CHECK(short_label("J\xC3\xB6rg Gr\xC3\xBCn", 4) == "J\xC3\xB6rg\xE2\x80\xA6");
  CHECK(short_label("abcd", 4) == "abcd");
}

TEST_CASE("atomic file: replaces the target and leaves no temporary file", "[report]") {
  rollcall::testing::TempDir dir;
  auto path = dir / "report.csv";
  REQUIRE(write_file_atomic(path, "old").ok());
  REQUIRE(write_file_atomic(path, "new contents").ok());
  CHECK(rollcall::testing::read_file(path) == "new contents");
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
  CHECK(files == 1);
}

TEST_CASE("atomic file: a missing folder fails naming the path", "[report]") {
  rollcall::testing::TempDir dir;
  auto path = dir / "missing" / "report.html";
  auto result = write_file_atomic(path, "x");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message() ==
        path.string() + ": cannot create temporary file: No such file or directory");
}
