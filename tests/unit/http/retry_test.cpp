#include <catch2/catch.hpp>

#include <algorithm>

#include "connectors/http/http_config.hpp"
#include "connectors/http/retry.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::http;
using rollcall::testing::BorrowedTransport;
using rollcall::testing::FakeTransport;
using rollcall::testing::RecordingSleeper;
using std::chrono::milliseconds;
using Reply = FakeTransport::Reply;

namespace {

constexpr UnixTime kNow = 1'800'000'000;

struct Fixture {
  FakeTransport fake;
  RecordingSleeper sleeper;
  CapturingLogger log{LogLevel::debug};
  FixedClock clock{kNow};
  RetryPolicy policy;

  std::unique_ptr<RetryingTransport> transport() {
    return std::make_unique<RetryingTransport>(std::make_unique<BorrowedTransport>(fake), policy,
                                               RetryContext{"test", log, clock, sleeper, [] { return 0.5; }});
  }
  Result<Response> get(const std::string& target = "/x", Method method = Method::get) {
    Request r;
    r.method = method;
    r.url = "https://api.test" + target;
    r.secret_headers.push_back({"Authorization", Secret("Bearer tok-123456")});
    return transport()->send(r);
  }
};

std::vector<milliseconds> ms(std::initializer_list<long> values) {
  std::vector<milliseconds> out;
  for (long v : values) out.emplace_back(v);
  return out;
}

}  // namespace

TEST_CASE("retry: a 429 with Retry-After is retried after exactly that delay", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /x", {Reply{429, "{}", {{"Retry-After", "7"}}}, Reply{200, "ok"}});
  auto r = f.get();
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->attempts == 2);
  CHECK(f.sleeper.waits() == ms({7000}));
}

TEST_CASE("retry: 500 and 502 are retried with exponential backoff and jitter", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /x", {Reply{500, "boom"}, Reply{502, ""}, Reply{200, "ok"}});
  auto r = f.get();
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  // Full jitter with a draw of 0.5: half of 1s, then half of 2s.
  CHECK(f.sleeper.waits() == ms({500, 1000}));
}

TEST_CASE("retry: the backoff is capped by max_delay", "[http][retry]") {
  Fixture f;
  f.policy.max_attempts = 8;
  f.policy.max_delay = milliseconds(3000);
  f.fake.on("GET /x", {Reply{503, ""}, Reply{503, ""}, Reply{503, ""}, Reply{503, ""}, Reply{200, "ok"}});
  REQUIRE(f.get().ok());
  CHECK(f.sleeper.waits() == ms({500, 1000, 1500, 1500}));
}

TEST_CASE("retry: a network failure is retried", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /x", {Reply{0, "", {}, "the connection was reset by the server"}, Reply{200, "ok"}});
  auto r = f.get();
  REQUIRE(r.ok());
  CHECK(r->attempts == 2);
}

TEST_CASE("retry: persistent network failures give up after max_attempts", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /x", Reply{0, "", {}, "the connection was reset by the server"});
  auto r = f.get();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "the connection was reset by the server (gave up after 5 attempts)");
  CHECK(f.fake.sent().size() == 5);
  CHECK(f.sleeper.waits().size() == 4);
}

TEST_CASE("retry: a 5xx that persists is returned after max_attempts with the count", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /x", Reply{503, "down"});
  auto r = f.get();
  REQUIRE(r.ok());
  CHECK(r->status == 503);
  CHECK(r->attempts == 5);
}

TEST_CASE("retry: 401 and a plain 403 are returned at once, never retried", "[http][retry]") {
  for (int status : {401, 403, 404, 422}) {
    Fixture f;
    f.fake.on("GET /x", Reply{status, R"({"message":"no"})"});
    auto r = f.get();
    REQUIRE(r.ok());
    CHECK(r->status == status);
    CHECK(f.fake.sent().size() == 1);
    CHECK(f.sleeper.waits().empty());
  }
}

