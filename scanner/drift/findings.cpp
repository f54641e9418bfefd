#include "scanner/drift/findings.hpp"

#include <algorithm>
#include <tuple>
#include <unordered_set>

#include "scanner/core/digest.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::drift {
namespace {

constexpr std::string_view kSodPrefix = "sod:";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

Result<reports::Severity> parse_override(const std::string& what, const std::string& value) {
  auto s = reports::parse_severity(value);
  if (!s) {
    return fail("policy settings: severity for " + quote(what) + ": " + quote(value) +
                " is not one of info, low, medium, high, critical, error");
  }
  return *s;
}

}  // namespace

std::string fingerprint(std::string_view kind, std::string_view system, std::string_view subject,
                        std::string_view entitlement) {
  Sha256 h;
  for (std::string_view part : {kind, system, subject}) {
    h.update(part);
    h.update("\x1f");
  }
  h.update(entitlement);
  return h.hex();
}

Result<FindingSink> FindingSink::create(const policy::PolicyEngine& policy, const EmailRules& rules,
                                        UnixTime now) {
  FindingSink sink(policy, rules, now);
  const policy::Settings& settings = policy.settings();
  const std::vector<std::string> names = finding_kind_names();
  for (const auto& [kind, value] : settings.severity) {
    auto parsed = parse_finding_kind(kind);
    if (!parsed) {
      std::string guess = closest_match(kind, names);
      for (std::size_t j = 0; j < names.size() && guess.empty(); ++j) {
        if (starts_with(names[j], kind)) guess = names[j];
      }
      return fail("policy settings: severity: unknown finding kind " + quote(kind) +
                  (guess.empty() ? "" : " (did you mean " + quote(guess) + "?)"));
    }
    const auto i = static_cast<std::size_t>(*parsed);
    RC_ASSIGN(sink.severity_[i], parse_override(kind, value));
    sink.overridden_[i] = true;
  }
  for (const auto& [key, value] : settings.entitlement_severity) {
    RC_ASSIGN(sink.entitlement_severity_[key], parse_override(key, value));
  }
  for (const auto& x : policy.exceptions()) {
    if (starts_with(x.entitlement, kSodPrefix)) sink.sod_exceptions_.push_back(&x);
    else sink.exceptions_by_system_[x.system].push_back(&x);
  }
  return sink;
}

bool FindingSink::expired(const policy::ExceptionRule& x) const {
  // The policy engine turns a day ("2026-12-31") into its last second; 0 means no expiry.
  return x.expires != 0 && now_ > x.expires;
}

bool FindingSink::covers(const policy::ExceptionRule& x, const reports::Finding& f, const Subject& s) const {
  if (x.entitlement != f.entitlement_id) return false;
  if (!x.person.empty() && !f.person_email.empty() &&
      normalize_email(x.person, rules_) == normalize_email(f.person_email, rules_)) {
    return true;
  }
  if (x.account.empty()) return false;
  if (iequals(x.account, f.account_id) || iequals(x.account, f.account_login)) return true;
  const std::string want = normalize_email(x.account, rules_);
  for (std::string_view email : {s.account_email, std::string_view(f.person_email)}) {
    if (!email.empty() && normalize_email(email, rules_) == want) return true;
  }
  return false;
}

void FindingSink::apply_exceptions(reports::Finding& f, const Subject& s) const {
  const std::vector<const policy::ExceptionRule*>* candidates = nullptr;
  if (starts_with(f.entitlement_id, kSodPrefix)) {
    candidates = &sod_exceptions_;
  } else if (auto it = exceptions_by_system_.find(f.system); it != exceptions_by_system_.end()) {
    candidates = &it->second;
  }
  if (candidates == nullptr) return;
  const policy::ExceptionRule* lapsed = nullptr;
  for (const policy::ExceptionRule* x : *candidates) {
    if (!covers(*x, f, s)) continue;
    if (expired(*x)) {
      if (lapsed == nullptr) lapsed = x;
      continue;
    }
    f.status = reports::FindingStatus::excepted;
    lapsed = x;
    break;
  }
  if (lapsed == nullptr) return;
  f.evidence.exception_ticket = lapsed->ticket;
  if (lapsed->expires != 0) f.evidence.exception_expires = lapsed->expires;
  f.evidence.exception_reason = lapsed->reason;
  f.evidence.exception_source = lapsed->source.str();
  if (f.status != reports::FindingStatus::excepted) f.evidence.extra["exception"] = "expired";
}

