#include "scanner/core/model.hpp"

#include "scanner/core/strings.hpp"

namespace rollcall {

std::string_view to_string(AccountKind kind) {
  switch (kind) {
    case AccountKind::human: return "human";
    case AccountKind::service: return "service";
    case AccountKind::bot: return "bot";
    case AccountKind::builtin: return "builtin";
    case AccountKind::guest: return "guest";
  }
  return "human";
}

std::string_view to_string(AccountStatus status) {
  switch (status) {
    case AccountStatus::active: return "active";
    case AccountStatus::suspended: return "suspended";
    case AccountStatus::disabled: return "disabled";
  }
  return "active";
}

std::string_view to_string(SnapshotStatus status) {
  switch (status) {
    case SnapshotStatus::complete: return "complete";
    case SnapshotStatus::partial: return "partial";
    case SnapshotStatus::failed: return "failed";
  }
  return "failed";
}

Result<AccountKind> parse_account_kind(std::string_view text) {
  if (text == "human") return AccountKind::human;
  if (text == "service") return AccountKind::service;
  if (text == "bot") return AccountKind::bot;
  if (text == "builtin") return AccountKind::builtin;
  if (text == "guest") return AccountKind::guest;
  return fail("unknown account kind " + quote(text) + " (expected human, service, bot, builtin or guest)");
}

Result<AccountStatus> parse_account_status(std::string_view text) {
  if (text == "active") return AccountStatus::active;
  if (text == "suspended") return AccountStatus::suspended;
  if (text == "disabled") return AccountStatus::disabled;
  return fail("unknown account status " + quote(text) +
              " (expected active, suspended or disabled)");
}

Result<SnapshotStatus> parse_snapshot_status(std::string_view text) {
  if (text == "complete") return SnapshotStatus::complete;
  if (text == "partial") return SnapshotStatus::partial;
  if (text == "failed") return SnapshotStatus::failed;
  return fail("unknown snapshot status " + quote(text));
}

std::string_view to_string(CredentialKind kind) {
  switch (kind) {
    case CredentialKind::access_key: return "access_key";
    case CredentialKind::client_secret: return "client_secret";
    case CredentialKind::certificate: return "certificate";
    case CredentialKind::ssh_key: return "ssh_key";
    case CredentialKind::deploy_key: return "deploy_key";
    case CredentialKind::token: return "token";
    case CredentialKind::password: return "password";
  }
  return "token";
}

std::string_view to_string(CredentialStatus status) {
  return status == CredentialStatus::active ? "active" : "inactive";
}

Result<CredentialKind> parse_credential_kind(std::string_view text) {
  for (auto k : {CredentialKind::access_key, CredentialKind::client_secret, CredentialKind::certificate,
                 CredentialKind::ssh_key, CredentialKind::deploy_key, CredentialKind::token,
                 CredentialKind::password}) {
    if (text == to_string(k)) return k;
  }
  return fail("unknown credential kind " + quote(text) +
              " (expected access_key, client_secret, certificate, ssh_key, deploy_key, token or password)");
}

Result<CredentialStatus> parse_credential_status(std::string_view text) {
  if (text == "active") return CredentialStatus::active;
  if (text == "inactive") return CredentialStatus::inactive;
  return fail("unknown credential status " + quote(text) + " (expected active or inactive)");
}

Result<EntitlementId> split_entitlement_id(std::string_view id) {
  auto colon = id.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == id.size()) {
    return fail("malformed entitlement id " + quote(id) + " (expected \"<type>:<name>\")");
  }
  return EntitlementId{std::string(id.substr(0, colon)), std::string(id.substr(colon + 1))};
}

}  // namespace rollcall
