#include "connectors/ldap/ldap_values.hpp"

#include <ldap.h>

#include <charconv>
#include <cstdint>

#include "scanner/core/strings.hpp"

namespace rollcall::connectors::ldap {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

template <class T>
bool to_number(std::string_view s, T& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Seconds between 1601-01-01 (FILETIME's epoch) and 1970-01-01.
constexpr std::int64_t kFiletimeEpochOffset = 11644473600;

}  // namespace

std::optional<std::string> normalize_dn(std::string_view dn) {
  std::string in(trim(dn));
  char* out = nullptr;
  if (ldap_dn_normalize(in.c_str(), LDAP_DN_FORMAT_LDAPV3, &out, LDAP_DN_FORMAT_LDAPV3) !=
          LDAP_SUCCESS ||
      out == nullptr) {
    return std::nullopt;
  }
  std::string normalized = to_lower(out);
  ldap_memfree(out);
  return normalized;
}

std::string escape_filter_value(std::string_view value) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (char c : value) {
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c == '\0') {
      const auto u = static_cast<unsigned char>(c);
      out += '\\';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view strip_unique_id(std::string_view value) {
  // RFC 4517 NameAndOptionalUID: <dn>#'<bits>'B. A '#' may also start a hex-encoded RDN
  // value ("cn=#04024869"), so only a trailing bit string counts.
  std::size_t hash = value.rfind("#'");
  if (hash == std::string_view::npos || !ends_with(value, "'B")) return value;
  std::string_view bits = value.substr(hash + 2, value.size() - hash - 4);
  if (bits.find_first_not_of("01") != std::string_view::npos) return value;
  return value.substr(0, hash);
}

Result<std::optional<UnixTime>> parse_ldap_time(std::string_view text) {
  std::string_view s = trim(text);
  auto bad = [&] {
    return fail("invalid time " + quote(text) + " (expected LDAP GeneralizedTime or a FILETIME)");
  };
  // GeneralizedTime always ends with a time zone in LDAP (RFC 4517), so bare digits are FILETIME.
  if (all_digits(s)) {
    std::uint64_t ticks = 0;
    if (!to_number(s, ticks)) return bad();
    if (ticks == 0 || ticks >= 0x7fffffffffffffffULL) return std::optional<UnixTime>();
    // Before 1970: not a login time but a misread value (a GeneralizedTime without its zone).
    if (ticks < static_cast<std::uint64_t>(kFiletimeEpochOffset) * 10000000) return bad();
    return std::optional<UnixTime>(static_cast<std::int64_t>(ticks / 10000000) - kFiletimeEpochOffset);
  }
  // GeneralizedTime: YYYYMMDDHH[MM[SS]][(.|,)fraction](Z|(+|-)HH[MM]). Rebuilt as ISO 8601.
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits != 10 && digits != 12 && digits != 14) return bad();
  std::string iso = std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4, 2)) + "-" +
                    std::string(s.substr(6, 2)) + "T" + std::string(s.substr(8, 2)) + ":" +
                    (digits >= 12 ? std::string(s.substr(10, 2)) : "00") + ":" +
                    (digits >= 14 ? std::string(s.substr(12, 2)) : "00");
  std::string_view rest = s.substr(digits);
  if (!rest.empty() && (rest[0] == '.' || rest[0] == ',')) {
    std::size_t end = 1;
    while (end < rest.size() && rest[end] >= '0' && rest[end] <= '9') ++end;
    if (end == 1) return bad();
    iso += "." + std::string(rest.substr(1, end - 1));
    rest.remove_prefix(end);
  }
  if (rest == "Z") {
    iso += "Z";
  } else if (rest.size() == 3 || rest.size() == 5) {
    if ((rest[0] != '+' && rest[0] != '-') || !all_digits(rest.substr(1))) return bad();
    iso += std::string(rest.substr(0, 3)) + ":" + (rest.size() == 5 ? std::string(rest.substr(3)) : "00");
  } else {
    return bad();
  }
  auto t = parse_iso8601(iso);
  if (!t) return bad();
  return std::optional<UnixTime>(*t);
}

Result<bool> is_disabled(std::string_view attr, std::string_view value) {
  if (to_lower(attr) == "useraccountcontrol") {
    std::int64_t flags = 0;
    if (!to_number(trim(value), flags)) {
      return fail("userAccountControl " + quote(value) + " is not a number");
    }
    return (flags & 0x2) != 0;
  }
  std::string v = to_lower(trim(value));
  return !(v == "false" || v == "no" || v == "0");
}

Result<RangedAttribute> parse_attribute_range(std::string_view description) {
  RangedAttribute out;
  std::string lower = to_lower(description);
  std::size_t pos = lower.find(";range=");
  if (pos == std::string::npos) {
    out.name = lower;
    return out;
  }
  out.ranged = true;
  std::size_t end = lower.find(';', pos + 1);
  std::string_view range = std::string_view(lower).substr(
      pos + 7, end == std::string::npos ? std::string::npos : end - pos - 7);
  out.name = lower.substr(0, pos) + (end == std::string::npos ? "" : lower.substr(end));
  std::size_t dash = range.find('-');
  std::size_t lo = 0, hi = 0;
  if (dash == std::string_view::npos || !to_number(range.substr(0, dash), lo)) {
    return fail("malformed range in attribute " + quote(description));
  }
  std::string_view high = range.substr(dash + 1);
  if (high == "*") return out;
  if (!to_number(high, hi) || hi < lo) return fail("malformed range in attribute " + quote(description));
  out.next_start = hi + 1;
  return out;
}

}  // namespace rollcall::connectors::ldap
