#include "scanner/notify/notify.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>

#include <nlohmann/json.hpp>

#include "connectors/api/credentials.hpp"
#include "connectors/http/retry.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::notify {
namespace {

using reports::Finding;
using reports::Severity;
using Json = nlohmann::ordered_json;

constexpr Severity kHighFirst[] = {Severity::error, Severity::critical, Severity::high,
                                   Severity::medium, Severity::low, Severity::info};

Result<Target> read_target(const config::Table& t, const SecretSource& secrets, const std::filesystem::path& dir) {
  Target target;
  target.name = *t.string("name");
  target.where = t.where();
  const std::string type = *t.string("type");
  if (type == "webhook") target.type = TargetType::webhook;
  else if (type == "slack") target.type = TargetType::slack;
  else return fail(t.where("type") + ": notify type " + quote(type) + " is not webhook or slack");

  RC_ASSIGN(auto url_ref, connectors::read_credential(t, "url", secrets, dir));
  if (t.string("url") && url_ref) {
    return fail(t.where("url") + ": set url or one of url_env, url_file, url_credential, not both");
  }
  if (url_ref) {
    target.url = std::move(url_ref->secret);
    target.url_is_secret = true;
  } else if (auto url = t.string("url")) {
    target.url = Secret(*url);
  } else {
    return fail(t.where() + ": notify target " + quote(target.name) +
                " needs url (or url_env, url_file, url_credential)");
  }
  const std::string& u = target.url.reveal();
  if (!starts_with(u, "https://") && !starts_with(u, "http://")) {
    return fail(t.where(target.url_is_secret ? "" : "url") + ": notify target " + quote(target.name) +
                ": the URL must start with https:// or http://");
  }

  RC_ASSIGN(auto key, connectors::read_credential(t, "secret", secrets, dir));
  if (key && target.type == TargetType::slack) {
    return fail(t.where() + ": notify target " + quote(target.name) +
                ": a slack incoming webhook is not signed; secret_* is for type = \"webhook\"");
  }
  if (key) target.hmac_key = std::move(key->secret);

  if (auto s = t.string("min_severity")) {
    auto sev = reports::parse_severity(*s);
    if (!sev) {
      return fail(t.where("min_severity") + ": min_severity " + quote(*s) +
                  " is not one of info, low, medium, high, critical, error");
    }
    target.min_severity = *sev;
  }
  target.repeat = t.boolean("repeat").value_or(false);
  if (auto s = t.string("timeout")) {
    auto d = parse_duration(*s);
    if (!d) return fail(t.where("timeout") + ": " + d.error().message());
    target.timeout = std::chrono::seconds(*d);
  }
  if (auto ca = t.string("ca_file")) {
    std::filesystem::path p = *ca;
    target.ca_file = (p.is_relative() ? dir / p : p).string();
  }
  return target;
}

std::string person_or_account(const Finding& f) {
  if (!f.person_email.empty()) return f.person_email;
  return f.account_login.empty() ? f.account_id : f.account_login;
}

std::map<Severity, std::int64_t> open_by_severity(const reports::Report& r) {
  std::map<Severity, std::int64_t> counts;
  for (const auto& f : r.findings) {
    if (f.status != reports::FindingStatus::excepted) ++counts[f.severity];
  }
  return counts;
}

// Slack mrkdwn: &, < and > are control characters.
std::string slack_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

// "https://hooks.example.com/services/T0/B0/XXXX?x=1" -> "/services/T0/B0/XXXX".
std::string log_path(const std::string& url) {
  const auto scheme = url.find("//");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 2);
  return slash == std::string::npos ? "/" : url.substr(slash, url.find('?', slash) - slash);
}

// A URL given by reference is a secret (a Slack webhook's path is its credential): the log and
// errors name the target instead.
std::string log_target(const Target& t) {
  return t.url_is_secret ? "[" + t.name + " notify URL]" : log_path(t.url.reveal());
}

