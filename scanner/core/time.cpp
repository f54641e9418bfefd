#include "scanner/core/time.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>

#include "scanner/core/strings.hpp"

namespace rollcall {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

bool read_digits(std::string_view s, std::size_t& pos, int count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (int i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + (c - '0');
  }
  pos += count;
  return true;
}

bool valid_day(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max;
}

}  // namespace

Result<UnixTime> parse_iso8601(std::string_view text) {
  std::string_view s = trim(text);
  auto bad = [&] { return fail("invalid date/time " + quote(text) + " (expected ISO 8601)"); };
  std::size_t pos = 0;
  int y, mo, d;
  if (!read_digits(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-' ||
      !read_digits(s, pos, 2, mo) || pos >= s.size() || s[pos++] != '-' ||
      !read_digits(s, pos, 2, d) || !valid_day(y, mo, d)) {
    return bad();
  }
  std::int64_t secs = days_from_civil(y, mo, d) * 86400;
  if (pos == s.size()) return secs;
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return bad();
  ++pos;
  int h, mi, se = 0;
  if (!read_digits(s, pos, 2, h) || pos >= s.size() || s[pos++] != ':' ||
      !read_digits(s, pos, 2, mi)) {
    return bad();
  }
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!read_digits(s, pos, 2, se)) return bad();
  }
  if (h > 23 || mi > 59 || se > 60) return bad();
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    if (pos == start) return bad();
  }
  secs += h * 3600 + mi * 60 + se;
  if (pos == s.size()) return secs;  // no zone: taken as UTC
  if (s[pos] == 'Z' || s[pos] == 'z') return pos + 1 == s.size() ? Result<UnixTime>(secs) : bad();
  if (s[pos] == '+' || s[pos] == '-') {
    int sign = s[pos] == '+' ? 1 : -1;
    ++pos;
    int oh, om = 0;
    if (!read_digits(s, pos, 2, oh)) return bad();
    if (pos < s.size() && s[pos] == ':') ++pos;
    if (pos < s.size() && !read_digits(s, pos, 2, om)) return bad();
    if (pos != s.size()) return bad();
    return secs - sign * (oh * 3600 + om * 60);
  }
  return bad();
}

std::string format_iso8601(UnixTime t) {
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  std::int64_t rem = t - days * 86400;
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60));
  return buf;
}

std::string format_date(UnixTime t) { return format_iso8601(t).substr(0, 10); }

Result<std::int64_t> parse_duration(std::string_view text) {
  std::string_view s = trim(text);
  auto bad = [&] {
    return fail("invalid duration " + quote(text) + " (expected e.g. \"90s\", \"15m\", \"26h\", \"7d\")");
  };
  if (s.empty()) return bad();
  std::int64_t n = 0;
  std::size_t i = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    n = n * 10 + (s[i] - '0');
    if (n > 1'000'000'000'000) return bad();
  }
  if (i == 0) return bad();
  std::string_view unit = s.substr(i);
  if (unit.empty() || unit == "s") return n;
  if (unit == "m") return n * 60;
  if (unit == "h") return n * 3600;
  if (unit == "d") return n * 86400;
  return bad();
}

UnixTime SystemClock::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace rollcall
