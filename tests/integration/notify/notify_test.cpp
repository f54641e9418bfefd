// [[notify]] end to end against a fake receiver: what is selected (new findings at or above the
// threshold; persisting ones only with repeat; never excepted ones), the webhook's JSON body and
// HMAC signature, the Slack message, retries on 5xx, and that neither the HMAC key nor a secret
// URL ever reaches the log or an error.
#include <catch2/catch.hpp>

#include <mutex>

#include <nlohmann/json.hpp>

#include "connectors/http/transport_factory.hpp"
#include "scanner/config/config.hpp"
#include "scanner/notify/notify.hpp"
#include "tests/integration/http/fake_server.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using rollcall::testing::FakeServer;
using rollcall::testing::TempDir;

namespace {

constexpr const char* kKey = "hmac-key-5c1e9a";

class NoSleep final : public http::Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds) override { ++sleeps; }
  int sleeps = 0;
};

// What the receiver got: one entry per request.
struct Received {
  std::mutex mutex;
  std::vector<std::string> bodies;
  std::vector<std::string> signatures;
  std::vector<std::string> deliveries;
};

void receive(FakeServer& server, const std::string& path, Received& got) {
  server.route("POST", path, [&got](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(got.mutex);
    got.bodies.push_back(req.body);
    got.signatures.push_back(req.get_header_value("X-Rollcall-Signature-256"));
    got.deliveries.push_back(req.get_header_value("X-Rollcall-Delivery"));
    res.set_content("ok", "text/plain");
  });
}

reports::Finding finding(std::string kind, reports::Severity sev, reports::FindingStatus status, std::string who) {
  reports::Finding f;
  f.fingerprint = kind + "-" + who;
  f.kind = std::move(kind);
  f.severity = sev;
  f.status = status;
  f.system = "okta";
  f.account_id = who;
  f.person_email = who;
  f.message = who + " <needs> a look & a fix";
  return f;
}

// A scan with one new critical (to send), and controls that must stay out: a persisting high, a
// new medium (below the threshold) and an excepted critical.
reports::Report report() {
  reports::Report r;
  r.scan_id = 7;
  r.workspace = "/srv/acme";
  r.started_at = 1'790'000'000;
  r.finished_at = 1'790'000'060;
  using S = reports::Severity;
  using St = reports::FindingStatus;
  r.findings = {finding("terminated_active", S::critical, St::new_, "bob@acme.com"),
                finding("unauthorized_access", S::high, St::persisting, "raj@acme.com"),
                finding("dormant_account", S::medium, St::new_, "ann@acme.com"),
                finding("terminated_active", S::critical, St::excepted, "eve@acme.com")};
  r.summary.open = 3;
  r.summary.new_ = 2;
  r.summary.persisting = 1;
  r.summary.excepted = 1;
  return r;
}

Result<std::vector<notify::Target>> targets(const TempDir& dir, const std::string& toml,
                                            std::map<std::string, std::string> env = {}) {
  dir.write("rollcall.toml", "[roster]\npath = \"roster.csv\"\n\n" + toml);
  auto cfg = config::load_workspace(dir.path(), [](const std::string&) { return nullptr; }, {});
  if (!cfg) return fail(cfg.error());
  return notify::read_targets(cfg->notify, SecretSource::from_map(std::move(env)), dir.path());
}

struct Sender {
  NoSleep sleeper;
  http::CurlTransportFactory factory{sleeper, [] { return 0.5; }};
  CapturingLogger log{LogLevel::debug};
  FixedClock clock{1'790'000'100};
  std::vector<notify::Delivery> send(const reports::Report& r, const std::vector<notify::Target>& t) {
    return notify::send_all(r, t, "/srv/acme/reports/report.json", factory, log, clock);
  }
};

}  // namespace

