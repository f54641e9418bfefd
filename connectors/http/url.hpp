// URLs as the HTTP connectors need them: split a configured base URL, build request URLs with
// percent-encoded query parameters, and print paths for logs with sensitive parameters masked.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scanner/core/result.hpp"

namespace rollcall::http {

// Query parameters in order; values are raw (encoded when the URL is built).
using Query = std::vector<std::pair<std::string, std::string>>;

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // host[:port], as written
  std::string path;    // "/..." (at least "/"), without query
  std::string query;   // after '?', without it; may be empty

  std::string origin() const { return scheme + "://" + host; }
};

// Parses an absolute http(s) URL. Fails on other schemes, a missing host, or a fragment.
Result<Url> parse_url(std::string_view text);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percent_encode(std::string_view text);
// Undoes percent-encoding, and '+' as a space (form encoding); a '%' not followed by two hex
// digits stays as it is.
std::string percent_decode(std::string_view text);
// "a=1&b=x%20y" (no leading '?'); "" for no parameters.
std::string encode_query(const Query& query);

// True for hosts that never leave the machine (localhost, 127.0.0.0/8, ::1).
bool is_loopback_host(std::string_view host);

// "/path?query" of an absolute URL with the values of credential-like parameters (token,
// access_token, password, secret, key, signature, ...) replaced by "REDACTED", for logs.
std::string loggable_target(std::string_view url);

}  // namespace rollcall::http
