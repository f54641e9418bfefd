#include "connectors/http/url.hpp"

#include <array>

#include "scanner/core/strings.hpp"

namespace rollcall::http {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool sensitive_parameter(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kNames = {
      "token", "access_token", "refresh_token", "id_token", "password", "secret",
      "client_secret", "key", "api_key", "apikey", "signature"};
  std::string lower = to_lower(name);
  for (auto n : kNames) {
    if (lower == n) return true;
  }
  return lower.find("token") != std::string::npos || lower.find("secret") != std::string::npos ||
         lower.find("password") != std::string::npos || lower == "sig";
}

}  // namespace

Result<Url> parse_url(std::string_view text) {
  auto bad = [&](const char* why) {
    std::string message = "invalid URL ";
    message += quote(text);
    message += ": ";
    message += why;
    return fail(std::move(message));
  };
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return bad("expected http:// or https://");
  Url url;
  url.scheme = to_lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") return bad("expected http:// or https://");
  std::string_view rest = text.substr(scheme_end + 3);
  if (rest.find('#') != std::string_view::npos) return bad("fragments (#) are not allowed");
  auto path_start = rest.find_first_of("/?");
  url.host = std::string(rest.substr(0, path_start));
  if (url.host.empty()) return bad("no host");
  if (url.host.find('@') != std::string::npos) {
    return bad("credentials in the URL are not allowed; use the password/token keys");
  }
  if (path_start == std::string_view::npos) {
    url.path.assign(1, '/');
    return url;
  }
  rest = rest.substr(path_start);
  auto q = rest.find('?');
  url.path = std::string(rest.substr(0, q));
  if (url.path.empty()) url.path.assign(1, '/');
  if (q != std::string_view::npos) url.query = std::string(rest.substr(q + 1));
  return url;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  auto hex_value = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::string encode_query(const Query& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    out += percent_encode(name);
    out += '=';
    out += percent_encode(value);
  }
  return out;
}

bool is_loopback_host(std::string_view host) {
  // Strip the port (and IPv6 brackets).
  std::string h;
  if (!host.empty() && host.front() == '[') {
    h = std::string(host.substr(1, host.find(']') - 1));
  } else {
    h = std::string(host.substr(0, host.rfind(':')));
  }
  h = to_lower(h);
  return h == "localhost" || h == "::1" || starts_with(h, "127.");
}

std::string loggable_target(std::string_view url) {
  auto parsed = parse_url(url);
  if (!parsed) return "(unparseable URL)";
  std::string out = parsed->path;
  if (parsed->query.empty()) return out;
  out += '?';
  bool first = true;
  for (const std::string& pair : split(parsed->query, '&')) {
    if (!first) out += '&';
    first = false;
    auto eq = pair.find('=');
    if (eq != std::string::npos && sensitive_parameter(pair.substr(0, eq))) {
      out += pair.substr(0, eq) + "=REDACTED";
    } else {
      out += pair;
    }
  }
  return out;
}

}  // namespace rollcall::http
