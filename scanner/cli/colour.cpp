#include "scanner/cli/colour.hpp"

#include <unistd.h>

#include <cstdlib>

#include "scanner/core/strings.hpp"

namespace rollcall::cli {
namespace {

constexpr std::string_view kReset = "\033[0m";

std::string_view severity_colour(std::string_view word) {
  if (word == "critical" || word == "error") return "\033[1;31m";
  if (word == "high") return "\033[31m";
  if (word == "medium") return "\033[33m";
  if (word == "low" || word == "info") return "\033[2m";
  return {};
}

std::string_view sign_colour(std::string_view word) {
  if (word == "+") return "\033[32m";
  if (word == "-") return "\033[31m";
  if (word == "~") return "\033[33m";
  return {};
}

std::string paint_line(std::string_view line) {
  std::string out;
  std::size_t pos = 0;
  for (int word_no = 0; word_no < 3; ++word_no) {
    std::size_t start = line.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) break;
    std::size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    const std::string_view word = line.substr(start, end - start);
    std::string_view colour = word_no == 0 ? sign_colour(word) : std::string_view();
    if (colour.empty()) colour = severity_colour(word);
    if (!colour.empty()) {
      out.append(line.substr(0, start));
      out.append(colour).append(word).append(kReset).append(line.substr(end));
      return out;
    }
    pos = end;
  }
  return std::string(line);
}

}  // namespace

bool colour_wanted(int fd, bool disabled) {
  if (disabled) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  return ::isatty(fd) == 1;
}

std::string paint(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    out += paint_line(text.substr(pos, nl - pos));
    if (nl < text.size()) out += '\n';
    pos = nl + 1;
  }
  return out;
}

}  // namespace rollcall::cli
