// The access data model shared by connectors, the store and the drift engine: what one system
// says about its accounts, its entitlements and who holds which. Plain values, no behaviour.
// Entitlement ids are "<type>:<name>" (team:platform, role:db_admin, group:Finance).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"

namespace rollcall {

// builtin: an account the platform itself creates and owns (Slackbot, GitHub's ghost, an IdP's
// own integration users). It is kept in snapshots and the inventory but is never an orphan.
// guest: an external user invited into a directory (Entra B2B guests); matched like a human.
enum class AccountKind { human, service, bot, builtin, guest };
enum class AccountStatus { active, suspended, disabled };
enum class SnapshotStatus { complete, partial, failed };
// What a credential is. password: a console/interactive password (its id is "password").
enum class CredentialKind { access_key, client_secret, certificate, ssh_key, deploy_key, token, password };
enum class CredentialStatus { active, inactive };

std::string_view to_string(AccountKind kind);
std::string_view to_string(AccountStatus status);
std::string_view to_string(SnapshotStatus status);
// Each parser accepts exactly the names to_string() produces; fails naming the bad value.
Result<AccountKind> parse_account_kind(std::string_view text);
Result<AccountStatus> parse_account_status(std::string_view text);
Result<SnapshotStatus> parse_snapshot_status(std::string_view text);
std::string_view to_string(CredentialKind kind);
std::string_view to_string(CredentialStatus status);
Result<CredentialKind> parse_credential_kind(std::string_view text);
Result<CredentialStatus> parse_credential_status(std::string_view text);

struct Account {
  std::string id;  // stable id within the system (login, SCIM id, DN, role name...)
  std::string login;
  std::string email;
  std::string display_name;
  AccountKind kind = AccountKind::human;
  AccountStatus status = AccountStatus::active;
  std::optional<UnixTime> last_login;
  std::optional<UnixTime> created_at;
  std::string external_id;
  std::string attrs_json = "{}";  // a JSON object of system-specific attributes
};

struct Entitlement {
  std::string id;  // "<type>:<name>"
  std::string type;
  std::string name;
  bool privileged = false;
  std::string attrs_json = "{}";
};

// A grant that reaches an account only because the system grants it to every account
// (PostgreSQL's PUBLIC, an organization's base permission): `via` is one of these. The default
// form marks the platform's own out-of-the-box grants (PostgreSQL's CONNECT and TEMPORARY on a
// database), which are part of every system's baseline unless a policy opts out.
inline constexpr std::string_view kViaEveryone = "everyone";
inline constexpr std::string_view kViaEveryoneDefault = "everyone:default";

struct Grant {
  std::string account_id;
  std::string entitlement_id;
  std::string level = "member";
  // "direct", the group/role id it is inherited through, or kViaEveryone / kViaEveryoneDefault
  std::string via = "direct";
};

// A secret an account authenticates with: an access key, an app's client secret or
// certificate, an SSH or deploy key, a token, a password. Never the secret value itself: its
// id (an access key id, a key id, a fingerprint) and its dates. Unique per (account, id).
struct Credential {
  std::string account_id;
  std::string id;
  CredentialKind kind = CredentialKind::token;
  CredentialStatus status = CredentialStatus::active;
  std::optional<UnixTime> created_at;
  std::optional<UnixTime> last_used_at;  // nullopt: never used (when use_recorded)
  std::string last_used_where;  // service, region or address of the last use, when known
  // Whether the platform records this credential's use at all (Slack bot tokens, SSH keys of
  // some platforms: it does not). When false, last_used_at says nothing and no unused finding
  // is possible.
  bool use_recorded = true;
  std::optional<UnixTime> expires_at;
  std::string attrs_json = "{}";
};

// Splits "<type>:<name>" at the first ':'. Fails when either side is empty.
struct EntitlementId {
  std::string type;
  std::string name;
};
Result<EntitlementId> split_entitlement_id(std::string_view id);

}  // namespace rollcall
