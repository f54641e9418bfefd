// Text from target systems and HR exports on a terminal: control characters (an ANSI escape
// sequence in someone's display name) must not reach it.
#pragma once

#include <string>
#include <string_view>

namespace rollcall::cli {

// `s` with every control character replaced by '?'; when longer than `width` bytes, cut (never
// inside a UTF-8 sequence) and ended with "...".
std::string terminal_safe(std::string_view s, std::size_t width = std::string_view::npos);
// terminal_safe() of each line of `s`, keeping its line breaks (multi-line messages, tables).
std::string terminal_safe_lines(std::string_view s);

}  // namespace rollcall::cli