TEST_CASE("notify: a webhook gets the new findings at or above its threshold, signed with HMAC-SHA256",
          "[notify][integration]") {
  FakeServer server;
  Received got;
  receive(server, "/hooks/rollcall", got);
  TempDir dir;
  auto t = targets(dir, "[[notify]]\nname = \"siem\"\ntype = \"webhook\"\nurl = \"" + server.url() +
                            "/hooks/rollcall\"\nsecret_env = \"HOOK_KEY\"\n",
                   {{"HOOK_KEY", kKey}});
  REQUIRE(t.ok());
  Sender s;
  auto d = s.send(report(), *t);
  REQUIRE(d.size() == 1);
  CHECK(d[0].sent);
  CHECK(d[0].findings == 1);
  REQUIRE(got.bodies.size() == 1);
  const auto body = nlohmann::json::parse(got.bodies[0]);
  CHECK(body["schema"] == "rollcall.notify/v1");
  CHECK(body["scan_id"] == 7);
  CHECK(body["report"] == "/srv/acme/reports/report.json");
  CHECK(body["min_severity"] == "high");
  CHECK(body["summary"]["open"] == 3);
  CHECK(body["summary"]["open_by_severity"]["critical"] == 1);
  CHECK(body["summary"]["open_by_severity"]["high"] == 1);
  REQUIRE(body["findings"].size() == 1);
  CHECK(body["findings"][0]["person"] == "bob@acme.com");
  CHECK(body["findings"][0]["status"] == "new");
  // The signature is the HMAC of the exact bytes received; a receiver recomputes it.
  CHECK(got.signatures[0] == "sha256=" + notify::hmac_sha256_hex(Secret(kKey), got.bodies[0]));
  CHECK(got.signatures[0].size() == 7 + 64);
  CHECK(got.deliveries[0] == "scan-7-siem");
  CHECK(s.log.joined().find(kKey) == std::string::npos);
}

