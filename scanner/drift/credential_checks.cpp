// The credential checks of one system (credential_stale, credential_unused, credential_expired,
// credential_owner_inactive) and mfa_missing, run after the account checks. Credentials of
// inactive accounts are inventoried but not judged: the platform refuses them with the
// account. See docs/findings.md for each kind's boundary.
#include <nlohmann/json.hpp>

#include "scanner/drift/engine.hpp"
#include "scanner/drift/system_run.hpp"

namespace rollcall::drift {
namespace {

constexpr std::int64_t kDay = 86400;

std::int64_t days_between(UnixTime from, UnixTime to) { return (to - from) / kDay; }

// Passwords are judged by the platform's own password policy and certificates by their expiry,
// not by a rotation age.
bool rotates(CredentialKind kind) { return kind != CredentialKind::password && kind != CredentialKind::certificate; }

// The account's `mfa_enrolled` attribute (what Okta, Entra and AWS report), or nullopt when the
// platform says nothing.
std::optional<bool> mfa_enrolled(const Account& a) {
  if (a.attrs_json.find("\"mfa_enrolled\"") == std::string::npos) return std::nullopt;
  auto attrs = nlohmann::json::parse(a.attrs_json, nullptr, false);
  if (!attrs.is_object()) return std::nullopt;
  auto it = attrs.find("mfa_enrolled");
  if (it == attrs.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

}  // namespace

Result<void> DriftEngine::check_credentials(SystemRun& run) {
  std::vector<Credential> credentials;
  if (run.info.credentials > 0) {
    RC_ASSIGN(credentials, snapshots_.credentials(run.info));
  }
  run.has_credentials = !credentials.empty();
  bool system_reports_passwords = false;
  for (const Credential& c : credentials) system_reports_passwords |= c.kind == CredentialKind::password;

  const policy::CredentialLimits limits = policy_.settings().credential_limits(run.config->name);
  // Both lists are ordered by account id: walk them together.
  std::size_t next = 0;
  for (std::size_t i = 0; i < run.accounts.size(); ++i) {
    const Account& a = run.accounts[i];
    const Match& m = run.matches[i];
    const bool active = a.status == AccountStatus::active;
    bool has_active_password = false;
    while (next < credentials.size() && credentials[next].account_id < a.id) ++next;
    for (; next < credentials.size() && credentials[next].account_id == a.id; ++next) {
      const Credential& c = credentials[next];
      reports::CredentialRow row{run.config->name, a.id, a.login,
                                 m.kind == MatchKind::person ? roster_.people[m.index].email : "",
                                 c.id, std::string(to_string(c.kind)), std::string(to_string(c.status)),
                                 c.created_at, c.last_used_at, c.last_used_where, c.use_recorded, c.expires_at};
      credentials_.push_back(std::move(row));
      if (!active || c.status != CredentialStatus::active) continue;
      has_active_password |= c.kind == CredentialKind::password;

      auto finding = [&](Kind kind, std::string expected, std::string actual, std::string message) {
        reports::Finding f = account_finding(run, i);
        f.entitlement_id = std::string(kCredentialPrefix) + c.id;
        f.facts.credential_id = c.id;
        f.facts.credential_kind = std::string(to_string(c.kind));
        f.evidence.extra["credential"] = c.id;
        f.evidence.extra["credential_kind"] = std::string(to_string(c.kind));
        if (c.created_at) {
          f.evidence.extra["created"] = format_iso8601(*c.created_at);
          f.evidence.extra["age_days"] = std::to_string(days_between(*c.created_at, now_));
        }
        if (!c.use_recorded) f.evidence.extra["last_used"] = "not recorded by the platform";
        else if (c.last_used_at) f.evidence.extra["last_used"] = format_iso8601(*c.last_used_at);
        else f.evidence.extra["last_used"] = "never";
        if (!c.last_used_where.empty()) f.evidence.extra["last_used_where"] = c.last_used_where;
        if (c.expires_at) f.evidence.extra["expires"] = format_iso8601(*c.expires_at);
        f.expected = std::move(expected);
        f.actual = std::move(actual);
        f.message = std::string(to_string(c.kind)) + " " + c.id + " of account " + account_name(a) + " " + message;
        sink_.add(kind, std::move(f), {a.email});
      };

      // credential_owner_inactive: whoever answers for the account is gone.
      std::string owner_gone;
      if (m.kind == MatchKind::person && terminated(roster_.people[m.index])) {
        owner_gone = (roster_.people[m.index].name.empty() ? roster_.people[m.index].email
                                                            : roster_.people[m.index].name) + " is terminated";
      } else if (m.kind == MatchKind::service) {
        owner_gone = service_owner_problem(m);
      }
      if (!owner_gone.empty()) {
        finding(Kind::credential_owner_inactive, "credential deactivated: its owner is gone",
                "active; " + owner_gone, "is still active, but " + owner_gone);
      }
      if (c.expires_at && now_ > *c.expires_at) {
        finding(Kind::credential_expired, "removed once expired",
                "expired " + format_date(*c.expires_at) + " (" + std::to_string(days_between(*c.expires_at, now_)) +
                    " days ago), still present and active",
                "expired on " + format_date(*c.expires_at) + " and is still present");
      }
      if (rotates(c.kind) && c.created_at && days_between(*c.created_at, now_) > limits.rotation_days) {
        const std::int64_t age = days_between(*c.created_at, now_);
        finding(Kind::credential_stale, "rotated within " + std::to_string(limits.rotation_days) + " days",
                "created " + format_date(*c.created_at) + " (" + std::to_string(age) + " days ago)",
                "has not been rotated for " + std::to_string(age) + " days");
      }
      if (c.use_recorded) {
        const std::int64_t limit = limits.unused_days;
        if (c.last_used_at && days_between(*c.last_used_at, now_) > limit) {
          const std::int64_t idle = days_between(*c.last_used_at, now_);
          finding(Kind::credential_unused, "used within " + std::to_string(limit) + " days",
                  "last used " + format_date(*c.last_used_at) + " (" + std::to_string(idle) + " days ago)",
                  "has not been used for " + std::to_string(idle) + " days");
        } else if (!c.last_used_at && c.created_at && days_between(*c.created_at, now_) > limit) {
          const std::int64_t age = days_between(*c.created_at, now_);
          finding(Kind::credential_unused, "used within " + std::to_string(limit) + " days",
                  "never used since it was created " + format_date(*c.created_at) + " (" + std::to_string(age) +
                      " days ago)",
                  "has never been used in the " + std::to_string(age) + " days since it was created");
        }
      }
    }
    if (active) check_mfa(run, i, system_reports_passwords, has_active_password);
  }
  return {};
}

void DriftEngine::check_mfa(SystemRun& run, std::size_t i, bool system_reports_passwords, bool has_active_password) {
  const Account& a = run.accounts[i];
  const Match& m = run.matches[i];
  if (a.kind != AccountKind::human && a.kind != AccountKind::guest) return;
  if (m.kind == MatchKind::service) return;
  // Where the platform reports console passwords, only accounts that can sign in with one need
  // MFA (an IAM user with keys only has no console to protect).
  if (system_reports_passwords && !has_active_password) return;
  const auto enrolled = mfa_enrolled(a);
  if (!enrolled || *enrolled) return;
  reports::Finding f = account_finding(run, i);
  f.expected = "a second factor enrolled";
  f.actual = system_reports_passwords ? "console password, no MFA device" : "no MFA factor enrolled";
  f.evidence.extra["mfa_enrolled"] = "false";
  f.message = "account " + account_name(a) + " signs in " + (system_reports_passwords ? "with a password " : "") +
              "without a second factor";
  sink_.add(Kind::mfa_missing, std::move(f), {a.email});
}

}  // namespace rollcall::drift
