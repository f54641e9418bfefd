// Internal to scanner/drift: the state of one system's check (DriftEngine::SystemRun) and the
// small helpers the engine's checks share (engine.cpp streams and judges grants; checks.cpp
// holds the per-account, per-person and once-per-system checks).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "scanner/core/strings.hpp"
#include "scanner/drift/engine.hpp"

namespace rollcall::drift::detail {

inline constexpr std::uint32_t kNone = UINT32_MAX;
inline constexpr std::size_t kMaxListed = 10;  // entitlements named in one missing-account finding

inline bool day_passed(UnixTime day, UnixTime now) { return now / 86400 > day / 86400; }

inline std::vector<std::string> lines_of(const std::string& text) {
  return text.empty() ? std::vector<std::string>{} : split(text, '\n');
}

// 93600 -> "26h", 5400 -> "90m", 45 -> "45s": as a max_snapshot_age is written.
inline std::string format_age(std::int64_t seconds) {
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

inline std::string account_name(const Account& a) { return a.login.empty() ? a.id : a.login; }

// "admin", or "member (via group:eng); admin" when held several ways.
inline std::string describe_held(const std::vector<HeldLevel>& held) {
  std::string out;
  for (const auto& h : held) {
    if (!out.empty()) out += "; ";
    out += h.level;
    if (!h.via.empty() && h.via != "direct") out += " (via " + h.via + ")";
  }
  return out;
}

inline bool direct(const HeldLevel& h) { return h.via.empty() || h.via == "direct"; }
inline bool through_everyone(const HeldLevel& h) { return starts_with(h.via, kViaEveryone); }

// `*` matches any run of characters; everything else literally.
inline bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

inline std::vector<std::string> level_list(std::string_view spec) {
  std::vector<std::string> out;
  for (std::string_view l : policy::allowed_levels(spec)) out.emplace_back(l);
  return out;
}

inline std::string join_list(const std::vector<std::string>& items, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max; ++i) {
    if (!out.empty()) out += ", ";
    out += items[i];
  }
  if (items.size() > max) out += ", and " + std::to_string(items.size() - max) + " more";
  return out;
}

}  // namespace rollcall::drift::detail

namespace rollcall::drift {

using namespace detail;  // NOLINT: the helpers above are this module's shared vocabulary

struct DriftEngine::SystemRun {
  const config::SystemConfig* config = nullptr;
  std::size_t index = 0;  // in the desired state
  store::SnapshotInfo info;
  reports::SnapshotRef snapshot;
  std::vector<Account> accounts;          // ordered by id
  std::vector<Entitlement> entitlements;  // ordered by id
  std::vector<std::uint32_t> desired_ids;  // per entitlement: its DesiredState id, or StringPool::kNone
  std::vector<Match> matches;
  std::unordered_set<std::string> privileged;
  std::vector<std::uint32_t> first;  // person -> their first active account, or kNone
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> more;  // person -> further ones
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> inactive;  // person -> suspended/disabled accounts
  std::unordered_set<std::uint32_t> ambiguous_people;
  std::vector<std::uint8_t> held;  // per desired entry of the system
  std::unordered_map<std::uint32_t, std::vector<std::uint8_t>> service_held;
  std::vector<std::uint32_t> grants;  // per account
  std::vector<HeldLevel> group;       // (level, via) of the current group
  const std::unordered_map<std::string, std::vector<std::pair<std::uint32_t, std::uint32_t>>>* sod = nullptr;
  // What everyone in the system may hold (policy baselines), and whether the platform's own
  // grants to everyone count as part of it.
  std::vector<const policy::BaselineEntry*> baseline;
  bool platform_defaults = true;
  // Accepted nestings: "<containing>\x1f<reached>".
  std::unordered_set<std::string> accepted_nesting;
  struct Reach {
    std::vector<std::uint32_t> accounts;  // active accounts reached
    std::set<std::string> levels;
    std::string via;                      // everyone: kViaEveryone or kViaEveryoneDefault
  };
  std::map<std::string, Reach> everyone;                             // entitlement -> reach
  std::map<std::pair<std::string, std::string>, Reach> nested;       // (containing, reached) -> reach
  std::int64_t unmatched = 0;  // accounts whose identity the platform hides, matched to nobody
  // For reusing this check in a later scan (DriftEngine::Reusable).
  UnixTime valid_until = 0;
  std::vector<SodHold> sod_found;
  bool resolved_exception = false;
  // The system's snapshot holds credentials: always checked, never reused, since their
  // inventory goes into the report and their ages move with the clock.
  bool has_credentials = false;
  // identity_from: lower-cased username in the IdP app -> the person the IdP account is, and
  // how the link is named in evidence ("okta app \"GitHub Enterprise\""). A system linked
  // through another one is never reused: the other system's snapshot is an input too.
  std::unordered_map<std::string, std::uint32_t> sso;
  std::string sso_via;
};

}  // namespace rollcall::drift
