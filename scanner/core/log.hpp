// Logger: the one way library code reports progress and diagnostics to the user. The CLI owns
// the instance (stderr, level from -v/-q); tests use CapturingLogger. Library code never prints.
// Thread-safe: connectors may log from worker threads.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace rollcall {

enum class LogLevel { error = 0, warn = 1, info = 2, debug = 3 };

class Logger {
 public:
  explicit Logger(LogLevel level = LogLevel::info) : level_(level) {}
  virtual ~Logger() = default;

  bool enabled(LogLevel level) const { return level <= level_; }
  void error(const std::string& msg) { log(LogLevel::error, msg); }
  void warn(const std::string& msg) { log(LogLevel::warn, msg); }
  void info(const std::string& msg) { log(LogLevel::info, msg); }
  void debug(const std::string& msg) { log(LogLevel::debug, msg); }
  void log(LogLevel level, const std::string& msg) {
    if (!enabled(level)) return;
    std::lock_guard<std::mutex> lock(mu_);
    write(level, msg);
  }

 protected:
  virtual void write(LogLevel level, const std::string& msg) = 0;

 private:
  LogLevel level_;
  std::mutex mu_;
};

// Writes "rollcall: warning: ..." lines to stderr.
class StderrLogger final : public Logger {
 public:
  using Logger::Logger;

 protected:
  void write(LogLevel level, const std::string& msg) override;
};

// Keeps every line, for tests (including the "secrets never logged" tests).
class CapturingLogger final : public Logger {
 public:
  explicit CapturingLogger(LogLevel level = LogLevel::debug) : Logger(level) {}
  std::vector<std::string> lines;
  std::string joined() const;

 protected:
  void write(LogLevel level, const std::string& msg) override;
};

// A logger that drops everything.
class NullLogger final : public Logger {
 public:
  NullLogger() : Logger(LogLevel::error) {}

 protected:
  void write(LogLevel, const std::string&) override {}
};

}  // namespace rollcall
