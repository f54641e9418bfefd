// Systems checked on several threads must give a report that does not depend on the thread
// count or on which thread finished first: the rendered JSON is compared byte for byte.
#include <catch2/catch.hpp>

#include "reports/writers.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/drift/scenario.hpp"

namespace rollcall::testing {
namespace {

// Eight systems of different sizes with drift of several kinds in each, and an SoD rule and
// exceptions that span systems, so merging the workers' results has something to order.
void many_systems(Scenario& s) {
  const std::vector<std::string> systems = {"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"};
  for (const auto& sys : systems) s.system(sys);
  for (int p = 0; p < 40; ++p) s.person("p" + std::to_string(p) + "@acme.com");
  for (int p = 0; p < 40; p += 3) s.roster.people[static_cast<std::size_t>(p)].status = roster::PersonStatus::terminated;
  for (std::size_t k = 0; k < systems.size(); ++k) {
    Snapshot snap;
    for (int p = 0; p < 40; ++p) {
      if ((p + static_cast<int>(k)) % 7 == 0) continue;  // missing account
      const std::string id = systems[k] + "-u" + std::to_string(p);
      const std::string email = "p" + std::to_string(p) + "@acme.com";
      snap.accounts.push_back(account(id, email));
      s.policy.grant(email, systems[k], "group:all");
      if (p % 5 != 0) snap.grants.push_back(grant(id, "group:all", p % 4 == 0 ? "admin" : "member"));
      if (p % 6 == 1) snap.grants.push_back(grant(id, "group:extra" + std::to_string(k)));
    }
    for (std::size_t o = 0; o <= k; ++o) snap.accounts.push_back(account(systems[k] + "-orphan" + std::to_string(o)));
    s.snapshot(systems[k], snap);
  }
  s.policy.sod_.push_back({"split", {"s1:group:extra1", "s6:group:extra6"}, 1, "", "", {"policies/sod.lua", 1}});
  s.policy.exceptions_.push_back({"s2", "s2-u13", "", "group:extra2", kNow + 5 * kDay, "T-1", "", "", {"p.lua", 2}});
  s.policy.exceptions_.push_back({"s3", "s3-u7", "", "group:extra3", kNow - 5 * kDay, "T-2", "", "", {"p.lua", 3}});
}

std::string report_bytes(int workers, const TempDir& dir, const std::string& name) {
  Scenario s(dir / (name + ".db"));
  many_systems(s);
  s.workers = workers;
  auto out = s.run();
  if (!out) FAIL(out.error().message());
  CHECK(out->workers == workers);
  const auto path = dir / (name + ".json");
  REQUIRE(reports::write_json(out->report, path).ok());
  return read_file(path);
}

}  // namespace

TEST_CASE("drift: the report is byte-identical across runs and worker counts", "[drift][parallel]") {
  TempDir dir;
  const std::string one = report_bytes(1, dir, "one");
  CHECK(one.size() > 10'000);
  for (int workers : {2, 3, 4}) {
    for (int run = 0; run < 3; ++run) {
      INFO("workers " << workers << ", run " << run);
      CHECK(report_bytes(workers, dir, "w" + std::to_string(workers) + "-" + std::to_string(run)) == one);
    }
  }
}

}  // namespace rollcall::testing
