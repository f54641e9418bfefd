// Reading LDAP values: DNs compared the way directories compare them, timestamps in either
// LDAP GeneralizedTime or Active Directory FILETIME, "is this account disabled", and AD's
// ranged attributes (member;range=0-1499).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::connectors::ldap {

// A DN in a form that compares equal for equal DNs: syntax normalized by libldap (spaces
// around separators, escapes, attribute type case) and lower-cased. nullopt when `dn` is not
// a valid DN.
std::optional<std::string> normalize_dn(std::string_view dn);

// `value` escaped for use inside an LDAP search filter (RFC 4515): *, (, ), \ and NUL as \XX.
std::string escape_filter_value(std::string_view value);

// A groupOfUniqueNames uniqueMember value without its optional "#'0101'B" unique-id suffix.
std::string_view strip_unique_id(std::string_view value);

// "20261001120000Z", "20261001120000.5Z", "202610011200+0200" (GeneralizedTime) or
// "134353296000000000" (FILETIME: 100 ns ticks since 1601, as AD's lastLogonTimestamp). "0"
// and 9223372036854775807 are AD's "never": nullopt. Fails quoting any other text.
Result<std::optional<UnixTime>> parse_ldap_time(std::string_view text);

// Whether an account is disabled according to `value` of the attribute `attr`.
// userAccountControl: the ACCOUNTDISABLE bit (0x2); fails when the value is not a number.
// Any other attribute (pwdAccountLockedTime, nsAccountLock, ...): disabled when present and
// not "false", "no" or "0" (any case).
Result<bool> is_disabled(std::string_view attr, std::string_view value);

// An attribute description split into its name and AD's range option: "member;range=0-1499"
// -> {"member", ranged, next_start 1500}; "member;range=1500-*" -> {"member", ranged, last};
// "mail" -> {"mail", not ranged}. Fails on a malformed range.
struct RangedAttribute {
  std::string name;
  bool ranged = false;
  std::optional<std::size_t> next_start;  // where the next range starts; nullopt on the last
};
Result<RangedAttribute> parse_attribute_range(std::string_view description);

}  // namespace rollcall::connectors::ldap
