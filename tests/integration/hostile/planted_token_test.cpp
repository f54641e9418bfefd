// The planted-token test, one case per way a server echoes a credential (issue 12): the token
// must reach neither the stored snapshot error, nor stdout/stderr (with -v, the request log on),
// nor the database, nor any of the three reports. Add a case for every new variant.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "scanner/core/redact.hpp"
#include "scanner/core/strings.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::read_file;
using rollcall::testing::TempDir;

namespace {

// '/', '+' and '=' make the encoded forms differ from the token itself.
constexpr const char* kToken = "ghp_PLANTED0token/value+must=never0leak";
constexpr const char* kPassword = "s3cret/Pa55+word=PLANTED";

std::string percent(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string json_escaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '/') out += "\\/";
    else if (c == '+') out += "\\u002b";
    else out += c;
  }
  return out;
}

// A server that rejects every request with 401 and a body built from the request.
class EchoServer {
 public:
  using Reply = std::function<void(const httplib::Request&, httplib::Response&)>;
  explicit EchoServer(Reply reply) {
    server_.Get(R"(.*)", [reply](const httplib::Request& req, httplib::Response& res) { reply(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~EchoServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

void json_401(httplib::Response& res, const std::string& message) {
  res.status = 401;
  res.set_content(R"({"message":")" + message + R"(","detail":")" + message + R"("})", "application/json");
}

// Runs snapshot (-v) and scan against the server; checks every place the token could land.
void check_never_leaks(EchoServer::Reply reply, const std::string& secret, bool scim_basic = false) {
  TempDir dir;
  EchoServer server(std::move(reply));
  dir.write("ws/roster.csv", "email\njane@acme.com\n");
  std::filesystem::create_directories(dir / "ws" / "policies");
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  dir.write("ws/rollcall.toml",
            "[roster]\npath = \"roster.csv\"\n[[system]]\nname = \"app\"\n" +
                (scim_basic ? "type = \"scim\"\nusername = \"svc-audit\"\npassword_env = \"RC_SECRET\"\n"
                              "base_url = \"" + url + "/scim/v2\"\n"
                            : "type = \"github\"\norg = \"acme\"\ntoken_env = \"RC_SECRET\"\nbase_url = \"" + url + "\"\n"));
  const std::string env = "RC_SECRET='" + secret + "'";
  const std::string ws = "--workspace " + (dir / "ws").string();
  auto snapshot = rollcall::testing::run_rollcall(dir, "-v " + ws + " snapshot", env);
  CHECK(snapshot.exit_code == 1);
  CHECK_THAT(snapshot.err, Catch::Contains("system \"app\""));
  const std::string out = snapshot.out, err = snapshot.err;
  auto scan = rollcall::testing::run_rollcall(dir, ws + " scan", env);
  CHECK(scan.exit_code != -1);
  auto history = rollcall::testing::run_rollcall(dir, ws + " history");
  CHECK_THAT(history.out, Catch::Contains("failed"));
  CHECK_THAT(history.out, Catch::Contains("[REDACTED"));  // may be cut to the column

  const std::string lower = rollcall::to_lower(secret);
  // The distinctive middle of the secret, in any case, must appear nowhere.
  const std::string middle = rollcall::to_lower(secret.substr(4, 10));
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"snapshot stdout", out}, {"snapshot stderr", err}, {"scan stdout", scan.out}, {"scan stderr", scan.err},
           {"history", history.out}, {"rollcall.db", read_file(dir / "ws/rollcall.db")},
           {"rollcall.db-wal", read_file(dir / "ws/rollcall.db-wal")},
           {"report.json", read_file(dir / "ws/reports/report.json")},
           {"report.html", read_file(dir / "ws/reports/report.html")},
           {"report.csv", read_file(dir / "ws/reports/report.csv")}}) {
    INFO(name << ":\n" << text.substr(0, 2000));
    const std::string folded = rollcall::to_lower(text);
    CHECK(folded.find(lower) == std::string::npos);
    CHECK(folded.find(middle) == std::string::npos);
    CHECK(folded.find(rollcall::to_lower(percent(secret.substr(4, 14)))) == std::string::npos);
  }
  CHECK_THAT(read_file(dir / "ws/reports/report.json"), Catch::Contains("REDACTED"));
}

}  // namespace

TEST_CASE("planted token: echoed exactly (the case that always held)", "[integration][secrets]") {
  check_never_leaks([](const auto& req, auto& res) { json_401(res, "Bad credentials: " + req.get_header_value("Authorization")); },
                    kToken);
}

TEST_CASE("planted token: echoed URL-encoded", "[integration][secrets]") {
  check_never_leaks([](const auto&, auto& res) { json_401(res, "Bad credentials: " + percent(kToken)); }, kToken);
}

TEST_CASE("planted token: echoed JSON-escaped (\\/ and \\u002b)", "[integration][secrets]") {
  check_never_leaks([](const auto&, auto& res) { json_401(res, "Bad credentials: " + json_escaped(kToken)); }, kToken);
}

TEST_CASE("planted token: echoed lower-cased and upper-cased", "[integration][secrets]") {
  check_never_leaks([](const auto&, auto& res) {
    json_401(res, "bad credentials: " + rollcall::to_lower(kToken) + " / " + std::string("GHP_PLANTED0TOKEN/VALUE+MUST=NEVER0LEAK"));
  }, kToken);
}

TEST_CASE("planted token: inside a ?next= redirect parameter", "[integration][secrets]") {
  check_never_leaks([](const auto& req, auto& res) {
    res.status = 302;
    res.set_header("Location", "http://" + req.get_header_value("Host") + "/login?next=" +
                                   percent(std::string("/orgs/acme?token=") + kToken));
  }, kToken);
}

TEST_CASE("planted token: a 300-character cut of a JSON message falls inside it", "[integration][secrets]") {
  check_never_leaks([](const auto&, auto& res) { json_401(res, std::string(285, 'x') + " " + kToken); }, kToken);
}

TEST_CASE("planted token: a 200-character cut of a plain-text body falls inside it", "[integration][secrets]") {
  check_never_leaks([](const auto&, auto& res) {
    res.status = 401;
    res.set_content(std::string(190, 'y') + " " + kToken + " trailing", "text/plain");
  }, kToken);
}

TEST_CASE("planted token: the decoded password of a Basic auth header", "[integration][secrets]") {
  check_never_leaks([](const auto& req, auto& res) {
    std::string auth = req.get_header_value("Authorization");
    std::string decoded = rollcall::base64_decode(auth.substr(auth.find(' ') + 1));
    json_401(res, "invalid password " + decoded.substr(decoded.find(':') + 1) + " (header " + auth + ")");
  }, kPassword, true);
}
