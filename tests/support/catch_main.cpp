#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>
#include <mutex>
#include <vector>

namespace rollcall::testing {
extern std::mutex g_temp_mu;
extern std::vector<std::filesystem::path> g_temp_dirs;
}  // namespace rollcall::testing

namespace {

// Deletes a passing test's temp folders; keeps and names a failing test's.
struct TempDirListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    using namespace rollcall::testing;
    std::lock_guard<std::mutex> lock(g_temp_mu);
    for (const auto& dir : g_temp_dirs) {
      if (stats.totals.assertions.failed > 0) {
        std::cerr << "test \"" << stats.testInfo.name << "\" failed; its files are kept in "
                  << dir << "\n";
      } else {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      }
    }
    g_temp_dirs.clear();
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(TempDirListener)
