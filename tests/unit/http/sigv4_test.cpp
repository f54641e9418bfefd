// The SigV4 signer against the example AWS publishes for its signing process (IAM ListUsers,
// 2015-08-30, key AKIDEXAMPLE): the intermediate values are derived from the specification,
// the final signature is the published one.
#include <catch2/catch.hpp>

#include "connectors/http/sigv4.hpp"

using namespace rollcall;
using namespace rollcall::http;

namespace {

const Secret kSecret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
constexpr UnixTime kExampleTime = 1440938160;  // 2015-08-30T12:36:00Z

struct ExampleClock final : Clock {
  UnixTime now() const override { return kExampleTime; }
};

Request example_request() {
  Request r;
  r.method = Method::get;
  r.url = "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"X-Amz-Date", "20150830T123600Z"}};
  return r;
}

std::string header(const Request& r, const std::string& name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return h.value;
  }
  for (const auto& h : r.secret_headers) {
    if (h.name == name) return h.value.reveal();
  }
  return "(absent)";
}

}  // namespace

TEST_CASE("sigv4: the canonical request of the published IAM example", "[http][sigv4]") {
  std::string signed_headers;
  auto canonical = sigv4::canonical_request(example_request(), signed_headers);
  REQUIRE(canonical.ok());
  CHECK(*canonical ==
        "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
        "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n"
        "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(signed_headers == "content-type;host;x-amz-date");
  CHECK(sigv4::sha256_hex(*canonical) == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
}

TEST_CASE("sigv4: the string to sign, signing key and signature of the published example", "[http][sigv4]") {
  std::string signed_headers;
  auto canonical = sigv4::canonical_request(example_request(), signed_headers);
  REQUIRE(canonical.ok());
  const std::string to_sign = sigv4::string_to_sign("20150830T123600Z", "20150830/us-east-1/iam/aws4_request", *canonical);
  CHECK(to_sign ==
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
        "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  CHECK(sigv4::signing_key_hex(kSecret, "20150830", "us-east-1", "iam") ==
        "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  CHECK(sigv4::signature(kSecret, "20150830", "us-east-1", "iam", to_sign) ==
        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST_CASE("sigv4: the signer adds X-Amz-Date and the Authorization header as a secret", "[http][sigv4]") {
  ExampleClock clock;
  SigV4Signer signer({"AKIDEXAMPLE", kSecret, Secret()}, "us-east-1", "iam", clock);
  Request r = example_request();
  r.headers.pop_back();  // the signer sets X-Amz-Date itself
  REQUIRE(signer.sign(r).ok());
  CHECK(header(r, "X-Amz-Date") == "20150830T123600Z");
  CHECK(header(r, "Authorization") ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  CHECK(header(r, "X-Amz-Security-Token") == "(absent)");
  CHECK_FALSE(signer.renew(r));

  SECTION("signing again replaces the signature instead of adding a second one") {
    REQUIRE(signer.sign(r).ok());
    CHECK(r.secret_headers.size() == 1);
    CHECK(r.headers.size() == 2);
  }
}

TEST_CASE("sigv4: a session token is sent and signed; a POST body and a port are signed", "[http][sigv4]") {
  ExampleClock clock;
  SigV4Signer signer({"ASIAEXAMPLE", kSecret, Secret("session-token-1")}, "eu-west-1", "iam", clock);
  Request r;
  r.method = Method::post;
  r.url = "http://127.0.0.1:4566/";
  r.body = "Action=ListUsers&Version=2010-05-08";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"Accept", "text/xml"}};
  REQUIRE(signer.sign(r).ok());
  CHECK(header(r, "X-Amz-Security-Token") == "session-token-1");
  const std::string auth = header(r, "Authorization");
  CHECK(auth.find("Credential=ASIAEXAMPLE/20150830/eu-west-1/iam/aws4_request, "
                  "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=") == 17);

  std::string signed_headers;
  auto canonical = sigv4::canonical_request(r, signed_headers);
  REQUIRE(canonical.ok());
  CHECK(canonical->find("host:127.0.0.1:4566\n") != std::string::npos);
  CHECK(canonical->find("accept") == std::string::npos);
  CHECK(canonical->substr(canonical->size() - 64) == sigv4::sha256_hex(r.body));
}

TEST_CASE("sigv4: query parameters are sorted and encoded once", "[http][sigv4]") {
  Request r;
  r.url = "https://iam.amazonaws.com/a%20b/?Version=2010-05-08&Action=ListUsers&PathPrefix=%2Fdiv%2F&X=a+b";
  std::string signed_headers;
  auto canonical = sigv4::canonical_request(r, signed_headers);
  REQUIRE(canonical.ok());
  CHECK(canonical->substr(0, canonical->find("\nhost")) ==
        "GET\n/a%20b/\nAction=ListUsers&PathPrefix=%2Fdiv%2F&Version=2010-05-08&X=a%20b");
}
