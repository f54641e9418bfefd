// How rollcall signs in to Okta's Management API: OAuth 2.0 client credentials with
// private_key_jwt (Okta's recommendation for service integrations), as an http::RequestSigner.
//
// The signer posts to <org>/oauth2/v1/token a client assertion: a JWT {iss = sub = client_id,
// aud = the token URL, iat, exp = iat + 5 min, jti = 128 random bits} signed RS256 with the
// service app's private key (PEM, by reference), asking for exactly the configured scopes. It
// caches the access token and fetches a new one a minute before `expires_in` runs out; a 401 to
// a request sent with the cached token drops it (Okta revoked or expired it early) so the next
// sign() fetches another. The access token and the key are Secrets: never logged, scrubbed
// from errors. Thread-safe (one token fetch at a time).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/http/request_signer.hpp"
#include "scanner/core/log.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::connectors::okta {

struct OAuthSettings {
  std::string token_url;    // https://<org>/oauth2/v1/token
  std::string client_id;
  std::string key_id;       // the JWK "kid" registered for the key; "" = none sent
  Secret private_key_pem;   // PKCS#8 or traditional RSA private key, PEM
  std::vector<std::string> scopes;
};

class OAuthSigner final : public http::RequestSigner {
 public:
  // Fails when the key is not an RSA private key in PEM (naming `key_source`, never the key).
  static Result<std::shared_ptr<OAuthSigner>> create(OAuthSettings settings, const std::string& key_source,
                                                     http::Transport& transport, const Clock& clock);
  ~OAuthSigner() override;

  Result<void> sign(http::Request& request) override;
  bool renew(const http::Request& rejected) override;

  // Token requests made so far (for tests and the benchmark).
  int token_requests() const;

 private:
  struct Key;
  OAuthSigner(OAuthSettings settings, std::unique_ptr<Key> key, http::Transport& transport, const Clock& clock);
  Result<std::string> assertion(UnixTime now) const;
  Result<void> fetch_token(UnixTime now);  // with mutex_ held

  OAuthSettings settings_;
  std::unique_ptr<Key> key_;
  http::Transport& transport_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  Secret token_;          // "Bearer <access token>"; empty = none yet
  UnixTime expires_at_ = 0;
  int token_requests_ = 0;
};

// RFC 4648 §5 base64url without padding (JWT segments).
std::string base64url(std::string_view bytes);

}  // namespace rollcall::connectors::okta