TEST_CASE("retry: a GitHub 403 with X-RateLimit-Remaining 0 waits until X-RateLimit-Reset", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /x", {Reply{403, R"({"message":"API rate limit exceeded"})",
                             {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", std::to_string(kNow + 30)}}},
                       Reply{200, "ok"}});
  REQUIRE(f.get().ok());
  CHECK(f.sleeper.waits() == ms({31000}));
}

TEST_CASE("retry: an Okta 429 waits until X-Rate-Limit-Reset", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /x", {Reply{429, R"({"errorCode":"E0000047","errorSummary":"API call exceeded rate limit"})",
                             {{"X-Rate-Limit-Limit", "600"}, {"X-Rate-Limit-Remaining", "0"},
                              {"X-Rate-Limit-Reset", std::to_string(kNow + 20)}}},
                       Reply{200, "ok"}});
  REQUIRE(f.get().ok());
  CHECK(f.sleeper.waits() == ms({21000}));
}

TEST_CASE("retry: an Okta answer with X-Rate-Limit-Remaining 0 holds the next request; a positive one does not",
          "[http][retry]") {
  Fixture f;
  f.fake.on("GET /a", Reply{200, "ok", {{"X-Rate-Limit-Remaining", "0"}, {"X-Rate-Limit-Reset", std::to_string(kNow + 10)}}});
  f.fake.on("GET /b", Reply{200, "ok", {{"X-Rate-Limit-Remaining", "7"}, {"X-Rate-Limit-Reset", std::to_string(kNow + 50)}}});
  auto t = f.transport();
  Request a;
  a.url = "https://api.test/a";
  Request b;
  b.url = "https://api.test/b";
  REQUIRE(t->send(a).ok());
  REQUIRE(t->send(b).ok());
  CHECK(f.sleeper.waits() == ms({11000}));
  CHECK_THAT(f.log.joined(), Catch::Contains("(X-Rate-Limit-Reset)"));
  REQUIRE(t->send(a).ok());  // the look-alike: 7 remaining held nothing back
  CHECK(f.sleeper.waits() == ms({11000}));
}

TEST_CASE("retry: a GitHub secondary rate limit without headers waits at least a minute", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /x", {Reply{403, R"({"message":"You have exceeded a secondary rate limit. Please wait."})"},
                       Reply{200, "ok"}});
  REQUIRE(f.get().ok());
  CHECK(f.sleeper.waits() == ms({60500}));
}

TEST_CASE("retry: Retry-After as an HTTP date is honoured", "[http][retry]") {
  Fixture f;
  f.clock.set(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  f.fake.on("GET /x", {Reply{503, "", {{"Retry-After", "Wed, 21 Oct 2015 07:30:00 GMT"}}}, Reply{200, "ok"}});
  REQUIRE(f.get().ok());
  CHECK(f.sleeper.waits() == ms({120000}));
}

TEST_CASE("retry: a wait longer than the budget fails at once, saying so", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /x", Reply{429, "", {{"Retry-After", "3600"}}});
  auto r = f.get();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() ==
        "HTTP 429 (rate limited): the server asks to wait 1h, longer than the retry wait budget (5m) allows");
  CHECK(f.fake.sent().size() == 1);
  CHECK(f.sleeper.waits().empty());
}

TEST_CASE("retry: a used-up quota holds back the next request until the reset", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /a", Reply{200, "ok", {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", std::to_string(kNow + 10)}}});
  f.fake.on("GET /b", Reply{200, "ok"});
  auto t = f.transport();
  Request a;
  a.url = "https://api.test/a";
  Request b;
  b.url = "https://api.test/b";
  REQUIRE(t->send(a).ok());
  CHECK(f.sleeper.waits().empty());
  REQUIRE(t->send(b).ok());
  CHECK(f.sleeper.waits() == ms({11000}));
}

TEST_CASE("retry: a quota reset beyond the budget fails the next request", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /a", Reply{200, "ok", {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", std::to_string(kNow + 3600)}}});
  auto t = f.transport();
  Request a;
  a.url = "https://api.test/a";
  REQUIRE(t->send(a).ok());
  auto r = t->send(a);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "the API rate limit is used up until " + format_iso8601(kNow + 3600) +
                                   " (X-RateLimit-Reset), longer than the retry wait budget (5m) allows");
}

