// Time as seconds since the Unix epoch (UTC), ISO 8601 parsing/formatting, durations such as
// "26h", and the Clock seam: code that needs "now" takes a Clock so tests are deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "scanner/core/result.hpp"

namespace rollcall {

using UnixTime = std::int64_t;

// Accepts "2026-10-01", "2026-10-01T12:00:00Z", fractions, and "+02:00"-style offsets.
// Fails with a message quoting the text.
Result<UnixTime> parse_iso8601(std::string_view text);
// "2026-10-01T12:00:00Z"
std::string format_iso8601(UnixTime t);
// "2026-10-01"
std::string format_date(UnixTime t);
// "90s", "15m", "26h", "7d", or a bare number of seconds. Fails quoting the text.
Result<std::int64_t> parse_duration(std::string_view text);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixTime now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixTime now() const override;
};

// A clock that returns what the test sets.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(UnixTime t) : t_(t) {}
  UnixTime now() const override { return t_; }
  void set(UnixTime t) { t_ = t; }

 private:
  UnixTime t_;
};

}  // namespace rollcall
