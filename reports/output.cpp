#include "reports/output.hpp"

#include "reports/writers.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rollcall::reports {

const std::vector<Format>& formats() {
  static const std::vector<Format> all = {{"json", "report.json", write_json},
                                          {"html", "report.html", write_html},
                                          {"csv", "report.csv", write_csv},
                                          {"sarif", "report.sarif", write_sarif}};
  return all;
}

const Format* find_format(std::string_view name) {
  for (const auto& f : formats()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

namespace {

constexpr std::string_view kStaging = ".rollcall-reports.tmp-";

// The pid in "<prefix><pid>[-...]", or 0.
pid_t pid_after(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) != prefix) return 0;
  long pid = 0;
  for (char c : name.substr(prefix.size())) {
    if (c < '0' || c > '9') break;
    pid = pid * 10 + (c - '0');
    if (pid > 1 << 30) return 0;
  }
  return static_cast<pid_t>(pid);
}

bool gone(pid_t pid) { return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH; }

// Removes what a killed writer left in `dir`: its staging folder, or a temporary file of
// write_file_atomic ("report.json.tmp-<pid>-<n>"). A live process's files are left alone.
void remove_leftovers(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    pid_t pid = pid_after(name, kStaging);
    for (const Format& f : formats()) {
      if (pid == 0) pid = pid_after(name, std::string(f.file) + ".tmp-");
    }
    if (gone(pid)) std::filesystem::remove_all(entry.path(), ec);
  }
}

}  // namespace

Result<void> write_reports(const Report& report, const std::filesystem::path& dir,
                           const std::vector<const Format*>& which) {
  remove_leftovers(dir);
  const std::filesystem::path staging = dir / (std::string(kStaging) + std::to_string(::getpid()));
  std::error_code ec;
  std::filesystem::remove_all(staging, ec);
  if (!std::filesystem::create_directory(staging, ec)) {
    return fail(staging.string() + ": cannot create: " + (ec ? ec.message() : "it exists"));
  }
  auto written = [&]() -> Result<void> {
    // One after the other: written on threads they took no less time on a busy 2-core machine
    // and more CPU (each thread's allocator arena faulting in fresh pages).
    for (const Format* f : which) RC_TRY(f->write(report, staging / f->file));
    for (const Format* f : which) {
      if (::rename((staging / f->file).c_str(), (dir / f->file).c_str()) != 0) {
        return fail((dir / f->file).string() + ": rename: " + std::strerror(errno));
      }
    }
    return {};
  }();
  std::filesystem::remove_all(staging, ec);
  return written;
}

}  // namespace rollcall::reports
