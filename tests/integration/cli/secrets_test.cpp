// A planted token must never leave memory: not in the database, stdout, stderr (with -v, the
// request log on), or the stored snapshot error, even when the server echoes it back. For
// Entra ID both the client secret (sent in a token request's body) and the access token it
// buys are planted.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <chrono>
#include <thread>

#include "tests/support/temp_dir.hpp"

using rollcall::testing::read_file;
using rollcall::testing::TempDir;

namespace {

constexpr const char* kToken = "ghp_PLANTED0token0value0must0never0leak";

// Serves a GitHub-shaped API that rejects the token and repeats it in its error body.
class EchoingServer {
 public:
  EchoingServer() {
    server_.Get(R"(.*)", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 401;
      res.set_content(R"({"message":"Bad credentials: )" + req.get_header_value("Authorization") + R"("})",
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~EchoingServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace

TEST_CASE("secrets: a token never reaches the database, the output or the stored error", "[integration][cli][secrets]") {
  TempDir dir;
  EchoingServer server;
  dir.write("ws/roster.csv", "email\njane@acme.com\n");
  dir.write("ws/rollcall.toml",
            "[roster]\npath = \"roster.csv\"\n"
            "[[system]]\nname = \"github\"\ntype = \"github\"\norg = \"acme\"\ntoken_env = \"RC_TEST_TOKEN\"\n"
            "base_url = \"http://127.0.0.1:" + std::to_string(server.port()) + "\"\n");
  const auto out = dir / "stdout.txt";
  const auto err = dir / "stderr.txt";
  std::string cmd = std::string("RC_TEST_TOKEN=") + kToken + " " + ROLLCALL_BINARY + " -v --workspace " +
                    (dir / "ws").string() + " snapshot >" + out.string() + " 2>" + err.string();
  int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  const std::string stderr_text = read_file(err);
  CHECK_THAT(stderr_text, Catch::Contains("system \"github\""));
  CHECK_THAT(stderr_text, Catch::Contains("HTTP 401: Bad credentials: [REDACTED]"));
  (void)std::system((std::string(ROLLCALL_BINARY) + " --workspace " + (dir / "ws").string() + " history >>" + out.string()).c_str());
  CHECK_THAT(read_file(out), Catch::Contains("failed"));

  for (const auto& file : {out, err, dir / "ws/rollcall.db", dir / "ws/rollcall.db-wal"}) {
    INFO(file.string());
    CHECK(read_file(file).find(kToken) == std::string::npos);
  }
  // The secret part alone (without the ghp_ prefix) must not appear either.
  CHECK(read_file(err).find("PLANTED0token") == std::string::npos);
}

namespace {

constexpr const char* kEntraSecret = "entra~PLANTED0client0secret0must0never0leak";
constexpr const char* kEntraToken = "eyJ0eXAiOiJKV1QiPLANTED0access0token0value";

// A token endpoint and Graph in one: with `accept_secret` false, the token endpoint rejects the
// secret and echoes the request body (the secret in it); otherwise it issues kEntraToken and
// Graph rejects it, echoing the Authorization header.
class EchoingEntra {
 public:
  explicit EchoingEntra(bool accept_secret) {
    server_.Post(R"(.*/oauth2/v2.0/token)", [accept_secret](const httplib::Request& req, httplib::Response& res) {
      if (!accept_secret) {
        res.status = 401;
        res.set_content(R"({"error":"invalid_client","error_description":"AADSTS7000215: bad secret in )" + req.body +
                            R"("})",
                        "application/json");
        return;
      }
      res.set_content(std::string(R"({"token_type":"Bearer","expires_in":3599,"access_token":")") + kEntraToken + "\"}",
                      "application/json");
    });
    server_.Get(R"(.*)", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 401;
      res.set_content(R"({"error":{"code":"InvalidAuthenticationToken","message":"rejected )" +
                          req.get_header_value("Authorization") + R"("}})",
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~EchoingEntra() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace

TEST_CASE("secrets: an Entra client secret and its access token never reach the database or the output",
          "[integration][cli][secrets][entra]") {
  const bool accept_secret = GENERATE(false, true);
  INFO((accept_secret ? "Graph echoes the token" : "the token endpoint echoes the secret"));
  TempDir dir;
  EchoingEntra server(accept_secret);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  dir.write("ws/roster.csv", "email\njane@acme.com\n");
  dir.write("ws/rollcall.toml", "[roster]\npath = \"roster.csv\"\n"
                                "[[system]]\nname = \"entra\"\ntype = \"entra\"\ntenant = \"acme.onmicrosoft.com\"\n"
                                "client_id = \"c1\"\nclient_secret_env = \"RC_TEST_SECRET\"\n"
                                "authority = \"" + url + "\"\ngraph_url = \"" + url + "\"\n");
  const auto out = dir / "stdout.txt";
  const auto err = dir / "stderr.txt";
  std::string cmd = std::string("RC_TEST_SECRET='") + kEntraSecret + "' " + ROLLCALL_BINARY + " -v --workspace " +
                    (dir / "ws").string() + " snapshot >" + out.string() + " 2>" + err.string();
  int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  const std::string stderr_text = read_file(err);
  CHECK_THAT(stderr_text, Catch::Contains("system \"entra\""));
  CHECK_THAT(stderr_text, Catch::Contains("[REDACTED]"));
  (void)std::system((std::string(ROLLCALL_BINARY) + " --workspace " + (dir / "ws").string() + " history >>" + out.string()).c_str());
  CHECK_THAT(read_file(out), Catch::Contains("failed"));
  for (const auto& file : {out, err, dir / "ws/rollcall.db", dir / "ws/rollcall.db-wal"}) {
    INFO(file.string());
    const std::string text = read_file(file);
    CHECK(text.find("PLANTED0client0secret") == std::string::npos);
    CHECK(text.find("PLANTED0access0token") == std::string::npos);
  }
}

TEST_CASE("secrets: an Okta API token (SSWS) never reaches the database, the output or the stored error",
          "[integration][cli][secrets][okta]") {
  constexpr const char* kOkta = "00PLANTEDokta0token0value0never0leaks";
  TempDir dir;
  EchoingServer server;
  dir.write("ws/roster.csv", "email\njane@acme.com\n");
  dir.write("ws/rollcall.toml",
            "[roster]\npath = \"roster.csv\"\n"
            "[[system]]\nname = \"okta\"\ntype = \"okta\"\ntoken_env = \"RC_TEST_TOKEN\"\n"
            "base_url = \"http://127.0.0.1:" + std::to_string(server.port()) + "\"\n");
  const auto out = dir / "stdout.txt";
  const auto err = dir / "stderr.txt";
  std::string cmd = std::string("RC_TEST_TOKEN=") + kOkta + " " + ROLLCALL_BINARY + " -v --workspace " +
                    (dir / "ws").string() + " snapshot >" + out.string() + " 2>" + err.string();
  int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  const std::string stderr_text = read_file(err);
  // The look-alikes that must show: the request, the echo (scrubbed) and where the token came from.
  CHECK_THAT(stderr_text, Catch::Contains("system \"okta\": GET /api/v1/users page 1: HTTP 401: Bad credentials: "
                                          "[REDACTED] (the credential from environment variable RC_TEST_TOKEN was "
                                          "rejected)"));
  (void)std::system((std::string(ROLLCALL_BINARY) + " --workspace " + (dir / "ws").string() + " history >>" + out.string()).c_str());
  CHECK_THAT(read_file(out), Catch::Contains("failed"));
  for (const auto& file : {out, err, dir / "ws/rollcall.db", dir / "ws/rollcall.db-wal"}) {
    INFO(file.string());
    CHECK(read_file(file).find(kOkta) == std::string::npos);
    CHECK(read_file(file).find("PLANTEDokta0token") == std::string::npos);
  }
}

TEST_CASE("secrets: a Jira API token (Basic auth) and an Atlassian org key, echoed back, never leave memory",
          "[integration][cli][secrets][jira]") {
  constexpr const char* kJiraToken = "ATATT3xFfGF0PLANTED0jira0token0must0never0leak";
  constexpr const char* kOrgKey = "ATCTT3xPLANTED0org0key0must0never0leak";
  // First the site's token is sent (and echoed); with org_id the org API is asked first and
  // its key is echoed.
  const bool with_org = GENERATE(false, true);
  TempDir dir;
  EchoingServer server;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  dir.write("ws/roster.csv", "email\njane@acme.com\n");
  std::string config = "[roster]\npath = \"roster.csv\"\n"
                       "[[system]]\nname = \"jira\"\ntype = \"jira\"\nbase_url = \"" + url + "\"\n"
                       "email = \"bot@acme.com\"\napi_token_env = \"RC_JIRA_TOKEN\"\n";
  if (with_org) config += "org_id = \"org-1\"\norg_api_key_env = \"RC_ORG_KEY\"\nadmin_base_url = \"" + url + "\"\n";
  dir.write("ws/rollcall.toml", config);
  const auto out = dir / "stdout.txt";
  const auto err = dir / "stderr.txt";
  std::string cmd = std::string("RC_JIRA_TOKEN=") + kJiraToken + " RC_ORG_KEY=" + kOrgKey + " " + ROLLCALL_BINARY +
                    " -v --workspace " + (dir / "ws").string() + " snapshot >" + out.string() + " 2>" + err.string();
  int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  const std::string stderr_text = read_file(err);
  CHECK_THAT(stderr_text, Catch::Contains(with_org ? "system \"jira\": GET /admin/v1/orgs/org-1/users page 1: HTTP 401"
                                                   : "system \"jira\": GET /rest/api/3/users/search page 1: HTTP 401"));
  CHECK_THAT(stderr_text, Catch::Contains("HTTP 401: Bad credentials: [REDACTED]"));
  (void)std::system((std::string(ROLLCALL_BINARY) + " --workspace " + (dir / "ws").string() + " history >>" + out.string()).c_str());
  CHECK_THAT(read_file(out), Catch::Contains("failed"));
  // The token, the org key, and the token inside the Basic credential's base64 must appear nowhere.
  for (const auto& file : {out, err, dir / "ws/rollcall.db", dir / "ws/rollcall.db-wal"}) {
    INFO(file.string());
    const std::string text = read_file(file);
    CHECK(text.find(kJiraToken) == std::string::npos);
    CHECK(text.find("PLANTED0jira0token") == std::string::npos);
    CHECK(text.find(kOrgKey) == std::string::npos);
    CHECK(text.find("PLANTED0org0key") == std::string::npos);
    CHECK(text.find("Ym90QGFjbWUuY29tOkFUQVRU") == std::string::npos);  // base64 of "bot@acme.com:ATATT"
  }
}
