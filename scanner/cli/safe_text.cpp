#include "scanner/cli/safe_text.hpp"

namespace rollcall::cli {

std::string terminal_safe(std::string_view s, std::size_t width) {
  std::size_t end = s.size();
  if (end > width) {
    end = width < 3 ? 0 : width - 3;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  }
  std::string out;
  out.reserve(end + 3);
  for (std::size_t i = 0; i < end; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += c < 0x20 || c == 0x7F ? '?' : s[i];
  }
  if (end < s.size()) out += "...";
  return out;
}

std::string terminal_safe_lines(std::string_view s) {
  std::string out;
  for (std::size_t start = 0; start <= s.size();) {
    std::size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    out += terminal_safe(s.substr(start, end - start));
    if (end < s.size()) out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace rollcall::cli
