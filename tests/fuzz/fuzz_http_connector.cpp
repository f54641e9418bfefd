// Fuzzes an HTTP connector's response parsing (ROLLCALL_FUZZ_CONNECTOR: scim, github, slack,
// okta, entra, jira or aws-iam, whose responses are XML): every request is answered 200 with the next part of the input (parts are separated
// by NUL bytes and reused in turn), and the connector's fetch runs into a collecting sink.
// At most 40 requests per input, so a response that always promises another page ends.
#include <memory>

#include "connectors/api/connector.hpp"
#include "connectors/aws_iam/aws_iam_connector.hpp"
#include "connectors/entra/entra_connector.hpp"
#include "connectors/github/github_connector.hpp"
#include "connectors/jira/jira_connector.hpp"
#include "connectors/okta/okta_connector.hpp"
#include "connectors/http/transport_factory.hpp"
#include "connectors/scim/scim_connector.hpp"
#include "connectors/slack/slack_connector.hpp"
#include "scanner/core/log.hpp"
#include "scanner/core/utf8.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace rollcall;

class ScriptTransport final : public http::Transport {
 public:
  explicit ScriptTransport(std::vector<std::string> bodies) : bodies_(std::move(bodies)) {}
  Result<http::Response> send(const http::Request&) override {
    if (sent_ >= 40) return fail("fuzz: request budget spent");
    http::Response r;
    r.status = 200;
    r.headers.push_back({"Content-Type", "application/json"});
    r.body = bodies_[sent_++ % bodies_.size()];
    return r;
  }

 private:
  std::vector<std::string> bodies_;
  std::size_t sent_ = 0;
};

class ScriptFactory final : public http::TransportFactory {
 public:
  std::vector<std::string> bodies;
  Result<std::unique_ptr<http::Transport>> create(const http::TransportOptions&, Logger&, const Clock&) override {
    return std::unique_ptr<http::Transport>(std::make_unique<ScriptTransport>(bodies));
  }
};

struct Sink final : RecordSink {
  Result<void> account(const Account&) override { return {}; }
  Result<void> entitlement(const Entitlement&) override { return {}; }
  Result<void> grant(const Grant&) override { return {}; }
  Result<void> credential(const Credential&) override { return {}; }
};

config::SystemConfig system_of(const std::string& type) {
  config::SystemConfig s;
  s.name = type;
  s.type = type;
  s.timeout_s = 60;
  s.where = "rollcall.toml:1";
  s.keys = config::Table("rollcall.toml", 1);
  s.keys.set("name", type, 2);
  s.keys.set("type", type, 3);
  if (type == "entra") {
    s.keys.set("tenant", std::string("contoso.onmicrosoft.com"), 4);
    s.keys.set("client_id", std::string("11111111-2222-3333-4444-555555555555"), 5);
    s.keys.set("client_secret_env", std::string("TOKEN"), 6);
  } else if (type == "aws-iam") {
    s.keys.set("access_key_id_env", std::string("KEY_ID"), 4);
    s.keys.set("secret_access_key_env", std::string("TOKEN"), 5);
    s.keys.set("endpoint", std::string("https://iam.test"), 6);
  } else if (type == "jira") {
    s.keys.set("base_url", std::string("https://acme.atlassian.test"), 4);
    s.keys.set("email", std::string("bot@acme.test"), 5);
    s.keys.set("api_token_env", std::string("TOKEN"), 6);
  } else {
    s.keys.set("token_env", std::string("TOKEN"), 4);
    s.keys.set("base_url", std::string("https://api.test/base"), 5);
    if (type == "github") s.keys.set("org", std::string("acme"), 6);
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string type = ROLLCALL_FUZZ_CONNECTOR;
  const connectors::ConnectorType kind = type == "scim"      ? connectors::scim::connector_type()
                                         : type == "github"  ? connectors::github::connector_type()
                                         : type == "okta"    ? connectors::okta::connector_type()
                                         : type == "entra"   ? connectors::entra::connector_type()
                                         : type == "jira"    ? connectors::jira::connector_type()
                                         : type == "aws-iam" ? connectors::aws_iam::connector_type()
                                                             : connectors::slack::connector_type();
  ScriptFactory factory;
  for (auto part : fuzz::parts(data, size, 16)) factory.bodies.emplace_back(part);
  const SecretSource secrets = SecretSource::from_map({{"TOKEN", "fuzz-token-value"}, {"KEY_ID", "AKIAFUZZKEYID"}});
  NullLogger log;
  FixedClock clock(1'800'000'000);
  connectors::ConnectorEnv env{secrets, log, clock, fuzz::scratch()};
  env.http = &factory;
  auto connector = kind.create(system_of(type), env);
  fuzz::fuzz_check(connector.ok(), "the connector is created");
  Sink sink;
  auto fetched = (*connector)->fetch(sink);
  if (!fetched) {
    // A connector quotes a bad response value in its error ("meta.created": invalid date/time
    // "..."), so a server that echoes the token into such a field gets it quoted; take_snapshot()
    // and the CLI redact every connector error with the SecretSource's redactor, and that
    // redacted line is what must never hold the token.
    const std::string shown = secrets.redactor().redact(fetched.error().message());
    fuzz::fuzz_check(shown.find("fuzz-token-value") == std::string::npos, "the token is not in the redacted error");
  }
  return 0;
}
