// TempDir: a fresh folder for one test. It is deleted when the test case passes and kept (its
// path printed) when it fails, so a failure can be inspected. The Catch2 listener in
// catch_main.cpp does the deleting at the end of each test case.
#pragma once

#include <filesystem>
#include <string>

namespace rollcall::testing {

class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() = default;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // Writes `contents` to path()/name (creating parent folders) and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& contents) const;

 private:
  std::filesystem::path path_;
};

// Reads a whole file; "" when absent.
std::string read_file(const std::filesystem::path& path);
// The repository's source folder (for fixtures and examples).
std::filesystem::path source_dir();
// Copies the example workspace examples/acme into `to` as the repository holds it: its
// configuration, roster, policies and exports, never a database or reports a local run of
// scripts/run-example.sh left there.
void copy_acme(const std::filesystem::path& to);

}  // namespace rollcall::testing
