#include "scanner/core/redact.hpp"

#include <algorithm>
#include <optional>

namespace rollcall {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

struct Unit {
  char c;
  std::size_t len;
};

// The decoded forms of the text at `q`: a percent escape (repeated while it decodes to '%'
// followed by two more hex digits: "%252F" is '/'), a JSON escape (\/, \\, \", \u00XX), or none.
std::optional<Unit> decoded_unit(std::string_view t, std::size_t q) {
  const std::size_t n = t.size();
  if (t[q] == '%' && q + 2 < n && hex_value(t[q + 1]) >= 0 && hex_value(t[q + 2]) >= 0) {
    char b = static_cast<char>(hex_value(t[q + 1]) * 16 + hex_value(t[q + 2]));
    std::size_t len = 3;
    while (b == '%' && q + len + 1 < n && hex_value(t[q + len]) >= 0 && hex_value(t[q + len + 1]) >= 0) {
      b = static_cast<char>(hex_value(t[q + len]) * 16 + hex_value(t[q + len + 1]));
      len += 2;
    }
    return Unit{b, len};
  }
  if (t[q] == '\\' && q + 1 < n) {
    const char e = t[q + 1];
    if (e == '/' || e == '\\' || e == '"') return Unit{e, 2};
    if (e == 'u' && q + 5 < n) {
      int code = 0;
      for (std::size_t k = 2; k < 6; ++k) {
        const int h = hex_value(t[q + k]);
        if (h < 0) return std::nullopt;
        code = code * 16 + h;
      }
      if (code < 0x80) return Unit{static_cast<char>(code), 6};
    }
  }
  return std::nullopt;
}

bool at_cut(std::string_view t, std::size_t q) { return q == t.size() || t.substr(q, 3) == "..."; }

// Length of text matched when `secret` (lower-cased) starts at t[q], trying each unit both
// literally and decoded; 0 when it does not. A match may stop early at a cut (see at_cut) once
// kMinPartial characters of the secret were matched.
std::size_t match(std::string_view t, std::size_t q, std::string_view secret, std::size_t k) {
  if (k == secret.size()) return q;
  if (at_cut(t, q)) return k >= std::min(Redactor::kMinPartial, secret.size()) ? q : 0;
  const char want = secret[k];
  const char c = lower(t[q]);
  if (c == want || (t[q] == '+' && want == ' ')) {
    if (std::size_t end = match(t, q + 1, secret, k + 1); end != 0) return end;
  }
  if (auto u = decoded_unit(t, q); u && lower(u->c) == want) {
    if (std::size_t end = match(t, q + u->len, secret, k + 1); end != 0) return end;
  }
  return 0;
}

}  // namespace

std::string base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) return "";
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

void Redactor::add(std::string_view secret) {
  if (secret.size() < 4) return;
  std::string s;
  for (char c : secret) s += lower(c);
  if (std::find(secrets_.begin(), secrets_.end(), s) == secrets_.end()) secrets_.push_back(std::move(s));
}

void Redactor::add_header_value(std::string_view value) {
  add(value);
  const auto space = value.find(' ');
  if (space == std::string_view::npos) return;
  const std::string_view scheme = value.substr(0, space);
  std::string_view credentials = value.substr(space + 1);
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  add(credentials);
  if (scheme.size() == 5 && lower(scheme[0]) == 'b' && lower(scheme[1]) == 'a' && lower(scheme[2]) == 's' &&
      lower(scheme[3]) == 'i' && lower(scheme[4]) == 'c') {
    const std::string decoded = base64_decode(credentials);
    add(decoded);
    if (auto colon = decoded.find(':'); colon != std::string::npos) add(std::string_view(decoded).substr(colon + 1));
  }
}

std::string Redactor::redact(std::string_view text) const {
  if (secrets_.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t p = 0;
  while (p < text.size()) {
    std::size_t end = 0;
    for (const std::string& s : secrets_) end = std::max(end, match(text, p, s, 0));
    if (end > p) {
      out += kMark;
      p = end;
    } else {
      out += text[p++];
    }
  }
  return out;
}

}  // namespace rollcall
