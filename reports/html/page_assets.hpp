// The HTML report's one inline stylesheet and one inline script: reports/html/assets/report.css
// and report.js, compiled in by CMake (reports/CMakeLists.txt). They are constants, never built
// from report data, so the Content-Security-Policy can allow exactly them by hash; the data
// travels separately as JSON (page_data.hpp) and the script renders it with textContent.
#pragma once

#include <string_view>

namespace rollcall::reports::html {

extern const std::string_view kPageStyle;   // assets/report.css
extern const std::string_view kPageScript;  // assets/report.js

}  // namespace rollcall::reports::html
