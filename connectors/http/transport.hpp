// The HTTP seam shared by every HTTP connector: a Request, a Response and a Transport that
// turns one into the other. CurlTransport (curl_transport.hpp) talks to the network,
// RetryingTransport (retry.hpp) wraps any transport with retries and rate-limit handling, and
// tests substitute a scripted transport or point a real one at a fake server on 127.0.0.1.
//
// Credentials travel as SecretHeader values: transports send them and nothing else ever prints
// them (request logs list the method and path only; errors scrub secret values).
//
// Thread-safety: every Transport in this module may be called from several threads at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/result.hpp"
#include "scanner/core/secret.hpp"

namespace rollcall::http {

enum class Method { get, post, put, patch, del };
std::string_view to_string(Method method);

struct Header {
  std::string name;
  std::string value;
};

// A header whose value is a credential (Authorization): sent, never logged.
struct SecretHeader {
  std::string name;
  Secret value;
  // Never sent: what the value is made from and a server might echo instead (the password or
  // API token inside a Basic credential's base64). Scrubbed from messages like the value.
  std::vector<Secret> parts;
};

struct Request {
  Method method = Method::get;
  std::string url;  // absolute: scheme://host[:port]/path?query
  std::vector<Header> headers;
  std::vector<SecretHeader> secret_headers;
  std::string body;
  // What logs name instead of the URL's path, when the URL is itself a credential (a Slack
  // incoming webhook): "" = the path, with credential-like query parameters masked.
  std::string log_target;
  // The request only reads, whatever its method (the AWS Query API POSTs its List and Get
  // actions): the retry decorator retries it like a GET.
  bool read_only = false;
};

struct Response {
  int status = 0;
  std::vector<Header> headers;  // as received, in order
  std::string body;
  int attempts = 1;  // how many sends it took (set by RetryingTransport)

  // The first header called `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one request. Success means a response arrived, whatever its status; the caller
  // decides what a 4xx/5xx means. Fails with one line (no URL, no secrets) when no complete
  // response arrived: connection refused or reset, timeout, truncated body, TLS failure.
  virtual Result<Response> send(const Request& request) = 0;
};

}  // namespace rollcall::http
