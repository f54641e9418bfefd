// Notifications after a scan: the [[notify]] targets of rollcall.toml, what each is told, and
// delivery through connectors/http (timeouts, retries on network failures and 5xx, the request
// log with the URL never shown when it is a secret).
//
// A target hears about a scan when it has new open findings at or above its min_severity
// (default high), or, with repeat = true, any open finding at or above it. Two types:
//
//   webhook  POST of rollcall.notify/v1 JSON (the scan summary and the selected findings), with
//            X-Rollcall-Signature-256: sha256=<hex HMAC-SHA256 of the body> when a secret is set
//            (secret_env / secret_file / secret_credential), and X-Rollcall-Delivery: a stable id.
//   slack    POST of {"text": ...} to an incoming webhook: counts by severity, the top new
//            findings, the report path.
//
// Secrets (the HMAC key, a URL given by reference) stay Secrets: they are never logged and are
// scrubbed from error messages. Plain values otherwise; not thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "connectors/http/transport_factory.hpp"
#include "reports/report.hpp"
#include "scanner/config/config.hpp"
#include "scanner/core/log.hpp"
#include "scanner/core/result.hpp"
#include "scanner/core/secret.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::notify {

enum class TargetType { webhook, slack };

struct Target {
  std::string name;
  TargetType type = TargetType::webhook;
  std::string where;       // rollcall.toml:LINE of the [[notify]] table, for errors
  Secret url;
  bool url_is_secret = false;  // given by reference: logs say "<name> webhook" instead of the path
  std::optional<Secret> hmac_key;
  reports::Severity min_severity = reports::Severity::high;
  bool repeat = false;
  std::chrono::milliseconds timeout{10'000};
  std::string ca_file;     // absolute, or "" for the system trust store
};

// Validates and resolves the [[notify]] tables. Fails naming file:line and key: an unknown type,
// a bad severity or timeout, no url (or two), a secret on a slack target, a missing variable.
Result<std::vector<Target>> read_targets(const std::vector<config::Table>& tables, const SecretSource& secrets,
                                         const std::filesystem::path& workspace_dir);

// The findings a target is told about, in report order (most severe first): open (not excepted),
// at or above min_severity, and new unless repeat.
std::vector<const reports::Finding*> selected(const reports::Report& report, const Target& target);

// The rollcall.notify/v1 JSON body of a webhook.
std::string webhook_body(const reports::Report& report, const std::vector<const reports::Finding*>& findings,
                         const Target& target, const std::string& report_path);
// The Slack message: {"text": "..."} with at most `kSlackTop` findings listed.
inline constexpr std::size_t kSlackTop = 10;
std::string slack_body(const reports::Report& report, const std::vector<const reports::Finding*>& findings,
                       const Target& target, const std::string& report_path);

// Lower-case hex HMAC-SHA256 of `body` under `key`.
std::string hmac_sha256_hex(const Secret& key, std::string_view body);

struct Delivery {
  std::string target;
  std::size_t findings = 0;  // how many were selected; 0 = nothing to say, nothing sent
  bool sent = false;
  std::string error;         // why it was not delivered ("" when sent or nothing to say)
};

// Sends to every target that has something to say; one Delivery per target, in order. Never
// fails as a whole: an undeliverable notification is a Delivery with `error` set, and is logged.
std::vector<Delivery> send_all(const reports::Report& report, const std::vector<Target>& targets,
                               const std::string& report_path, http::TransportFactory& http, Logger& log,
                               const Clock& clock);

}  // namespace rollcall::notify