void FindingSink::add(Kind kind, reports::Finding f, const Subject& subject) {
  const auto k = static_cast<std::size_t>(kind);
  const FindingKindInfo& row = info(kind);
  f.kind = std::string(row.name);
  f.severity = overridden_[k] ? severity_[k] : row.severity;
  if (kind == Kind::unauthorized_access || kind == Kind::everyone_access || kind == Kind::nested_access) {
    if (f.facts.privileged && !overridden_[k]) f.severity = reports::Severity::critical;
    auto it = entitlement_severity_.find(f.system + ":" + f.entitlement_id);
    if (it != entitlement_severity_.end()) f.severity = it->second;
  }
  std::string who;
  switch (row.subject) {
    case FindingSubject::person: who = "person:" + to_lower(f.person_email); break;
    case FindingSubject::account:
      who = f.account_id.empty() ? "person:" + to_lower(f.person_email) : f.account_id;
      break;
    case FindingSubject::entitlement: who = "via:" + f.facts.via; break;
    case FindingSubject::system:
      who = f.account_id.empty() ? "person:" + to_lower(f.person_email) : f.account_id;
      break;
  }
  f.fingerprint = fingerprint(f.kind, f.system, who, f.entitlement_id);
  if (kind != Kind::system_incomplete && kind != Kind::exception_expired) apply_exceptions(f, subject);
  findings_.push_back(std::move(f));
}

void FindingSink::add_expired_exceptions(
    const std::function<void(const policy::ExceptionRule&, reports::Finding&)>& resolve) {
  std::unordered_set<std::string> seen;
  for (const auto& x : policy_->exceptions()) {
    if (!expired(x)) continue;
    reports::Finding f;
    f.system = x.system;
    f.account_id = x.account;
    f.person_email = x.person;
    f.entitlement_id = x.entitlement;
    f.expected = "a valid exception, or the access removed";
    f.actual = "exception expired " + format_date(x.expires);
    const std::string& who = x.account.empty() ? x.person : x.account;
    f.message = "exception " + (x.ticket.empty() ? std::string("without ticket") : x.ticket) + " for " +
                who + (x.entitlement.empty() ? std::string() : " on " + x.entitlement) +
                (x.system.empty() ? std::string() : " in " + x.system) + " expired " +
                format_date(x.expires);
    f.evidence.policy.push_back("exception at " + x.source.str());
    f.evidence.exception_ticket = x.ticket;
    f.evidence.exception_expires = x.expires;
    f.evidence.exception_reason = x.reason;
    f.evidence.exception_source = x.source.str();
    f.owner = x.owner;
    // The fingerprint keeps the account as the exception writes it: stable whether or not a
    // checked system shows the account this time.
    add(Kind::exception_expired, std::move(f));
    if (!seen.insert(findings_.back().fingerprint).second) {
      findings_.pop_back();
    } else if (resolve) {
      resolve(x, findings_.back());
    }
  }
}

}  // namespace rollcall::drift

namespace rollcall::drift {

void sort_findings(std::vector<reports::Finding>& findings) {
  std::sort(findings.begin(), findings.end(), [](const reports::Finding& a, const reports::Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    return std::tie(a.kind, a.system, a.account_id, a.entitlement_id, a.fingerprint) <
           std::tie(b.kind, b.system, b.account_id, b.entitlement_id, b.fingerprint);
  });
}

}  // namespace rollcall::drift
