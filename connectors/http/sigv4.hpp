// SigV4Signer: AWS Signature Version 4 as a RequestSigner (request_signer.hpp), for the AWS
// Query APIs (connectors/aws_iam). Written from the published signing process: a canonical
// request (method, URI, sorted query, the signed headers, the body's SHA-256), a string to sign
// (AWS4-HMAC-SHA256, the time, the credential scope date/region/service/aws4_request, the
// canonical request's SHA-256) and an HMAC-SHA256 chain from "AWS4" + secret over date, region,
// service and "aws4_request". sign() adds X-Amz-Date, X-Amz-Security-Token (temporary
// credentials) and the Authorization header; the headers signed are host, content-type and
// every x-amz-* header of the request.
//
// The secret key never leaves this object; the Authorization value travels as a SecretHeader
// and the session token as one too, so neither reaches a log line. Thread-safe (immutable).
#pragma once

#include <string>
#include <vector>

#include "connectors/http/request_signer.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::http {

struct AwsCredentials {
  std::string access_key_id;
  Secret secret_access_key;
  Secret session_token;  // empty for long-term keys
};

class SigV4Signer final : public RequestSigner {
 public:
  // Borrows `clock` (X-Amz-Date), which must outlive the signer.
  SigV4Signer(AwsCredentials credentials, std::string region, std::string service, const Clock& clock)
      : credentials_(std::move(credentials)), region_(std::move(region)), service_(std::move(service)), clock_(clock) {}

  // Fails only when the URL cannot be parsed.
  Result<void> sign(Request& request) override;
  // A static key that was refused stays refused.
  bool renew(const Request&) override { return false; }

 private:
  AwsCredentials credentials_;
  std::string region_;
  std::string service_;
  const Clock& clock_;
};

// The steps of the signature, exposed for the tests against AWS's published examples.
namespace sigv4 {

std::string sha256_hex(std::string_view data);
// "20150830T123600Z".
std::string amz_date(UnixTime t);
// The canonical request of `request` (headers: name/value pairs as sent; those whose lowercase
// name is host, content-type or starts with x-amz- are signed). `signed_headers` receives
// "content-type;host;x-amz-date".
Result<std::string> canonical_request(const Request& request, std::string& signed_headers);
std::string string_to_sign(const std::string& amz_date, const std::string& scope,
                           const std::string& canonical_request);
// The derived key as lowercase hex: HMAC chain over date (YYYYMMDD), region, service.
std::string signing_key_hex(const Secret& secret, const std::string& date, const std::string& region,
                            const std::string& service);
// Hex HMAC-SHA256 of the string to sign with the derived key.
std::string signature(const Secret& secret, const std::string& date, const std::string& region,
                      const std::string& service, const std::string& string_to_sign);

}  // namespace sigv4
}  // namespace rollcall::http
