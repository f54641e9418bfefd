// Phase timing for scans: wall-clock and process CPU seconds, so a benchmark on a shared
// machine can tell work from waiting.
#pragma once

#include <time.h>

#include <chrono>

namespace rollcall::drift {

struct Duration {
  double wall = 0;
  double cpu = 0;
  Duration& operator+=(const Duration& d) {
    wall += d.wall;
    cpu += d.cpu;
    return *this;
  }
};

// Measures wall time and the CPU time of the process (default) or of the calling thread.
class Stopwatch {
 public:
  explicit Stopwatch(clockid_t cpu_clock = CLOCK_PROCESS_CPUTIME_ID) : cpu_clock_(cpu_clock) { restart(); }
  // The time since construction or the last lap(), and restarts.
  Duration lap() {
    Duration d{std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count(), cpu_now() - cpu_};
    restart();
    return d;
  }

 private:
  double cpu_now() const {
    timespec ts{};
    clock_gettime(cpu_clock_, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
  void restart() {
    wall_ = std::chrono::steady_clock::now();
    cpu_ = cpu_now();
  }
  clockid_t cpu_clock_;
  std::chrono::steady_clock::time_point wall_;
  double cpu_ = 0;
};

}  // namespace rollcall::drift
