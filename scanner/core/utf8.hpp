// UTF-8 validation for text that comes from outside rollcall: rosters, exports, API responses,
// directory and database values, config. The rule (docs/security.md) is to reject, not repair:
// text that is not well-formed UTF-8 is refused where it enters, with one line naming the
// file or system and the record, so that invalid bytes never reach the database, a plan id or
// a report, and two different byte strings are never silently made equal.
//
// Every entry point calls check_utf8() (or the sink check in connectors/api/snapshot_runner);
// a new source (another roster type, another connector) does the same.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "scanner/core/result.hpp"

namespace rollcall {

// Offset of the first byte of the first ill-formed sequence (RFC 3629: stray continuation
// bytes, truncated or overlong sequences, UTF-16 surrogates, code points above U+10FFFF);
// nullopt when all of `s` is well-formed.
std::optional<std::size_t> invalid_utf8_at(std::string_view s);
inline bool is_valid_utf8(std::string_view s) { return !invalid_utf8_at(s); }

// Succeeds when `s` is well-formed; otherwise fails with
// "<what> is not valid UTF-8 (byte 0xff at offset 3)".
Result<void> check_utf8(std::string_view s, std::string_view what);

// Length of the well-formed sequence starting at s[i], or 0 when the byte at i does not start
// one. For code that walks text and must treat bad bytes itself (messages, reports).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

// `s` with each byte of an ill-formed sequence written as \xNN (well-formed text unchanged):
// for messages that must carry outside text, such as a parser's "last read" echo.
std::string escape_invalid_utf8(std::string_view s);

}  // namespace rollcall
