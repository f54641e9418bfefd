// The HTML report's one inline stylesheet and one inline script. They are constants, never
// built from report data, so the Content-Security-Policy can allow exactly them by hash; the
// data travels separately as JSON (page_data.hpp) and the script renders it with textContent.
#pragma once

#include <string_view>

namespace rollcall::reports::html {

extern const std::string_view kPageStyle;   // page_style.cpp
extern const std::string_view kPageScript;  // page_script.cpp

}  // namespace rollcall::reports::html
