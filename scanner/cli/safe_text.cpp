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

}  // namespace rollcall::cli