TEST_CASE("retry: the request log has method, path, status, duration and attempt, and no secrets",
          "[http][retry]") {
  Fixture f;
  f.fake.on("GET /orgs/acme/members?page=2&access_token=tok-123456", {Reply{502, ""}, Reply{200, "[]"}});
  REQUIRE(f.get("/orgs/acme/members?page=2&access_token=tok-123456").ok());
  std::string log = f.log.joined();
  CHECK_THAT(log, Catch::Contains("test: GET /orgs/acme/members?page=2&access_token=REDACTED -> 502 ("));
  CHECK_THAT(log, Catch::Contains(" ms, attempt 1)"));
  CHECK_THAT(log, Catch::Contains("-> 200 ("));
  CHECK_THAT(log, Catch::Contains(" ms, attempt 2)"));
  CHECK_THAT(log, Catch::Contains("test: GET /orgs/acme/members?page=2&access_token=REDACTED: HTTP 502; "
                                  "retrying after 500ms (attempt 2 of 5)"));
  CHECK_THAT(log, !Catch::Contains("tok-123456"));
}

TEST_CASE("retry: secrets are scrubbed from messages, with or without their scheme", "[http][retry]") {
  Request r;
  r.secret_headers.push_back({"Authorization", Secret("Bearer tok-123456")});
  CHECK(scrub_secrets("got Bearer tok-123456 and tok-123456", r) == "got [REDACTED] and [REDACTED]");
  // A Basic credential: the base64 and, when the header lists it, the raw token inside it.
  Request b;
  b.secret_headers.push_back({"Authorization", basic("bot@acme.com", Secret("api-tok-98765")), {Secret("api-tok-98765")}});
  CHECK(scrub_secrets("got " + basic("bot@acme.com", Secret("api-tok-98765")).reveal() + " for bot@acme.com:api-tok-98765",
                      b) == "got [REDACTED] for [REDACTED]");
}

TEST_CASE("retry: waits are described for people", "[http][retry]") {
  CHECK(describe_wait(milliseconds(850)) == "850ms");
  CHECK(describe_wait(milliseconds(1500)) == "1.5s");
  CHECK(describe_wait(milliseconds(300000)) == "5m");
  CHECK(describe_wait(milliseconds(90000)) == "1m30s");
  CHECK(describe_wait(milliseconds(5400000)) == "1h30m");
}

TEST_CASE("retry: a write whose fate is unknown is never retried (5xx, timeout, reset)", "[http][retry]") {
  for (Method m : {Method::post, Method::patch, Method::put, Method::del}) {
    Fixture f;
    f.fake.on(std::string(to_string(m)) + " /x", {Reply{503, "down"}, Reply{200, "ok"}});
    auto r = f.get("/x", m);
    REQUIRE(r.ok());
    CHECK(r->status == 503);
    CHECK(f.fake.sent().size() == 1);

    Fixture g;
    g.fake.on(std::string(to_string(m)) + " /x", {Reply{0, "", {}, "timed out after 5 s"}, Reply{200, "ok"}});
    auto t = g.get("/x", m);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().message() == "timed out after 5 s");
    CHECK(g.fake.sent().size() == 1);
    CHECK(g.sleeper.waits().empty());
  }
}

TEST_CASE("retry: a write refused by a rate limit (not processed) is retried", "[http][retry]") {
  Fixture f;
  f.fake.on("POST /x", {Reply{429, "{}", {{"Retry-After", "2"}}}, Reply{201, "{}"}});
  auto r = f.get("/x", Method::post);
  REQUIRE(r.ok());
  CHECK(r->status == 201);
  CHECK(f.sleeper.waits() == ms({2000}));
}

