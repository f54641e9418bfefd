// The drift engine: compares the desired state (roster + policies) with the latest snapshot of
// each configured system and emits findings into a FindingSink.
//
// One system at a time, in constant memory per system: its accounts are read and matched to
// people, then its grants are streamed from the store (ordered by account) and compared with
// the desired entries of each account's owner. A system whose latest snapshot is missing,
// partial, failed or older than max_snapshot_age yields one system_incomplete finding and no
// access finding at all (docs/design.md). SoD is checked across systems at the end.
//
// Only active accounts carry access: suspended and disabled accounts produce no finding, and do
// not count as holding anything. Not thread-safe: to check systems in parallel, give each thread
// its own engine, matcher, sink and database connection, then absorb() them into one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "policies/engine/policy.hpp"
#include "reports/report.hpp"
#include "scanner/config/config.hpp"
#include "scanner/drift/desired.hpp"
#include "scanner/drift/findings.hpp"
#include "scanner/drift/identity.hpp"
#include "scanner/drift/timing.hpp"
#include "scanner/roster/roster.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::drift {

class DriftEngine {
 public:
  // Everything is borrowed and must outlive the engine.
  DriftEngine(const roster::Roster& roster, policy::PolicyEngine& policy, const DesiredState& desired,
              IdentityMatcher& matcher, FindingSink& sink, store::SnapshotStore& snapshots, UnixTime now);

  // Checks one configured system and returns its status for the report. Fails on a store error
  // or a failing policy match hook, naming the system.
  Result<reports::SystemStatus> check_system(const config::SystemConfig& system);
  // Takes over what `other` (an engine that checked other systems of the same scan, e.g. on
  // another thread) learned for the SoD check, and its timings.
  void absorb(DriftEngine& other);

  // What a later scan needs to reuse the result of check_system() instead of checking again.
  struct SodHold {
    std::uint32_t person;  // roster index
    std::uint32_t rule;
    std::uint32_t member;
    std::string account;
  };
  struct Reusable {
    // The findings stay exactly the same for any scan time in [now, valid_until), as far as
    // the clock goes: the first moment a dormancy, day, expiry or staleness test could flip.
    UnixTime valid_until = 0;
    std::vector<SodHold> sod;  // what the system showed for the SoD check
  };
  // For the system check_system() checked last: its Reusable, or nullopt when its result may
  // not be reused (an incomplete system; an expired exception that the system resolved).
  const std::optional<Reusable>& reusable() const { return reusable_; }
  // Takes a reused system's part of the SoD check, as check_system() would have found it.
  void reuse(const reports::SystemStatus& status, const Reusable& reused);
  // Separation-of-duties rules over everything the checked systems showed. Call once, last.
  void check_sod();
  // For FindingSink::add_expired_exceptions: the account of a checked system that an exception
  // written with an email, login or id covers.
  void resolve_exception(const policy::ExceptionRule& x, reports::Finding& f) const;

  // Time spent reading accounts and matching them, and streaming and comparing grants.
  Duration match_time() const { return match_time_; }
  Duration diff_time() const { return diff_time_; }
  // The credentials of the checked systems' accounts, for the reports (moved out once).
  std::vector<reports::CredentialRow>& credentials() { return credentials_; }

 private:
  struct SystemRun;

  bool terminated(const roster::Person& p) const;
  bool wants_access(const roster::Person& p) const;
  bool expected_to_log_in(const Match& m) const;
  void incomplete(const reports::SystemStatus& status, const std::string& expected, const std::string& actual);
  Result<void> diff(SystemRun& run);
  // identity_from: reads the IdP's latest complete snapshot and links each username of `app`
  // to the person its IdP account is. False when the IdP has no complete snapshot.
  Result<bool> link_identities(SystemRun& run, const std::string& idp, const std::string& app);
  // The level spec at which the account's owner (a person or service account) should hold
  // `entitlement` in this system, or nullptr; marks it held and sets *why / *owner when asked.
  // `desired_id` is the entitlement's id in the desired state (StringPool::kNone when absent).
  // *why and *owner point into the desired state or the policy; left alone when unknown.
  const std::string* desired_level(SystemRun& run, const Match& m, std::uint32_t desired_id,
                                   const std::string& entitlement, bool mark_held, const std::string** why,
                                   const std::string** owner) const;
  // Judges one (account, entitlement) group of grants (positions in the snapshot's accounts and
  // entitlements) once the stream has moved past it.
  void flush_group(SystemRun& run, std::size_t account, std::uint32_t entitlement);
  // One function per account-level check.
  void check_orphan(SystemRun& run, std::size_t account);
  void check_terminated(SystemRun& run, std::size_t account);
  void check_service_owner(SystemRun& run, std::size_t account);
  void check_dormant(SystemRun& run, std::size_t account);
  void check_duplicates(SystemRun& run);
  // credential_checks.cpp: every credential of the system's active accounts, and MFA.
  Result<void> check_credentials(SystemRun& run);
  void check_mfa(SystemRun& run, std::size_t account, bool system_reports_passwords,
                 bool has_active_password);
  // Why a service account's owner is not valid ("no owner", "owner x is terminated"), or "".
  std::string service_owner_problem(const Match& m) const;
  void check_missing(SystemRun& run);
  void check_missing_services(SystemRun& run);
  // Access reaching accounts through a grant to everyone or through a nesting, judged once per
  // (system, entitlement) and (system, containing entitlement, reached entitlement).
  void check_everyone(SystemRun& run);
  void check_nested(SystemRun& run);
  void resolve_exceptions(SystemRun& run);
  static std::string snapshot_note(std::int64_t id, UnixTime at, const std::string& digest);
  reports::Finding person_finding(const SystemRun& run, std::uint32_t person) const;
  reports::Finding account_finding(const SystemRun& run, std::size_t account) const;

  const roster::Roster& roster_;
  policy::PolicyEngine& policy_;
  const DesiredState& desired_;
  IdentityMatcher& matcher_;
  FindingSink& sink_;
  store::SnapshotStore& snapshots_;
  UnixTime now_;
  // system -> entitlement id -> (rule index, member index) of every SoD rule naming it
  std::unordered_map<std::string, std::unordered_map<std::string, std::vector<std::pair<std::uint32_t, std::uint32_t>>>> sod_index_;
  std::unordered_map<std::uint32_t, std::vector<SodHold>> sod_held_;  // person -> holds
  std::optional<Reusable> reusable_;  // of the system checked last
  std::unordered_map<std::string, std::string> checked_snapshots_;    // system -> "#id time digest"
  // expired exception -> the account it covers (id, login) and the snapshot that showed it
  struct Resolved {
    std::string id;
    std::string login;
    reports::SnapshotRef snapshot;
  };
  std::unordered_map<const policy::ExceptionRule*, Resolved> exception_resolved_;
  Duration match_time_;
  Duration diff_time_;
  std::vector<reports::CredentialRow> credentials_;
};

}  // namespace rollcall::drift
