// Colour on a terminal, and only there: severities and the +/-/~ of plan and diff lines.
// Enabled when standard output is a terminal, NO_COLOR (https://no-color.org) is unset or empty
// and --no-color was not given. Commands write plain text; Context::out paints it, so the
// files, pipes and logs a scheduler captures never contain escape codes.
#pragma once

#include <string>
#include <string_view>

namespace rollcall::cli {

// True when output to the file descriptor may be coloured: a terminal, no NO_COLOR, no
// --no-color (`disabled`).
bool colour_wanted(int fd, bool disabled);

// `text` with ANSI colours on the shapes rollcall prints: a line whose first word is a plan or
// diff sign (+ green, - red, ~ yellow), and a severity word (critical, error: bold red; high:
// red; medium: yellow; low, info: dim) among the first three words of a line. Other text is
// returned unchanged.
std::string paint(std::string_view text);

}  // namespace rollcall::cli
