// The RequestSigner seam of ApiClient: a credential that is fetched and renewed is attached to
// every request, and a 401 is answered by one renewal and one more send, never more.
#include <catch2/catch.hpp>

#include <atomic>

#include "connectors/http/api_client.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::http;
using namespace rollcall::testing;
using Reply = FakeTransport::Reply;

namespace {

// Hands out "Bearer token-N"; renew() moves to the next N when `renewable`.
class CountingSigner final : public RequestSigner {
 public:
  explicit CountingSigner(bool renewable) : renewable_(renewable) {}
  Result<void> sign(Request& request) override {
    ++signed_;
    request.secret_headers.push_back({"Authorization", Secret("Bearer token-" + std::to_string(generation_.load()))});
    return {};
  }
  bool renew(const Request&) override {
    ++renewals_;
    if (renewable_) ++generation_;
    return renewable_;
  }
  int signed_count() const { return signed_; }
  int renewals() const { return renewals_; }

 private:
  bool renewable_;
  std::atomic<int> generation_{1};
  std::atomic<int> signed_{0};
  std::atomic<int> renewals_{0};
};

struct Fixture {
  FakeTransport fake;
  CapturingLogger log{LogLevel::debug};

  ApiClient client(std::shared_ptr<RequestSigner> signer) {
    ApiOptions o;
    o.base_url = "https://idp.test";
    o.signer = std::move(signer);
    o.credential_source = "the test signer";
    auto c = ApiClient::create(fake, std::move(o), log);
    REQUIRE(c.ok());
    return std::move(c).value();
  }
  std::vector<std::string> authorizations() const {
    std::vector<std::string> out;
    for (const auto& r : fake.sent()) {
      for (const auto& h : r.secret_headers) out.push_back(h.value.reveal());
    }
    return out;
  }
};

}  // namespace

TEST_CASE("signer: every request carries the signer's credential", "[http][signer]") {
  Fixture f;
  auto signer = std::make_shared<CountingSigner>(true);
  auto c = f.client(signer);
  f.fake.on("GET /a", Reply{200, "[]"});
  f.fake.on("PUT /b", Reply{204, ""});
  REQUIRE(c.get("/a").ok());
  REQUIRE(c.send(Method::put, "/b").ok());
  CHECK(f.authorizations() == std::vector<std::string>{"Bearer token-1", "Bearer token-1"});
  CHECK(signer->renewals() == 0);
}

TEST_CASE("signer: a 401 renews once and sends once more, for reads and writes", "[http][signer]") {
  Fixture f;
  auto signer = std::make_shared<CountingSigner>(true);
  auto c = f.client(signer);
  f.fake.on("GET /a", {Reply{401, R"({"errorSummary":"Invalid token provided"})"}, Reply{200, "[1]"}});
  f.fake.on("PUT /b", {Reply{401, ""}, Reply{204, ""}});
  auto got = c.get("/a");
  REQUIRE(got.ok());
  CHECK(*got == Json::array({1}));
  REQUIRE(c.send(Method::put, "/b").ok());
  CHECK(f.fake.targets() == std::vector<std::string>{"GET /a", "GET /a", "PUT /b", "PUT /b"});
  CHECK(f.authorizations() ==
        std::vector<std::string>{"Bearer token-1", "Bearer token-2", "Bearer token-2", "Bearer token-3"});
  CHECK(signer->renewals() == 2);
}

TEST_CASE("signer: a second 401 is the answer, and a signer that cannot renew sends once", "[http][signer]") {
  for (bool renewable : {true, false}) {
    DYNAMIC_SECTION((renewable ? "renewable" : "static")) {
      Fixture f;
      auto signer = std::make_shared<CountingSigner>(renewable);
      auto c = f.client(signer);
      f.fake.on("GET /a", Reply{401, R"({"message":"Invalid token provided"})"});
      auto got = c.get("/a");
      REQUIRE_FALSE(got.ok());
      CHECK(got.error().message() ==
            "GET /a: HTTP 401: Invalid token provided (the credential from the test signer was rejected)");
      CHECK(f.fake.sent().size() == (renewable ? 2u : 1u));
      CHECK(signer->renewals() == 1);
    }
  }
}

TEST_CASE("signer: a signer that cannot produce a credential fails the request unsent", "[http][signer]") {
  struct Broken final : RequestSigner {
    Result<void> sign(Request&) override { return fail("POST /oauth2/v1/token: HTTP 400: invalid_client"); }
    bool renew(const Request&) override { return false; }
  };
  Fixture f;
  auto c = f.client(std::make_shared<Broken>());
  auto got = c.get("/a", {{"limit", "2"}});
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().message() == "GET /a?limit=2: POST /oauth2/v1/token: HTTP 400: invalid_client");
  CHECK(f.fake.sent().empty());
}
