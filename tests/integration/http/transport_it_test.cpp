// CurlTransport (and the retrying transport the factory builds around it) against a real
// socket on 127.0.0.1.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "connectors/http/curl_transport.hpp"
#include "connectors/http/parallel.hpp"
#include "tests/integration/http/fake_server.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::http;
using namespace rollcall::testing;
using Fault = FakeServer::Fault;
using FaultKind = FakeServer::FaultKind;

namespace {

std::unique_ptr<CurlTransport> curl(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  CurlOptions o;
  o.timeout = timeout;
  o.connect_timeout = std::chrono::seconds(2);
  auto t = CurlTransport::create(o);
  REQUIRE(t.ok());
  return std::move(t).value();
}

Request get(const std::string& url) {
  Request r;
  r.url = url;
  r.secret_headers.push_back({"Authorization", Secret("Bearer it-secret-42")});
  return r;
}

std::string error_of(const Result<Response>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("curl: sequential requests reuse one kept-alive connection", "[http][curl][integration]") {
  FakeServer server;
  server.get("/ping", [](const httplib::Request&, httplib::Response& res) { reply_json(res, R"({"ok":true})"); });
  auto t = curl();
  for (int i = 0; i < 300; ++i) {
    auto r = t->send(get(server.url() + "/ping?i=" + std::to_string(i)));
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
  }
  CHECK(server.requests().size() == 300);
  CHECK(server.connections() == 1);
  CHECK(server.requests()[0].authorization == "Bearer it-secret-42");
}

TEST_CASE("curl: N parallel workers use at most N connections", "[http][curl][integration]") {
  FakeServer server;
  server.get("/ping", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    reply_json(res, "{}");
  });
  auto t = curl();
  auto r = ordered_parallel<int>(
      200, 4,
      [&](std::size_t) -> Result<int> {
        RC_ASSIGN(Response resp, t->send(get(server.url() + "/ping")));
        return resp.status;
      },
      [](std::size_t, int&& status) -> Result<void> {
        if (status != 200) return fail("status " + std::to_string(status));
        return {};
      });
  REQUIRE(r.ok());
  CHECK(server.connections() <= 4);
  CHECK(server.requests().size() == 200);
}

TEST_CASE("curl: compressed JSON bodies are decoded", "[http][curl][integration]") {
  FakeServer server;
  std::string big = "[" + std::string(20000, ' ') + "1]";
  server.get("/big", [&](const httplib::Request&, httplib::Response& res) { reply_json(res, big); });
  auto r = curl()->send(get(server.url() + "/big"));
  REQUIRE(r.ok());
  CHECK(r->body == big);
  const std::string* encoding = r->header("content-encoding");
  CHECK(encoding != nullptr);  // httplib compressed it (the client asked for gzip/br)
}

TEST_CASE("curl: a server slower than the timeout fails with the timeout", "[http][curl][integration]") {
  FakeServer server;
  server.get("/slow", [](const httplib::Request&, httplib::Response& res) { reply_json(res, "{}"); });
  server.inject(Fault{FaultKind::delay, "/slow", "", 200, {}, "", std::chrono::milliseconds(3000)});
  auto t0 = std::chrono::steady_clock::now();
  CHECK(error_of(curl(std::chrono::milliseconds(1000))->send(get(server.url() + "/slow"))) ==
        "no complete response within 1s (the timeout)");
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2500));
}

TEST_CASE("curl: a connection reset in the middle of the body is a failure", "[http][curl][integration]") {
  // httplib always ends a connection with a FIN; this server answers every connection with
  // half a response and then a TCP RST.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  REQUIRE(::listen(listener, 4) == 0);
  std::thread rude([listener] {
    int c = ::accept(listener, nullptr, nullptr);
    if (c < 0) return;
    char buf[4096];
    (void)::recv(c, buf, sizeof buf, 0);
    std::string half = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[1,2,";
    (void)::send(c, half.data(), half.size(), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    linger hard{1, 0};
    ::setsockopt(c, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::close(c);
  });
  auto r = curl()->send(get("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/page"));
  rude.join();
  ::close(listener);
  CHECK(error_of(r) == "the connection was reset by the server");
}

TEST_CASE("curl: a connection closed in the middle of the body is a failure", "[http][curl][integration]") {
  FakeServer server;
  server.get("/page", [](const httplib::Request&, httplib::Response& res) { reply_json(res, std::string(100000, ' ') + "[]"); });
  server.inject(Fault{FaultKind::drop_mid_body, "/page"});
  CHECK(error_of(curl()->send(get(server.url() + "/page"))) ==
        "the connection closed before the whole response body arrived");
}

TEST_CASE("curl: nobody listening is a clear connect failure", "[http][curl][integration]") {
  int port;
  {
    FakeServer server;
    port = server.port();
  }
  CHECK(error_of(curl()->send(get("http://127.0.0.1:" + std::to_string(port) + "/x"))) ==
        "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_CASE("curl: a body over the size limit fails instead of filling memory", "[http][curl][integration]") {
  FakeServer server;
  server.get("/huge", [](const httplib::Request&, httplib::Response& res) {
    reply_json(res, std::string(3 << 20, 'x'), 200, "application/octet-stream");
  });
  CurlOptions o;
  o.max_body_bytes = 1 << 20;
  auto t = CurlTransport::create(o);
  REQUIRE(t.ok());
  CHECK(error_of((*t)->send(get(server.url() + "/huge"))) == "the response body is larger than 1 MiB");
}

TEST_CASE("curl: a missing CA bundle is reported when the transport is made", "[http][curl][integration]") {
  CurlOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  auto t = CurlTransport::create(o);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message() == "CA bundle \"/nonexistent/ca.pem\" not found");
}

TEST_CASE("curl: TLS to a plain-http server fails and says it is TLS", "[http][curl][integration]") {
  FakeServer server;
  auto r = curl()->send(get("https://127.0.0.1:" + std::to_string(server.port()) + "/x"));
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message(), Catch::Contains("SSL") || Catch::Contains("TLS"));
}

TEST_CASE("factory: turning TLS verification off is logged as a warning", "[http][curl][integration]") {
  RecordingSleeper sleeper;
  CurlTransportFactory factory(sleeper, [] { return 0.5; });
  CapturingLogger log(LogLevel::warn);
  FixedClock clock(0);
  TransportOptions options;
  options.system = "lab";
  options.verify_tls = false;
  REQUIRE(factory.create(options, log, clock).ok());
  CHECK_THAT(log.joined(), Catch::Contains("lab: TLS CERTIFICATE VERIFICATION IS OFF"));
}
