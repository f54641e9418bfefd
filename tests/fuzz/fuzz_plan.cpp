// Fuzzes the plan reader. Invariants: a plan that parses has every action's system in its
// basis and derived destructiveness, and it survives a round trip through to_json; a plan that
// does not parse gets an error message that is valid UTF-8.
// Mutation alone never gets past the id check (a hash of basis and actions), so each input is
// also tried resealed, its id recomputed as an attacker who edits a plan would (the
// `hostile plan` unit tests do the same): that reaches the checks behind the id.
#include <nlohmann/json.hpp>

#include "scanner/core/digest.hpp"
#include "scanner/core/utf8.hpp"
#include "scanner/plan/plan.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace rollcall;

void check(std::string_view text) {
  auto p = plan::parse_plan(text);
  if (!p) {
    fuzz::fuzz_check(is_valid_utf8(p.error().message()), "plan error message is valid UTF-8");
    return;
  }
  for (const auto& a : p->actions) {
    bool in_basis = false;
    for (const auto& s : p->basis.systems) in_basis = in_basis || s.system == a.system;
    fuzz::fuzz_check(in_basis, "every action's system is in the basis");
    fuzz::fuzz_check(a.destructive == plan::destructive(a.type), "destructive is derived from the type");
  }
  const std::string written = plan::to_json(*p);
  fuzz::fuzz_check(!written.empty(), "a parsed plan can be written");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(text);
  using Json = nlohmann::ordered_json;
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("basis") || !j.contains("actions")) return 0;
  const Json content{{"basis", j["basis"]}, {"actions", j["actions"]}};
  j["id"] = sha256_hex(content.dump(-1, ' ', false, Json::error_handler_t::replace)).substr(0, 16);
  check(j.dump(-1, ' ', false, Json::error_handler_t::replace));
  return 0;
}
