// Fuzzes the roster loader: CSV when built with ROLLCALL_FUZZ_ROSTER_JSON=0, JSON otherwise.
// Invariant: whatever loads is valid UTF-8 (the text rule, docs/security.md).
#include "scanner/core/utf8.hpp"
#include "scanner/roster/roster.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rollcall;
  config::RosterConfig cfg;
  cfg.type = ROLLCALL_FUZZ_ROSTER_JSON ? "json" : "csv";
  cfg.path = fuzz::write_scratch(ROLLCALL_FUZZ_ROSTER_JSON ? "roster.json" : "roster.csv",
                                 std::string_view(reinterpret_cast<const char*>(data), size));
  auto roster = roster::load_roster(cfg);
  if (!roster) {
    fuzz::fuzz_check(is_valid_utf8(roster.error().message()), "roster error message is valid UTF-8");
    return 0;
  }
  for (const auto& p : roster->people) {
    fuzz::fuzz_check(is_valid_utf8(p.email) && is_valid_utf8(p.name) && is_valid_utf8(p.employee_id),
                     "loaded roster text is valid UTF-8");
    for (const auto& [k, v] : p.attrs) fuzz::fuzz_check(is_valid_utf8(k) && is_valid_utf8(v), "roster attrs are UTF-8");
  }
  return 0;
}
