// The Okta Management API of one configured system, shared by the connector (read side) and
// the writer (write side): the org URL, the credential (an API token sent as "SSWS <token>", or
// OAuth 2.0 client credentials with private_key_jwt, okta_auth.hpp), the retrying transport and
// an ApiClient that explains Okta's errors (errorSummary, errorCauses, errorCode), and the
// settings both sides read from the [[system]] keys.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/api/connector.hpp"
#include "connectors/api/name_patterns.hpp"
#include "connectors/http/api_client.hpp"
#include "connectors/okta/okta_auth.hpp"

namespace rollcall::connectors::okta {

// Which side opens the API: the OAuth scopes asked for differ (read scopes only for reading).
enum class Purpose { read, write };

// What disable_account does: suspend (reversible, keeps app assignments and group
// memberships) or deactivate (Okta's DEPROVISIONED: assignments are removed).
enum class DisableMode { suspend, deactivate };

struct OktaSettings {
  bool read_factors = false;         // MFA enrolment, one request per user
  NamePatterns builtin_logins;       // profile.login patterns of integration users -> kind builtin
  DisableMode disable = DisableMode::suspend;
  bool activate_on_create = false;   // create_account: ACTIVE (activation email) vs STAGED
};

struct OktaApi {
  std::unique_ptr<http::Transport> transport;  // owned; client and signer point into it
  std::shared_ptr<OAuthSigner> oauth;          // null with an API token
  http::ApiClient client;
  OktaSettings settings;
  int concurrency = 4;
};

// The OAuth scopes a purpose asks for: reading asks okta.users.read okta.groups.read
// okta.apps.read okta.roles.read (+ okta.factors.read when factors are read); writing asks
// okta.users.manage okta.groups.manage.
std::vector<std::string> scopes_for(Purpose purpose, const OktaSettings& settings);

// Reads base_url, the credential (token_env/token_file, or client_id with
// private_key_env/private_key_file and optional key_id; exactly one kind), the Okta settings
// and the common HTTP keys. Fails naming file:line and key, or the unreadable key's source.
Result<OktaApi> open_api(const config::SystemConfig& system, const ConnectorEnv& env, Purpose purpose);

// The config keys of the `okta` type (credential, settings, common HTTP keys).
std::vector<config::KeySpec> okta_keys();

// Okta's error text: errorSummary, then each errorCauses[].errorSummary, then (errorCode),
// e.g. "Api validation failed: login (login: An object with this field already exists) (E0000001)".
std::string describe_error(const http::Response& response);

}  // namespace rollcall::connectors::okta