TEST_CASE("retry: min_interval spaces the sends of one transport; the first is not held", "[http][retry]") {
  Fixture f;
  f.policy.min_interval = milliseconds(200);
  f.fake.on("GET /x", Reply{200, "ok"});
  auto transport = f.transport();
  Request r;
  r.url = "https://api.test/x";
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) REQUIRE(transport->send(r).ok());
  auto elapsed = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
  // The sleeper records instead of sleeping, so each send's slot is 200 ms after the one
  // before: the last recorded wait and the real time together cover the five gaps.
  auto waits = f.sleeper.waits();
  REQUIRE_FALSE(waits.empty());
  CHECK(std::is_sorted(waits.begin(), waits.end()));
  CHECK(waits.back() <= milliseconds(5 * 200));
  CHECK(waits.back() + elapsed >= milliseconds(5 * 200));
  CHECK(f.fake.sent().size() == 6);
}

TEST_CASE("retry: without min_interval nothing is paced (control)", "[http][retry]") {
  Fixture f;
  f.fake.on("GET /x", Reply{200, "ok"});
  auto transport = f.transport();
  Request r;
  r.url = "https://api.test/x";
  for (int i = 0; i < 6; ++i) REQUIRE(transport->send(r).ok());
  CHECK(f.sleeper.waits().empty());
}

TEST_CASE("retry: a 429 without Retry-After waits at least rate_limit_wait; with one, the server's wait",
          "[http][retry]") {
  Fixture f;
  f.policy.rate_limit_wait = milliseconds(30'000);
  f.fake.on("GET /x", {Reply{429, "{}"}, Reply{200, "ok"}});
  REQUIRE(f.get().ok());
  CHECK(f.sleeper.waits() == ms({30000}));
  Fixture g;
  g.policy.rate_limit_wait = milliseconds(30'000);
  g.fake.on("GET /x", {Reply{429, "{}", {{"Retry-After", "2"}}}, Reply{200, "ok"}});
  REQUIRE(g.get().ok());
  CHECK(g.sleeper.waits() == ms({2000}));
  Fixture h;  // a 503 is not a rate limit: plain backoff
  h.policy.rate_limit_wait = milliseconds(30'000);
  h.fake.on("GET /x", {Reply{503, "{}"}, Reply{200, "ok"}});
  REQUIRE(h.get().ok());
  CHECK(h.sleeper.waits() == ms({500}));
}

TEST_CASE("retry: a read_only POST is retried on 5xx like a GET; a write is not", "[http][retry]") {
  Fixture f;
  f.fake.on("POST /x", {Reply{503, ""}, Reply{200, "ok"}});
  Request r;
  r.method = Method::post;
  r.url = "https://api.test/x";
  r.read_only = true;
  auto read = f.transport()->send(r);
  REQUIRE(read.ok());
  CHECK(read->status == 200);
  CHECK(read->attempts == 2);

  f.fake.on("POST /x", {Reply{503, ""}, Reply{200, "ok"}});
  r.read_only = false;
  auto write = f.transport()->send(r);
  REQUIRE(write.ok());
  CHECK(write->status == 503);
  CHECK(write->attempts == 1);
}

TEST_CASE("retry: the policy's classify hook makes an API's own throttling answer retryable", "[http][retry]") {
  Fixture f;
  f.policy.classify = [](const Response& r, bool) -> std::optional<RetryAdvice> {
    if (r.status == 400 && r.body.find("<Code>Throttling</Code>") != std::string::npos) {
      RetryAdvice a;
      a.retry = true;
      a.reason = "HTTP 400 Throttling";
      return a;
    }
    return std::nullopt;
  };
  const std::string throttled = "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>";
  f.fake.on("POST /x", {Reply{400, throttled}, Reply{400, throttled}, Reply{200, "ok"}});
  Request r;
  r.method = Method::post;
  r.url = "https://api.test/x";
  auto sent = f.transport()->send(r);
  REQUIRE(sent.ok());
  CHECK(sent->status == 200);
  CHECK(sent->attempts == 3);
  CHECK(f.sleeper.waits() == ms({500, 1000}));

  f.fake.on("POST /x", Reply{400, "<ErrorResponse><Error><Code>ValidationError</Code></Error></ErrorResponse>"});
  auto invalid = f.transport()->send(r);
  REQUIRE(invalid.ok());
  CHECK(invalid->status == 400);
  CHECK(invalid->attempts == 1);
}
