#include "reports/common/text.hpp"

#include <array>
#include <cstdint>

namespace rollcall::reports {

namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes one UTF-8 code point at s[i], advancing i. Returns kInvalid (having consumed one
// byte) for anything that is not a shortest-form encoding of a Unicode scalar value.
char32_t decode(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return kInvalid;
  }
  if (i + len > s.size()) {
    ++i;
    return kInvalid;
  }
  for (int k = 1; k < len; ++k) {
    unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return kInvalid;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kInvalid;
  }
  i += len;
  return cp;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Copies `s` to `out`, replacing each code point for which `escape` returns a non-empty text
// by that text and each invalid sequence by U+FFFD. Unchanged runs are copied in one append:
// report values are mostly plain ASCII, and this is the hot loop of a 100k-finding report.
template <class Escape>
void append_escaped(std::string& out, std::string_view s, Escape escape) {
  std::size_t i = 0, run = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    const unsigned char b = static_cast<unsigned char>(s[i]);
    char32_t cp = b;
    if (b < 0x80) {
      ++i;
    } else {
      cp = decode(s, i);
    }
    std::string_view with = cp == kInvalid ? kReplacement : escape(cp);
    if (with.empty()) continue;
    out.append(s.data() + run, start - run);
    out += with;
    run = i;
  }
  out.append(s.data() + run, s.size() - run);
}

// "\u0000" ... "\u001f", for JSON control characters.
const std::array<std::string, 32>& control_escapes() {
  static const std::array<std::string, 32> kTable = [] {
    std::array<std::string, 32> t;
    for (unsigned c = 0; c < 32; ++c) {
      static constexpr char kHex[] = "0123456789abcdef";
      t[c] = std::string("\\u00") + kHex[c >> 4] + kHex[c & 0xF];
    }
    return t;
  }();
  return kTable;
}

}  // namespace

void append_utf8(std::string& out, std::string_view s) {
  append_escaped(out, s, [](char32_t) { return std::string_view(); });
}

void append_html(std::string& out, std::string_view s) {
  append_escaped(out, s, [](char32_t cp) -> std::string_view {
    switch (cp) {
      case '&': return "&amp;";
      case '<': return "&lt;";
      case '>': return "&gt;";
      case '"': return "&quot;";
      case '\'': return "&#39;";
      default: return {};
    }
  });
}

std::string html_escaped(std::string_view s) {
  std::string out;
  append_html(out, s);
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(v >> shift) & 0x3F];
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0);
    out += kAlphabet[(v >> 18) & 0x3F];
    out += kAlphabet[(v >> 12) & 0x3F];
    out += rest == 2 ? kAlphabet[(v >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

std::string hex_to_bytes(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return "";
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return "";
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

void append_json_string(std::string& out, std::string_view s, JsonEscape mode) {
  const bool script = mode == JsonEscape::script;
  out += '"';
  append_escaped(out, s, [script](char32_t cp) -> std::string_view {
    switch (cp) {
      case '"': return "\\\"";
      case '\\': return "\\\\";
      case '\n': return "\\n";
      case '\r': return "\\r";
      case '\t': return "\\t";
      default: break;
    }
    if (cp < 0x20) return control_escapes()[cp];
    if (!script) return {};
    switch (cp) {
      case '<': return "\\u003c";
      case '>': return "\\u003e";
      case '&': return "\\u0026";
      case 0x2028: return "\\u2028";
      case 0x2029: return "\\u2029";
      default: return {};
    }
  });
  out += '"';
}

}  // namespace rollcall::reports
