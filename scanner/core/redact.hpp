// Redactor: removes secrets from text that leaves the process (log lines, error messages, the
// snapshot errors stored in the database and shown in reports). It is the one redaction used
// everywhere: connectors/http scrubs requests and responses with it, SecretSource hands out one
// that knows every secret it resolved (the CLI's error output and take_snapshot's stored error
// use that), so a new place that shows outside text calls the same code.
//
// A server that echoes a credential rarely echoes it byte for byte. Besides the exact value,
// redact() finds it in any letter case; percent-encoded (once or twice, as inside a
// `?next=` redirect parameter; hex digits of either case; '+' for a space); JSON-escaped (`\/`,
// `\uXXXX`); and cut: a text that ends (or stops at "...") inside the value, for at least
// kMinPartial characters. A header value "Scheme credentials" adds the credentials, and a Basic
// one also the decoded "user:password" and the password alone.
//
// Redact before truncating: a cut made first leaves a prefix that is no longer the secret.
// Values shorter than 4 bytes are ignored (they would mangle ordinary text). Thread-safe for
// concurrent redact() calls once built.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rollcall {

class Redactor {
 public:
  static constexpr std::string_view kMark = "[REDACTED]";
  static constexpr std::size_t kMinPartial = 8;

  // Adds one secret value.
  void add(std::string_view secret);
  // Adds an HTTP header value that carries a credential ("Bearer x", "Basic dXNlcjpwYXNz", or
  // a bare key).
  void add_header_value(std::string_view value);
  bool empty() const { return secrets_.empty(); }

  // `text` with every form of every secret replaced by kMark.
  std::string redact(std::string_view text) const;

 private:
  std::vector<std::string> secrets_;  // lower-cased
};

// Standard base64 decoding (RFC 4648, padding optional); "" when `text` is not base64.
std::string base64_decode(std::string_view text);

}  // namespace rollcall
