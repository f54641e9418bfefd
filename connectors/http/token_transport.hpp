// Bearer tokens that expire (OAuth 2.0 access tokens), for APIs whose credential is not a fixed
// header: a TokenSource hands out the current token, and TokenTransport, a decorator over any
// (retrying) Transport, attaches it as "Authorization: Bearer <token>" to every request and,
// when the API answers 401, renews the token once and sends the request again. Because the
// credential is added below ApiClient, paging, errors and retries stay as for a fixed token.
//
// Secrets: the token travels as a SecretHeader (never logged), and a non-2xx body that echoes
// it has it replaced by "[REDACTED]" before anyone above sees it.
//
// Thread-safe when the TokenSource and the inner transport are.
#pragma once

#include <string>

#include "connectors/http/transport.hpp"
#include "scanner/core/log.hpp"

namespace rollcall::http {

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // The token to send now: the cached one, or a new one when none is cached or it is about to
  // expire. Fails with one line naming the token request and why it failed.
  virtual Result<Secret> token() = 0;
  // `rejected` was refused by the API (HTTP 401). Returns a newly obtained token, or the
  // current one when another caller renewed it since `rejected` was handed out (so a burst of
  // 401s from parallel requests renews once).
  virtual Result<Secret> renew(const Secret& rejected) = 0;
};

class TokenTransport final : public Transport {
 public:
  // Borrows `inner` and `tokens`, which must outlive it. `system` prefixes the log line that
  // says a token was renewed after a 401.
  TokenTransport(Transport& inner, TokenSource& tokens, Logger& log, std::string system)
      : inner_(inner), tokens_(tokens), log_(log), system_(std::move(system)) {}

  // Sends `request` with the current token. On 401, renews the token and sends once more; the
  // second answer is returned whatever it is. Fails when no token can be obtained.
  Result<Response> send(const Request& request) override;

 private:
  Result<Response> send_with(const Request& request, const Secret& token);

  Transport& inner_;
  TokenSource& tokens_;
  Logger& log_;
  std::string system_;
};

}  // namespace rollcall::http