TEST_CASE("notify: HMAC-SHA256 matches the RFC 4231 test vector", "[notify]") {
  CHECK(notify::hmac_sha256_hex(Secret("Jefe"), "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("notify: persisting findings are sent again only with repeat = true", "[notify][integration]") {
  FakeServer server;
  Received got;
  receive(server, "/hook", got);
  TempDir dir;
  const std::string base = "[[notify]]\nname = \"w\"\ntype = \"webhook\"\nurl = \"" + server.url() + "/hook\"\n";
  Sender s;
  reports::Report r = report();
  r.findings.erase(r.findings.begin());  // nothing new at or above high: only the persisting high
  auto quiet = targets(dir, base);
  REQUIRE(quiet.ok());
  auto d = s.send(r, *quiet);
  CHECK_FALSE(d[0].sent);
  CHECK(d[0].error.empty());
  CHECK(got.bodies.empty());

  auto repeat = targets(dir, base + "repeat = true\n");
  REQUIRE(repeat.ok());
  d = s.send(r, *repeat);
  CHECK(d[0].sent);
  REQUIRE(got.bodies.size() == 1);
  CHECK(nlohmann::json::parse(got.bodies[0])["findings"][0]["person"] == "raj@acme.com");
  CHECK(got.signatures[0].empty());  // no secret: unsigned
}

TEST_CASE("notify: a slack target gets a readable message; its secret URL is never logged",
          "[notify][integration]") {
  FakeServer server;
  Received got;
  const std::string path = "/services/T000/B000/XXXXsecretXXXX";
  receive(server, path, got);
  TempDir dir;
  auto t = targets(dir, "[[notify]]\nname = \"sec-team\"\ntype = \"slack\"\nurl_env = \"SLACK_URL\"\nmin_severity = \"medium\"\n",
                   {{"SLACK_URL", server.url() + path}});
  REQUIRE(t.ok());
  Sender s;
  auto d = s.send(report(), *t);
  REQUIRE(d[0].sent);
  REQUIRE(got.bodies.size() == 1);
  const std::string text = nlohmann::json::parse(got.bodies[0])["text"];
  CHECK(text ==
        "*rollcall* scan #7: 2 new findings at or above medium\n"
        "Open: 1 critical, 1 high, 1 medium (3 in all)\n"
        "• *critical* `terminated_active` okta bob@acme.com: bob@acme.com &lt;needs&gt; a look &amp; a fix\n"
        "• *medium* `dormant_account` okta ann@acme.com: ann@acme.com &lt;needs&gt; a look &amp; a fix\n"
        "Report: /srv/acme/reports/report.json");
  CHECK(s.log.joined().find("XXXXsecretXXXX") == std::string::npos);
  CHECK(s.log.joined().find("[sec-team notify URL]") != std::string::npos);
}

TEST_CASE("notify: a 5xx is retried; a receiver that keeps failing is reported without secrets",
          "[notify][integration]") {
  FakeServer server;
  Received got;
  const std::string path = "/services/T1/B1/zzzzSECRETzzzz";
  receive(server, path, got);
  TempDir dir;
  auto t = targets(dir, "[[notify]]\nname = \"slack\"\ntype = \"slack\"\nurl_env = \"SLACK_URL\"\n",
                   {{"SLACK_URL", server.url() + path}});
  REQUIRE(t.ok());

  SECTION("two 503s, then delivered") {
    server.inject({FakeServer::FaultKind::status, path, "", 503, {}, "busy", {}, 2});
    Sender s;
    auto d = s.send(report(), *t);
    CHECK(d[0].sent);
    // The fake records a request before injecting its fault: three sends of the same message.
    REQUIRE(got.bodies.size() == 3);
    CHECK(got.bodies[0] == got.bodies[2]);
    CHECK(s.sleeper.sleeps == 2);
  }
  SECTION("always 500: not delivered, the error names the target, not the URL") {
    server.inject({FakeServer::FaultKind::status, path, "", 500, {}, "echo " + path, {}, -1});
    Sender s;
    auto d = s.send(report(), *t);
    CHECK_FALSE(d[0].sent);
    CHECK(d[0].error == "POST [slack notify URL]: HTTP 500: echo [REDACTED] (after 4 attempts)");
    CHECK(s.log.joined().find("SECRET") == std::string::npos);
  }
}

TEST_CASE("notify: configuration errors name the line and key", "[notify]") {
  TempDir dir;
  auto bad_type = targets(dir, "[[notify]]\nname = \"x\"\ntype = \"email\"\nurl = \"https://h/x\"\n");
  REQUIRE_FALSE(bad_type.ok());
  CHECK(bad_type.error().message() == (dir / "rollcall.toml").string() +
                                          ":6: notify type \"email\" is not webhook or slack");
  auto no_url = targets(dir, "[[notify]]\nname = \"x\"\ntype = \"webhook\"\n");
  REQUIRE_FALSE(no_url.ok());
  CHECK(no_url.error().message() == (dir / "rollcall.toml").string() +
                                        ":4: notify target \"x\" needs url (or url_env, url_file, url_credential)");
  auto signed_slack = targets(dir, "[[notify]]\nname = \"s\"\ntype = \"slack\"\nurl = \"https://h/x\"\nsecret_env = \"K\"\n",
                              {{"K", "k"}});
  REQUIRE_FALSE(signed_slack.ok());
  CHECK(signed_slack.error().message() == (dir / "rollcall.toml").string() +
                                              ":4: notify target \"s\": a slack incoming webhook is not signed; "
                                              "secret_* is for type = \"webhook\"");
  auto typo = targets(dir, "[[notify]]\nname = \"s\"\ntype = \"slack\"\nurl = \"https://h/x\"\nmin_severty = \"low\"\n");
  REQUIRE_FALSE(typo.ok());
  CHECK_THAT(typo.error().message(), Catch::Contains(":8: ") && Catch::Contains("did you mean \"min_severity\"?"));
}
