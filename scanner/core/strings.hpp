// Small string helpers used across modules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rollcall {

std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a plausible typo, else the one
// candidate that starts with `word` (3 characters or more), else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
// Quotes a value for an error message: "value" with control characters and the bytes of
// ill-formed UTF-8 escaped as \xNN, so the message is valid UTF-8 whatever the value held.
std::string quote(std::string_view s);

}  // namespace rollcall
