#include "connectors/http/token_transport.hpp"

#include <catch2/catch.hpp>

#include "connectors/http/api_client.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::http;
using rollcall::testing::FakeTransport;
using Reply = FakeTransport::Reply;

namespace {

// Hands out "tok-1", "tok-2", ... and counts renewals.
class CountingTokens final : public TokenSource {
 public:
  Result<Secret> token() override { return Secret("tok-" + std::to_string(generation)); }
  Result<Secret> renew(const Secret& rejected) override {
    if (rejected.reveal() == "tok-" + std::to_string(generation)) ++generation;
    ++renewals;
    if (!fail_renewal.empty()) return fail(fail_renewal);
    return token();
  }
  int generation = 1;
  int renewals = 0;
  std::string fail_renewal;
};

std::string authorization(const Request& r) {
  for (const auto& h : r.secret_headers) {
    if (h.name == "Authorization") return h.value.reveal();
  }
  return "";
}

}  // namespace

TEST_CASE("token transport: the current token goes with every request", "[http][token]") {
  FakeTransport fake;
  CountingTokens tokens;
  CapturingLogger log;
  TokenTransport t(fake, tokens, log, "entra");
  fake.on("GET /users", Reply{200, "{}"});
  auto r = t.send(Request{Method::get, "https://g.test/users"});
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  REQUIRE(fake.sent().size() == 1);
  CHECK(authorization(fake.sent()[0]) == "Bearer tok-1");
  CHECK(tokens.renewals == 0);
}

TEST_CASE("token transport: a 401 renews the token once and sends the request again", "[http][token]") {
  FakeTransport fake;
  CountingTokens tokens;
  CapturingLogger log;
  TokenTransport t(fake, tokens, log, "entra");
  SECTION("the renewed token is accepted") {
    fake.on("GET /users", std::vector<Reply>{{401, R"({"error":{"code":"InvalidAuthenticationToken"}})"}, {200, "{}"}});
    auto r = t.send(Request{Method::get, "https://g.test/users"});
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    REQUIRE(fake.sent().size() == 2);
    CHECK(authorization(fake.sent()[1]) == "Bearer tok-2");
    CHECK(tokens.renewals == 1);
  }
  SECTION("the renewed token is refused too: that 401 is the answer, with no third try") {
    fake.on("GET /users", Reply{401, R"({"error":{"code":"InvalidAuthenticationToken","message":"no tok-2 here"}})"});
    auto r = t.send(Request{Method::get, "https://g.test/users"});
    REQUIRE(r.ok());
    CHECK(r->status == 401);
    CHECK(fake.sent().size() == 2);
    CHECK(tokens.renewals == 1);
    // The echoed token is scrubbed before anyone above reads the body.
    CHECK(r->body == R"({"error":{"code":"InvalidAuthenticationToken","message":"no [REDACTED] here"}})");
  }
  SECTION("a renewal that fails is the request's error") {
    tokens.fail_renewal = "POST /t/oauth2/v2.0/token: HTTP 400: AADSTS7000215: Invalid client secret provided.";
    fake.on("GET /users", Reply{401, "{}"});
    auto r = t.send(Request{Method::get, "https://g.test/users"});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == tokens.fail_renewal);
    CHECK(fake.sent().size() == 1);
  }
}

TEST_CASE("token transport: other failures are returned as they are, without a renewal", "[http][token]") {
  FakeTransport fake;
  CountingTokens tokens;
  CapturingLogger log;
  TokenTransport t(fake, tokens, log, "entra");
  fake.on("GET /users", Reply{403, R"({"error":{"code":"Authorization_RequestDenied"}})"});
  auto r = t.send(Request{Method::get, "https://g.test/users"});
  REQUIRE(r.ok());
  CHECK(r->status == 403);
  CHECK(fake.sent().size() == 1);
  CHECK(tokens.renewals == 0);
}
