// A fake service run in a forked child process, so that the benchmarked client's CPU time and
// peak memory are its own. Fork before any thread exists.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <utility>

namespace rollcall::bench {

class ServerChild {
 public:
  // Forks; the child builds the service with make() (which must expose server.port()), reports
  // its port and serves until the parent closes the control pipe. nullopt when the child could
  // not be started or did not report a port.
  template <class MakeService>
  static std::optional<ServerChild> start(MakeService make) {
    int port_pipe[2], control[2];
    if (pipe(port_pipe) != 0 || pipe(control) != 0) return std::nullopt;
    const pid_t child = fork();
    if (child < 0) return std::nullopt;
    if (child == 0) {
      close(port_pipe[0]);
      close(control[1]);
      auto service = make();
      int port = service->server.port();
      if (write(port_pipe[1], &port, sizeof port) != static_cast<ssize_t>(sizeof port)) _exit(1);
      close(port_pipe[1]);
      char c;
      while (read(control[0], &c, 1) > 0) {
      }
      _exit(0);
    }
    close(port_pipe[1]);
    close(control[0]);
    int port = 0;
    const bool reported = read(port_pipe[0], &port, sizeof port) == static_cast<ssize_t>(sizeof port);
    close(port_pipe[0]);
    ServerChild s(child, control[1], port);
    if (!reported) return std::nullopt;  // the destructor reaps the child
    return std::optional<ServerChild>(std::move(s));
  }

  ServerChild(ServerChild&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)), control_(std::exchange(other.control_, -1)), port_(other.port_) {}
  ServerChild(const ServerChild&) = delete;
  ServerChild& operator=(const ServerChild&) = delete;
  ServerChild& operator=(ServerChild&&) = delete;
  // Stops the child: closing the control pipe ends its wait, then it is reaped.
  ~ServerChild() {
    if (control_ >= 0) close(control_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }

  int port() const { return port_; }

 private:
  ServerChild(pid_t pid, int control, int port) : pid_(pid), control_(control), port_(port) {}
  pid_t pid_;
  int control_;
  int port_;
};

}  // namespace rollcall::bench
