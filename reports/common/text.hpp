// Text encoding helpers shared by the report writers. Report values come from target systems
// and HR exports, so they may hold anything: invalid UTF-8, control characters, markup. These
// functions turn such values into well-formed output; they never fail.
#pragma once

#include <string>
#include <string_view>

namespace rollcall::reports {

// Appends `s` to `out` with every invalid UTF-8 sequence (stray continuation bytes, truncated
// or overlong sequences, surrogates, code points above U+10FFFF) replaced by U+FFFD.
void append_utf8(std::string& out, std::string_view s);

// Appends `s` as HTML text or attribute value: & < > " ' become character references, invalid
// UTF-8 is repaired as append_utf8 does. Safe in element content and in quoted attributes.
void append_html(std::string& out, std::string_view s);
std::string html_escaped(std::string_view s);

// Standard base64 (RFC 4648, with padding) of raw bytes.
std::string base64(std::string_view bytes);
// Decodes lowercase or uppercase hex; "" if `hex` is not an even-length hex string.
std::string hex_to_bytes(std::string_view hex);

enum class JsonEscape {
  plain,   // RFC 8259 escaping only
  script,  // also '<', '>', '&', U+2028, U+2029 as \u escapes: safe inside an HTML <script>
};

// Appends `s` as a JSON string literal (with the quotes), repairing invalid UTF-8 as
// append_utf8 does.
void append_json_string(std::string& out, std::string_view s, JsonEscape mode);

}  // namespace rollcall::reports
