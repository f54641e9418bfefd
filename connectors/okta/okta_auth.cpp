#include "connectors/okta/okta_auth.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "connectors/http/api_client.hpp"
#include "connectors/http/retry.hpp"
#include "connectors/http/url.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::okta {
namespace {

using http::Json;

constexpr UnixTime kAssertionLifetime = 300;  // Okta accepts at most one hour
constexpr UnixTime kRenewBefore = 60;          // renew a token this long before it expires

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

std::string base64url(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(in[k])); };
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

struct OAuthSigner::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

OAuthSigner::OAuthSigner(OAuthSettings settings, std::unique_ptr<Key> key, http::Transport& transport,
                         const Clock& clock)
    : settings_(std::move(settings)), key_(std::move(key)), transport_(transport), clock_(clock) {}

OAuthSigner::~OAuthSigner() = default;

Result<std::shared_ptr<OAuthSigner>> OAuthSigner::create(OAuthSettings settings, const std::string& key_source,
                                                         http::Transport& transport, const Clock& clock) {
  const std::string& pem = settings.private_key_pem.reveal();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return fail("cannot read the private key from " + key_source + ": out of memory");
  auto key = std::make_unique<Key>();
  key->pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key->pkey == nullptr) {
    return fail("the private key from " + key_source + " is not a PEM private key (PKCS#8 or RSA, unencrypted)");
  }
  if (EVP_PKEY_base_id(key->pkey) != EVP_PKEY_RSA) {
    return fail("the private key from " + key_source + " is not an RSA key; Okta's private_key_jwt here uses RS256");
  }
  return std::shared_ptr<OAuthSigner>(new OAuthSigner(std::move(settings), std::move(key), transport, clock));
}

Result<std::string> OAuthSigner::assertion(UnixTime now) const {
  Json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!settings_.key_id.empty()) header["kid"] = settings_.key_id;
  const std::string jti = random_hex(16);
  if (jti.empty()) return fail("cannot draw random bytes for the client assertion's jti");
  Json claims = {{"iss", settings_.client_id}, {"sub", settings_.client_id}, {"aud", settings_.token_url},
                 {"iat", now},                 {"exp", now + kAssertionLifetime},  {"jti", jti}};
  const std::string input = base64url(header.dump()) + "." + base64url(claims.dump());

  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return fail("cannot sign the client assertion: out of memory");
  std::size_t length = 0;
  std::string signature;
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
            EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    signature.resize(length);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return fail("cannot sign the client assertion with the private key (RS256)");
  return input + "." + base64url(signature);
}

Result<void> OAuthSigner::fetch_token(UnixTime now) {
  RC_ASSIGN(std::string jwt, assertion(now));
  http::Request request;
  request.method = http::Method::post;
  request.url = settings_.token_url;
  request.headers = {{"Accept", "application/json"}, {"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = http::encode_query({{"grant_type", "client_credentials"},
                                     {"scope", join(settings_.scopes, " ")},
                                     {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                                     {"client_assertion", jwt}});
  // The assertion is a credential for its lifetime: scrubbed from messages like a header value.
  http::Request scrub;
  scrub.secret_headers.push_back({"client_assertion", Secret(jwt)});
  const std::string where = "POST " + http::loggable_target(settings_.token_url);
  ++token_requests_;
  auto sent = transport_.send(request);
  if (!sent) return fail(where + ": " + http::scrub_secrets(sent.error().message(), scrub));
  const http::Response& r = *sent;
  if (r.status != 200) {
    return fail(where + ": HTTP " + std::to_string(r.status) + ": " +
                http::scrub_secrets(http::generic_error_text(r), scrub) + " (OAuth client " +
                quote(settings_.client_id) + ", scopes " + join(settings_.scopes, " ") + ")");
  }
  Json body = Json::parse(r.body, nullptr, false);
  const Json* token = body.is_object() ? http::member(body, "access_token") : nullptr;
  if (token == nullptr || !token->is_string() || token->get_ref<const std::string&>().empty()) {
    return fail(where + ": the answer has no \"access_token\"");
  }
  std::int64_t lifetime = 3600;
  if (const Json* e = http::member(body, "expires_in"); e != nullptr && e->is_number_integer()) {
    lifetime = e->get<std::int64_t>();
  }
  std::string type = "Bearer";
  if (const Json* t = http::member(body, "token_type"); t != nullptr && t->is_string()) type = t->get<std::string>();
  if (to_lower(type) != "bearer") {
    return fail(where + ": token_type " + quote(type) + " is not supported (only Bearer; turn off DPoP for the app)");
  }
  token_ = Secret("Bearer " + token->get<std::string>());
  expires_at_ = now + lifetime;
  return {};
}

Result<void> OAuthSigner::sign(http::Request& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  const UnixTime now = clock_.now();
  if (token_.empty() || now >= expires_at_ - kRenewBefore) RC_TRY(fetch_token(now));
  request.secret_headers.push_back({"Authorization", token_});
  return {};
}

bool OAuthSigner::renew(const http::Request& rejected) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& h : rejected.secret_headers) {
    // Another thread may have renewed already: only drop the token that was refused.
    if (h.name == "Authorization" && h.value.reveal() == token_.reveal()) token_ = Secret();
  }
  return true;
}

int OAuthSigner::token_requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return token_requests_;
}

}  // namespace rollcall::connectors::okta
