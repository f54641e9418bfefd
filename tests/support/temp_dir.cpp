#include "tests/support/temp_dir.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace rollcall::testing {

// Folders created during the current test case; the listener cleans them up.
std::mutex g_temp_mu;
std::vector<std::filesystem::path> g_temp_dirs;

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  const char* base = std::getenv("TMPDIR");
  std::filesystem::path root = base ? base : "/tmp";
  path_ = root / ("rollcall-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
  std::lock_guard<std::mutex> lock(g_temp_mu);
  g_temp_dirs.push_back(path_);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& contents) const {
  std::filesystem::path p = path_ / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << contents;
  return p;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::filesystem::path source_dir() { return ROLLCALL_SOURCE_DIR; }

void copy_acme(const std::filesystem::path& to) {
  const std::filesystem::path from = source_dir() / "examples" / "acme";
  std::filesystem::create_directories(to);
  for (const char* entry : {"exports", "policies", "roster.csv", "rollcall.toml", "rollcall.live-systems.toml"}) {
    std::filesystem::copy(from / entry, to / entry, std::filesystem::copy_options::recursive);
  }
}

}  // namespace rollcall::testing
