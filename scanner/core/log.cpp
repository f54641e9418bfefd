#include "scanner/core/log.hpp"

#include <cstdio>

namespace rollcall {

void StderrLogger::write(LogLevel level, const std::string& msg) {
  const char* prefix = level == LogLevel::error  ? "rollcall: error: "
                       : level == LogLevel::warn ? "rollcall: warning: "
                                                 : "";
  std::fprintf(stderr, "%s%s\n", prefix, msg.c_str());
}

void CapturingLogger::write(LogLevel, const std::string& msg) { lines.push_back(msg); }

std::string CapturingLogger::joined() const {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace rollcall
