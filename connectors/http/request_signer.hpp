// RequestSigner: how an ApiClient attaches credentials that are not one fixed header. The
// fixed case (a static token: ApiOptions::auth) needs none of this. A signer is for credentials
// that are fetched, expire or depend on the request itself:
//   - an OAuth 2.0 access token from a token endpoint, cached and renewed before it expires
//     (connectors/okta: client credentials with private_key_jwt);
//   - a signature computed over the method, URL, headers and body (AWS SigV4 would sign here).
//
// ApiClient calls sign() on every request it sends (reads and writes) after setting method,
// URL, headers and body, and before the transport sees it. When the answer is HTTP 401 it calls
// renew() once; if that returns true, it signs the request again and sends it once more (a 401
// means the server did not process the request, so a write is not duplicated). A second 401 is
// the answer.
//
// Credentials go into Request::secret_headers, so the request log never prints them and error
// messages scrub them. Thread-safe: ApiClient calls a signer from several threads at once.
#pragma once

#include <string>

#include "connectors/http/transport.hpp"

namespace rollcall::http {

class RequestSigner {
 public:
  virtual ~RequestSigner() = default;
  // Adds the credential to `request` (secret_headers, or headers for non-secret parts of a
  // signature). Fails with one line naming what could not be had ("POST /oauth2/v1/token: HTTP
  // 401: ...") when no credential can be produced; the request is then not sent.
  virtual Result<void> sign(Request& request) = 0;
  // Called after `rejected` (as signed) was answered 401. Returns true when a fresh credential
  // may succeed (a cached token that expired early has been dropped), false when retrying
  // cannot help (a static credential was simply refused).
  virtual bool renew(const Request& rejected) = 0;
};

}  // namespace rollcall::http
