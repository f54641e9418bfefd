#include <catch2/catch.hpp>

#include "connectors/file/json_stream.hpp"

using namespace rollcall::connectors::file;

namespace {

// Records events as a compact trace: {k:"v",[1,true,null]}.
struct Trace : JsonEvents {
  std::string out;
  int stop_after = -1;
  bool go() { return stop_after < 0 || --stop_after >= 0; }
  bool start_object() override { out += "{"; return go(); }
  bool end_object() override { out += "}"; return go(); }
  bool start_array() override { out += "["; return go(); }
  bool end_array() override { out += "]"; return go(); }
  bool key(std::string_view k) override { out += std::string(k) + ":"; return go(); }
  bool string(std::string_view v) override { out += "\"" + std::string(v) + "\","; return go(); }
  bool number(std::string_view v) override { out += std::string(v) + ","; return go(); }
  bool boolean(bool v) override { out += v ? "true," : "false,"; return go(); }
  bool null() override { out += "null,"; return go(); }
};

std::string trace(const std::string& text) {
  Trace t;
  JsonWalk w = walk_json(text.data(), text.data() + text.size(), t);
  return w.syntax_error.empty() ? t.out : "error " + w.syntax_error;
}

}  // namespace

TEST_CASE("json: values, nesting and whitespace are reported in order", "[connector][file][json]") {
  CHECK(trace(" {\"a\": [1, -2.5e3, true, false, null, \"x\"], \"b\": {}, \"c\": []}\n") ==
        "{a:[1,-2.5e3,true,false,null,\"x\",]b:{}c:[]}");
  CHECK(trace("\"top\"") == "\"top\",");
  CHECK(trace("0") == "0,");
}

TEST_CASE("json: escapes decode to UTF-8, including surrogate pairs", "[connector][file][json]") {
  CHECK(trace(R"(["a\"b\\c\/d\n\t", "\u00e9\u20ac", "\ud83d\ude00"])") ==
        "[\"a\"b\\c/d\n\t\",\"\xC3\xA9\xE2\x82\xAC\",\"\xF0\x9F\x98\x80\",]");
}

TEST_CASE("json: syntax errors give line and column", "[connector][file][json]") {
  CHECK(trace("{\"a\": 1,\n \"b\" 2}") == "error 2:6: unexpected '2'; expected ':'");
  CHECK(trace("[1, 2") == "error 1:6: unexpected end of input; expected ',' or ']'");
  CHECK(trace("[01]") == "error 1:3: unexpected '1'; expected ',' or ']'");
  CHECK(trace("[1.]") == "error 1:4: invalid number");
  CHECK(trace("[tru]") == "error 1:2: invalid literal; expected true");
  CHECK(trace("{} x") == "error 1:4: unexpected data after the JSON value");
  CHECK(trace("[\"a\nb\"]") == "error 1:4: control character in a string (must be escaped)");
  CHECK(trace(R"(["\q"])") == "error 1:4: invalid escape in a string");
  CHECK(trace(R"(["\ud83d"])") == "error 1:9: unpaired UTF-16 surrogate in \\u escape");
  CHECK(trace("[\"open") == "error 1:7: unexpected end of input in a string");
  CHECK(trace("") == "error 1:1: unexpected end of input; expected a value");
  CHECK(trace("{\"a\":1,}") == "error 1:8: unexpected '}'; expected a string key");
}

TEST_CASE("json: a byte quoted in a syntax error is written as \\xNN unless it is printable ASCII",
          "[connector][file][json][hostile]") {
  // Found while fuzzing (fuzz_export_json's UTF-8 invariant fails on the 1-byte input 0xff):
  // the raw byte made the message itself invalid UTF-8.
  CHECK(trace("\xff") == "error 1:1: unexpected '\\xff'; expected a value");
  CHECK(trace("[1 \xc3\xa9]") == "error 1:4: unexpected '\\xc3'; expected ',' or ']'");
  CHECK(trace("{\x01}") == "error 1:2: unexpected '\\x01'; expected a string key");
  CHECK(trace("{\"a\" \x7f}") == "error 1:6: unexpected '\\x7f'; expected ':'");
}

TEST_CASE("json: hostile nesting depth is an error, not a stack overflow", "[connector][file][json]") {
  std::string deep(100000, '[');
  CHECK(trace(deep) == "error 1:257: nesting deeper than 256 levels");
}

TEST_CASE("json: a handler can stop the walk", "[connector][file][json]") {
  Trace t;
  t.stop_after = 2;
  std::string text = "[1, 2, 3, 4]";
  JsonWalk w = walk_json(text.data(), text.data() + text.size(), t);
  CHECK(w.stopped);
  CHECK(w.syntax_error.empty());
  CHECK(t.out == "[1,2,");
}