Result<void> deliver(const Target& t, const std::string& body, const std::string& delivery_id,
                     http::TransportFactory& factory, Logger& log, const Clock& clock) {
  http::TransportOptions options;
  options.system = "notify " + quote(t.name);
  options.timeout = t.timeout;
  options.connect_timeout = std::min(t.timeout, std::chrono::milliseconds(10'000));
  options.ca_file = t.ca_file;
  options.retry.max_attempts = 4;
  options.retry.max_total_wait = std::chrono::milliseconds(60'000);
  options.retry.retry_writes = true;  // receivers de-duplicate by X-Rollcall-Delivery
  RC_ASSIGN(auto transport, factory.create(options, log, clock));

  http::Request request;
  request.method = http::Method::post;
  request.url = t.url.reveal();
  request.log_target = log_target(t);
  request.body = body;
  request.headers.push_back({"Content-Type", "application/json"});
  request.headers.push_back({"User-Agent", "rollcall"});
  if (t.type == TargetType::webhook) {
    request.headers.push_back({"X-Rollcall-Delivery", delivery_id});
    if (t.hmac_key) request.headers.push_back({"X-Rollcall-Signature-256", "sha256=" + hmac_sha256_hex(*t.hmac_key, body)});
  }
  // The URL may be the secret (Slack), and the key must never appear: scrub both from anything
  // the transport or the receiver says.
  http::Request secrets;
  if (t.url_is_secret) {
    secrets.secret_headers.push_back({"url", t.url});
    const std::string path = log_path(t.url.reveal());
    if (path.size() > 1) secrets.secret_headers.push_back({"path", Secret(path)});  // receivers echo paths
  }
  if (t.hmac_key) secrets.secret_headers.push_back({"key", *t.hmac_key});
  auto scrub = [&](std::string text) { return http::scrub_secrets(std::move(text), secrets); };

  auto response = transport->send(request);
  if (!response) return fail("POST " + request.log_target + ": " + scrub(response.error().message()));
  if (response->status < 200 || response->status > 299) {
    std::string why = "HTTP " + std::to_string(response->status);
    std::string text = response->body.substr(0, 200);
    for (auto& c : text) {
      if (c == '\n' || c == '\r' || static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    if (!trim(text).empty()) why += ": " + std::string(trim(text));
    if (response->attempts > 1) why += " (after " + std::to_string(response->attempts) + " attempts)";
    return fail("POST " + request.log_target + ": " + scrub(why));
  }
  return {};
}

}  // namespace

Result<std::vector<Target>> read_targets(const std::vector<config::Table>& tables, const SecretSource& secrets,
                                         const std::filesystem::path& workspace_dir) {
  std::vector<Target> out;
  for (const auto& t : tables) {
    RC_ASSIGN(Target target, read_target(t, secrets, workspace_dir));
    out.push_back(std::move(target));
  }
  return out;
}

std::vector<const Finding*> selected(const reports::Report& report, const Target& target) {
  std::vector<const Finding*> out;
  for (const auto& f : report.findings) {
    if (f.status == reports::FindingStatus::excepted || f.severity < target.min_severity) continue;
    if (f.status != reports::FindingStatus::new_ && !target.repeat) continue;
    out.push_back(&f);
  }
  return out;
}

std::string webhook_body(const reports::Report& report, const std::vector<const Finding*>& findings,
                         const Target& target, const std::string& report_path) {
  Json by_severity = Json::object();
  const auto counts = open_by_severity(report);
  for (Severity s : kHighFirst) {
    auto it = counts.find(s);
    by_severity[std::string(to_string(s))] = it == counts.end() ? 0 : it->second;
  }
  Json list = Json::array();
  for (const Finding* f : findings) {
    list.push_back({{"fingerprint", f->fingerprint},
                    {"kind", f->kind},
                    {"severity", std::string(to_string(f->severity))},
                    {"status", std::string(to_string(f->status))},
                    {"system", f->system},
                    {"account", f->account_login.empty() ? f->account_id : f->account_login},
                    {"person", f->person_email},
                    {"entitlement", f->entitlement_id},
                    {"message", f->message},
                    {"first_seen", format_iso8601(f->first_seen)}});
  }
  Json body = {{"schema", "rollcall.notify/v1"},
               {"target", target.name},
               {"scan_id", report.scan_id},
               {"workspace", report.workspace},
               {"started_at", format_iso8601(report.started_at)},
               {"finished_at", format_iso8601(report.finished_at)},
               {"report", report_path},
               {"min_severity", std::string(to_string(target.min_severity))},
               {"summary",
                {{"open", report.summary.open},
                 {"new", report.summary.new_},
                 {"persisting", report.summary.persisting},
                 {"excepted", report.summary.excepted},
                 {"resolved", report.summary.resolved},
                 {"open_by_severity", by_severity}}},
               {"findings", list}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string slack_body(const reports::Report& report, const std::vector<const Finding*>& findings,
                       const Target& target, const std::string& report_path) {
  std::size_t fresh = 0;
  for (const Finding* f : findings) fresh += f->status == reports::FindingStatus::new_ ? 1 : 0;
  std::string text = "*rollcall* scan #" + std::to_string(report.scan_id) + ": " + std::to_string(fresh) +
                     " new finding" + (fresh == 1 ? "" : "s") + " at or above " + std::string(to_string(target.min_severity));
  if (findings.size() > fresh) text += " (" + std::to_string(findings.size() - fresh) + " still open)";
  text += "\n";
  std::vector<std::string> parts;
  const auto counts = open_by_severity(report);
  for (Severity s : kHighFirst) {
    auto it = counts.find(s);
    if (it != counts.end() && it->second > 0) parts.push_back(std::to_string(it->second) + " " + std::string(to_string(s)));
  }
  text += "Open: " + (parts.empty() ? std::string("none") : join(parts, ", ")) + " (" +
          std::to_string(report.summary.open) + " in all)\n";
  std::size_t shown = 0;
  for (const Finding* f : findings) {
    if (shown == kSlackTop) break;
    ++shown;
    text += "• *" + std::string(to_string(f->severity)) + "* `" + f->kind + "` " + slack_escape(f->system) + " " +
            slack_escape(person_or_account(*f)) + ": " + slack_escape(f->message) + "\n";
  }
  if (findings.size() > shown) text += "…and " + std::to_string(findings.size() - shown) + " more\n";
  text += "Report: " + slack_escape(report_path);
  Json body = {{"text", text}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string hmac_sha256_hex(const Secret& key, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.reveal().data(), static_cast<int>(key.reveal().size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

std::vector<Delivery> send_all(const reports::Report& report, const std::vector<Target>& targets,
                               const std::string& report_path, http::TransportFactory& http, Logger& log,
                               const Clock& clock) {
  std::vector<Delivery> out;
  for (const Target& t : targets) {
    Delivery d;
    d.target = t.name;
    const auto findings = selected(report, t);
    d.findings = findings.size();
    if (!findings.empty()) {
      const std::string body = t.type == TargetType::slack ? slack_body(report, findings, t, report_path)
                                                           : webhook_body(report, findings, t, report_path);
      const std::string id = "scan-" + std::to_string(report.scan_id) + "-" + t.name;
      if (auto r = deliver(t, body, id, http, log, clock); r) {
        d.sent = true;
        log.info("notify " + quote(t.name) + ": sent " + std::to_string(findings.size()) + " finding(s)");
      } else {
        d.error = r.error().message();
        log.error("notify " + quote(t.name) + ": not delivered: " + d.error);
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace rollcall::notify
