#include "connectors/http/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "connectors/http/url.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::http {
namespace sigv4 {
namespace {

std::string hex(const unsigned char* data, std::size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &n);
  return std::string(reinterpret_cast<const char*>(out), n);
}

// Each segment of the path percent-encoded once (a path already encoded is decoded first).
std::string canonical_uri(const std::string& path) {
  if (path.empty()) return "/";
  std::string out;
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = path.find('/', start);
    std::size_t n = slash == std::string::npos ? std::string::npos : slash - start;
    out += percent_encode(percent_decode(path.substr(start, n)));
    if (slash == std::string::npos) return out;
    out += '/';
    start = slash + 1;
  }
}

// Parameters sorted by encoded name, then value; each encoded once.
std::string canonical_query(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (const std::string& part : split(query, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string key = eq == std::string::npos ? part : part.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
    params.emplace_back(percent_encode(percent_decode(key)), percent_encode(percent_decode(value)));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

// Trimmed, inner runs of spaces collapsed to one.
std::string header_value(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : trim(value)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool signed_name(const std::string& lower) {
  return lower == "host" || lower == "content-type" || starts_with(lower, "x-amz-");
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hex(digest, sizeof digest);
}

std::string amz_date(UnixTime t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Result<std::string> canonical_request(const Request& request, std::string& signed_headers) {
  RC_ASSIGN(Url url, parse_url(request.url));
  std::map<std::string, std::vector<std::string>> headers;  // sorted by lowercase name
  bool has_host = false;
  auto add = [&](const std::string& name, const std::string& value) {
    std::string lower = to_lower(name);
    if (!signed_name(lower)) return;
    has_host = has_host || lower == "host";
    headers[lower].push_back(header_value(value));
  };
  for (const Header& h : request.headers) add(h.name, h.value);
  for (const SecretHeader& h : request.secret_headers) {
    if (to_lower(h.name) != "authorization") add(h.name, h.value.reveal());
  }
  if (!has_host) headers["host"].push_back(to_lower(url.host));

  std::string out = std::string(to_string(request.method)) + "\n" + canonical_uri(url.path) + "\n" +
                    canonical_query(url.query) + "\n";
  signed_headers.clear();
  for (const auto& [name, values] : headers) {
    out += name + ":" + join(values, ",") + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
  }
  out += "\n" + signed_headers + "\n" + sha256_hex(request.body);
  return out;
}

std::string string_to_sign(const std::string& amz_date, const std::string& scope, const std::string& canonical) {
  return "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + sha256_hex(canonical);
}

namespace {
std::string signing_key(const Secret& secret, const std::string& date, const std::string& region,
                        const std::string& service) {
  std::string k = hmac("AWS4" + secret.reveal(), date);
  k = hmac(k, region);
  k = hmac(k, service);
  return hmac(k, "aws4_request");
}
}  // namespace

std::string signing_key_hex(const Secret& secret, const std::string& date, const std::string& region,
                            const std::string& service) {
  std::string k = signing_key(secret, date, region, service);
  return hex(reinterpret_cast<const unsigned char*>(k.data()), k.size());
}

std::string signature(const Secret& secret, const std::string& date, const std::string& region,
                      const std::string& service, const std::string& to_sign) {
  std::string s = hmac(signing_key(secret, date, region, service), to_sign);
  return hex(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

}  // namespace sigv4

Result<void> SigV4Signer::sign(Request& request) {
  const std::string when = sigv4::amz_date(clock_.now());
  const std::string date = when.substr(0, 8);
  // A request signed again (after a renewal) must not carry the old signature's headers.
  auto& h = request.headers;
  h.erase(std::remove_if(h.begin(), h.end(), [](const Header& x) { return to_lower(x.name) == "x-amz-date"; }), h.end());
  auto& s = request.secret_headers;
  s.erase(std::remove_if(s.begin(), s.end(),
                         [](const SecretHeader& x) {
                           std::string n = to_lower(x.name);
                           return n == "authorization" || n == "x-amz-security-token";
                         }),
          s.end());
  h.push_back({"X-Amz-Date", when});
  if (!credentials_.session_token.empty()) {
    s.push_back(SecretHeader{"X-Amz-Security-Token", credentials_.session_token, {}});
  }
  std::string signed_headers;
  auto canonical = sigv4::canonical_request(request, signed_headers);
  if (!canonical) return fail("cannot sign " + std::string(to_string(request.method)) + " request: " + canonical.error().message());
  const std::string scope = date + "/" + region_ + "/" + service_ + "/aws4_request";
  const std::string to_sign = sigv4::string_to_sign(when, scope, *canonical);
  const std::string sig = sigv4::signature(credentials_.secret_access_key, date, region_, service_, to_sign);
  s.push_back(SecretHeader{"Authorization",
                           Secret("AWS4-HMAC-SHA256 Credential=" + credentials_.access_key_id + "/" + scope +
                                  ", SignedHeaders=" + signed_headers + ", Signature=" + sig),
                           {credentials_.secret_access_key}});
  return {};
}

}  // namespace rollcall::http
