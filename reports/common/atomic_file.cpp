#include "reports/common/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

namespace rollcall::reports {

namespace {

Failure io_error(const std::filesystem::path& path, const char* what) {
  return fail(path.string() + ": " + what + ": " + std::strerror(errno));
}

// Writes all of `contents` to `fd`, retrying short writes and EINTR.
bool write_all(int fd, std::string_view contents) {
  while (!contents.empty()) {
    ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    contents.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view contents) {
  // pid + counter keep concurrent writers (threads or processes) off each other's temp file.
  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);

  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(path, "cannot create temporary file");
  const char* step = nullptr;
  if (!write_all(fd, contents)) {
    step = "write";
  } else if (::fsync(fd) != 0) {
    step = "fsync";
  }
  if (step != nullptr) {
    auto err = io_error(path, step);
    ::close(fd);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::close(fd) != 0) {
    auto err = io_error(path, "close");
    ::unlink(tmp.c_str());
    return err;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = io_error(path, "rename");
    ::unlink(tmp.c_str());
    return err;
  }
  return {};
}

}  // namespace rollcall::reports
