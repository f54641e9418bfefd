// Microsoft identity platform app-only tokens for Microsoft Graph: the OAuth 2.0 client
// credentials grant against {authority}/{tenant}/oauth2/v2.0/token with the scope
// {graph_url}/.default, authenticating the app either with a client secret or with a
// certificate (private_key_jwt: an RS256 JWT client assertion signed with the certificate's
// private key, whose header names the certificate by its SHA-1 thumbprint, "x5t").
//
// The token is cached and renewed a little before it expires (5 minutes, or half its lifetime
// when shorter), and on demand after a 401 (http::TokenSource). Thread-safe: one renewal at a
// time; callers that waited get the renewed token.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/http/api_client.hpp"
#include "connectors/http/token_transport.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::connectors::entra {

// How the app proves who it is. Exactly one of `secret` and `private_key_pem` is set.
struct ClientCredential {
  std::string client_id;
  std::optional<Secret> secret;
  std::optional<Secret> private_key_pem;  // PEM private key (RSA) of the certificate
  std::string certificate_pem;            // PEM certificate registered on the app (not secret)
  std::string source;                     // "environment variable ENTRA_SECRET": named when rejected
};

// A signed client assertion (RFC 7523) for `token_url`: header {alg RS256, typ JWT, x5t},
// claims aud = token_url, iss = sub = client_id, jti (random), nbf = iat = now, exp = now + 10
// minutes. Fails when the key or certificate cannot be read (never quoting either).
Result<std::string> client_assertion(const ClientCredential& credential, const std::string& token_url, UnixTime now);

// Base64url (no padding) of the SHA-1 digest of the certificate's DER encoding.
Result<std::string> certificate_thumbprint(const std::string& certificate_pem);

class ClientCredentialsTokens final : public http::TokenSource {
 public:
  // `authority` is the token endpoint's ApiClient, based at {authority}/{tenant} (so requests
  // go to /oauth2/v2.0/token); `scope` is "{graph}/.default". Borrows clock.
  ClientCredentialsTokens(http::ApiClient authority, ClientCredential credential, std::string scope, const Clock& clock)
      : authority_(std::move(authority)), credential_(std::move(credential)), scope_(std::move(scope)), clock_(clock) {}

  Result<Secret> token() override;
  Result<Secret> renew(const Secret& rejected) override;

  // Token requests made so far (for tests and the benchmark).
  int requests() const;

 private:
  Result<void> fetch_locked();

  http::ApiClient authority_;
  ClientCredential credential_;
  std::string scope_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::optional<Secret> token_;
  UnixTime renew_at_ = 0;
  int requests_ = 0;
};

}  // namespace rollcall::connectors::entra
