#include "connectors/entra/entra_auth.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>

#include "connectors/http/retry.hpp"
#include "connectors/http/url.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::entra {
namespace {

using http::Json;

std::string base64url(const unsigned char* data, std::size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < size; i += 3) {
    unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < size) {
    unsigned v = data[i] << 16;
    if (i + 1 < size) v |= data[i + 1] << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (i + 1 < size) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string base64url(const std::string& text) {
  return base64url(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

Result<std::unique_ptr<X509, CertFree>> read_certificate(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<X509, CertFree> cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return fail("the certificate is not a PEM X.509 certificate");
  return cert;
}

// A random RFC 4122 version 4 UUID, the usual shape of a jti.
Result<std::string> random_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) return fail("no random bytes for the assertion's jti");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return std::string(out);
}

// `text` with every occurrence of `secret` replaced by "[REDACTED]".
std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "[REDACTED]");
  }
  return text;
}

}  // namespace

Result<std::string> certificate_thumbprint(const std::string& certificate_pem) {
  RC_ASSIGN(auto cert, read_certificate(certificate_pem));
  unsigned char* der = nullptr;
  const int size = i2d_X509(cert.get(), &der);
  if (size <= 0) return fail("the certificate cannot be encoded as DER");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  const int ok = EVP_Digest(der, static_cast<std::size_t>(size), digest, &digest_size, EVP_sha1(), nullptr);
  OPENSSL_free(der);
  if (ok != 1) return fail("the certificate's SHA-1 thumbprint cannot be computed");
  return base64url(digest, digest_size);
}

Result<std::string> client_assertion(const ClientCredential& credential, const std::string& token_url, UnixTime now) {
  if (!credential.private_key_pem) return fail("no private key for the client assertion");
  RC_ASSIGN(auto cert, read_certificate(credential.certificate_pem));
  RC_ASSIGN(std::string x5t, certificate_thumbprint(credential.certificate_pem));
  const std::string& key_pem = credential.private_key_pem->reveal();
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  std::unique_ptr<EVP_PKEY, KeyFree> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return fail("the private key from " + credential.source + " is not an unencrypted PEM private key");
  if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    return fail("the private key from " + credential.source + " is not an RSA key (RS256 needs one)");
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return fail("the private key from " + credential.source + " does not belong to the certificate");
  }
  RC_ASSIGN(std::string jti, random_uuid());
  const Json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"x5t", x5t}};
  const Json claims = {{"aud", token_url},
                       {"iss", credential.client_id},
                       {"sub", credential.client_id},
                       {"jti", jti},
                       {"nbf", now},
                       {"iat", now},
                       {"exp", now + 600}};
  const std::string signing_input = base64url(header.dump()) + "." + base64url(claims.dump());

  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return fail("the client assertion cannot be signed with the private key from " + credential.source);
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) != 1) {
    return fail("the client assertion cannot be signed with the private key from " + credential.source);
  }
  signature.resize(size);
  return signing_input + "." + base64url(signature);
}

Result<Secret> ClientCredentialsTokens::token() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!token_ || clock_.now() >= renew_at_) RC_TRY(fetch_locked());
  return *token_;
}

Result<Secret> ClientCredentialsTokens::renew(const Secret& rejected) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!token_ || token_->reveal() == rejected.reveal()) RC_TRY(fetch_locked());
  return *token_;
}

int ClientCredentialsTokens::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

Result<void> ClientCredentialsTokens::fetch_locked() {
  const std::string path = "/oauth2/v2.0/token";
  const UnixTime now = clock_.now();
  std::string form = "grant_type=client_credentials&client_id=" + http::percent_encode(credential_.client_id) +
                     "&scope=" + http::percent_encode(scope_);
  std::string secret;  // what must not appear in an error
  if (credential_.secret) {
    secret = credential_.secret->reveal();
    form += "&client_secret=" + http::percent_encode(secret);
  } else {
    RC_ASSIGN(secret, client_assertion(credential_, authority_.url(path), now));
    form += "&client_assertion_type=" + http::percent_encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
            "&client_assertion=" + secret;
  }
  ++requests_;
  auto sent = authority_.send(http::Method::post, path, form, {}, {}, "application/x-www-form-urlencoded");
  if (!sent) return fail(scrub(scrub(sent.error().message(), secret), http::percent_encode(secret)));
  const std::string where = authority_.label(path, {}, http::Method::post);
  const Json& body = sent->json;
  auto access = http::string_member(body, "access_token");
  if (!access) return fail(where + ": the token response: " + access.error().message());
  auto type = http::optional_string(body, "token_type");
  if (!type) return fail(where + ": the token response: " + type.error().message());
  if (*type && to_lower(**type) != "bearer") {
    return fail(where + ": the token response: token_type is " + quote(**type) + ", not Bearer");
  }
  // expires_in is a number; the older v1 endpoint wrote it as a string.
  std::int64_t lifetime = -1;
  if (const Json* e = http::member(body, "expires_in")) {
    if (e->is_number_integer()) lifetime = e->get<std::int64_t>();
    if (e->is_string()) {
      try {
        lifetime = std::stoll(e->get<std::string>());
      } catch (const std::exception&) {
        lifetime = -1;
      }
    }
  }
  if (lifetime <= 0) return fail(where + ": the token response: \"expires_in\" is missing or not a positive number");
  token_ = Secret(*access);
  renew_at_ = now + lifetime - std::min<std::int64_t>(300, lifetime / 2);
  return {};
}

}  // namespace rollcall::connectors::entra
