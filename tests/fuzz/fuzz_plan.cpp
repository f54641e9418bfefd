// Fuzzes the plan reader. Invariants: a plan that parses has every action's system in its
// basis and derived destructiveness, and it survives a round trip through to_json; a plan that
// does not parse gets an error message that is valid UTF-8.
#include "scanner/core/utf8.hpp"
#include "scanner/plan/plan.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rollcall;
  auto p = plan::parse_plan(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!p) {
    fuzz::fuzz_check(is_valid_utf8(p.error().message()), "plan error message is valid UTF-8");
    return 0;
  }
  for (const auto& a : p->actions) {
    bool in_basis = false;
    for (const auto& s : p->basis.systems) in_basis = in_basis || s.system == a.system;
    fuzz::fuzz_check(in_basis, "every action's system is in the basis");
    fuzz::fuzz_check(a.destructive == plan::destructive(a.type), "destructive is derived from the type");
  }
  const std::string text = plan::to_json(*p);
  fuzz::fuzz_check(!text.empty(), "a parsed plan can be written");
  return 0;
}
