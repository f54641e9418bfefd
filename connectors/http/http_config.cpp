#include "connectors/http/http_config.hpp"

#include "scanner/core/strings.hpp"

namespace rollcall::http {

std::vector<config::KeySpec> common_keys() {
  using config::ValueType;
  return {
      {"ca_file", ValueType::string, false,
       "PEM bundle of certificate authorities to trust instead of the system's", ""},
      {"insecure_skip_tls_verify", ValueType::boolean, false,
       "do not verify the server's TLS certificate (labs only; logged as a warning)", "false"},
      {"concurrency", ValueType::integer, false, "requests in flight at once to this system", ""},
      {"max_retry_wait", ValueType::string, false,
       "longest total wait for the retries of one request, rate-limit waits included", "\"5m\""},
  };
}

Result<HttpSettings> read_settings(const config::SystemConfig& system,
                                   const connectors::ConnectorEnv& env, int default_concurrency) {
  const config::Table& keys = system.keys;
  HttpSettings s;
  s.transport.system = system.name;
  s.transport.timeout = std::chrono::seconds(system.timeout_s);
  s.transport.connect_timeout =
      std::min<std::chrono::milliseconds>(std::chrono::seconds(10), s.transport.timeout);
  if (auto ca = keys.string("ca_file")) {
    std::filesystem::path p = *ca;
    if (p.is_relative()) p = env.workspace_dir / p;
    s.transport.ca_file = p.string();
  }
  s.transport.verify_tls = !keys.boolean("insecure_skip_tls_verify").value_or(false);
  if (s.transport.verify_tls == false && keys.has("ca_file")) {
    return fail(keys.where("insecure_skip_tls_verify") +
                ": insecure_skip_tls_verify and ca_file contradict each other; keep ca_file");
  }
  s.concurrency = default_concurrency;
  if (auto c = keys.integer("concurrency")) {
    if (*c < 1 || *c > 32) return fail(keys.where("concurrency") + ": concurrency must be 1 to 32");
    s.concurrency = static_cast<int>(*c);
  }
  if (auto w = keys.string("max_retry_wait")) {
    auto secs = parse_duration(*w);
    if (!secs) return fail(keys.where("max_retry_wait") + ": " + secs.error().message());
    s.transport.retry.max_total_wait = std::chrono::seconds(*secs);
  }
  return s;
}

Result<std::unique_ptr<Transport>> make_transport(const HttpSettings& settings,
                                                  const connectors::ConnectorEnv& env) {
  if (env.http == nullptr) return fail("no HTTP transport available (internal error: ConnectorEnv::http is null)");
  return env.http->create(settings.transport, env.log, env.clock);
}

Secret bearer(const Secret& token) { return Secret("Bearer " + token.reveal()); }

Secret basic(const std::string& user, const Secret& password) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string in = user + ":" + password.reveal();
  std::string out = "Basic ";
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return Secret(std::move(out));
}

}  // namespace rollcall::http
