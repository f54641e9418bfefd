// A scan reuses the previous scan's result for systems whose inputs did not change. It must give
// exactly what a full scan gives: two workspaces take the same steps, one scanning
// incrementally, one checking everything every time, and their reports must be byte-identical
// after each step. The clock is an input too: crossing an exception's expiry or a dormancy
// threshold must not be served from the previous result.
#include <catch2/catch.hpp>

#include "reports/writers.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/drift/scenario.hpp"

namespace rollcall::testing {
namespace {

constexpr UnixTime kHour = 3600;

Account idle(const std::string& id, const std::string& email, UnixTime last_login) {
  auto a = account(id, email);
  a.last_login = last_login;
  return a;
}

void estate(Scenario& s) {
  s.policy.exact_time = false;
  for (const char* sys : {"github", "slack", "okta"}) s.system(sys);
  s.person("ann@acme.com", "Ann");
  s.person("bob@acme.com", "Bob");
  s.person("gone@acme.com").status = roster::PersonStatus::terminated;
  s.policy.grant("ann@acme.com", "github", "team:platform");
  s.policy.grant("ann@acme.com", "slack", "usergroup:eng");
  s.policy.grant("bob@acme.com", "okta", "group:all");
  s.policy.grant("bob@acme.com", "github", "team:web");
  s.policy.sod_.push_back({"split", {"github:team:platform", "slack:usergroup:ops"}, 1, "", "", {"policies/sod.lua", 1}});
  // Expires three hours after the first scan: the clock crossing it changes slack's findings.
  s.policy.exceptions_.push_back({"slack", "U2", "", "usergroup:ops", kNow + 3 * kHour, "T-1", "", "", {"p.lua", 2}});
  s.snapshot("github", {{account("ann", "ann@acme.com"), account("gone", "gone@acme.com"),
                         idle("bob", "bob@acme.com", kNow - 200 * kDay), account("ghost")},
                        {},
                        {grant("ann", "team:platform", "admin"), grant("bob", "team:web")}});
  // U1 turns dormant (90 days) 5000 s after the first scan.
  s.snapshot("slack", {{idle("U1", "ann@acme.com", kNow - 90 * kDay + 5000), account("U2", "bob@acme.com")},
                       {},
                       {grant("U1", "usergroup:eng"), grant("U1", "usergroup:ops"), grant("U2", "usergroup:ops")}});
  s.snapshot("okta", {{account("o-bob", "bob@acme.com")}, {}, {grant("o-bob", "group:all", "admin")}});
}

struct Pair {
  TempDir dir;
  Scenario incremental{dir / "incremental.db"};
  Scenario full{dir / "full.db"};
  int step = 0;

  Pair() {
    estate(incremental);
    estate(full);
    full.reuse = false;
  }
  template <class F>
  void change(F f) {
    f(incremental);
    f(full);
  }
  // Scans both at `at`; checks the reports are byte-identical and returns what was reused.
  std::vector<std::string> scan(UnixTime at) {
    ++step;
    auto a = incremental.run(at);
    auto b = full.run(at);
    if (!a) FAIL(a.error().message());
    if (!b) FAIL(b.error().message());
    CHECK(b->reused.empty());
    const auto pa = dir / ("incremental-" + std::to_string(step) + ".json");
    const auto pb = dir / ("full-" + std::to_string(step) + ".json");
    REQUIRE(reports::write_json(a->report, pa).ok());
    REQUIRE(reports::write_json(b->report, pb).ok());
    INFO("step " << step);
    CHECK(read_file(pa) == read_file(pb));
    CHECK(!a->report.findings.empty());
    return a->reused;
  }
};

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("incremental scan: reused results equal a full scan through a sequence of changes", "[drift][incremental]") {
  Pair p;
  CHECK(p.scan(kNow) == Names{});

  // Nothing changed, a minute later: every system is reused, the policies are not evaluated.
  const int evaluations = p.incremental.policy.evaluations;
  CHECK(p.scan(kNow + 60) == Names{"github", "slack", "okta"});
  CHECK(p.incremental.policy.evaluations == evaluations);

  // One system changed: the others are reused.
  p.change([](Scenario& s) {
    s.snapshot("okta", {{account("o-bob", "bob@acme.com"), account("o-x")}, {},
                        {grant("o-bob", "group:all"), grant("o-bob", "group:admins")}}, kNow + 100);
  });
  CHECK(p.scan(kNow + 120) == Names{"github", "slack"});
  CHECK(p.scan(kNow + 130) == Names{"github", "slack", "okta"});

  // The roster changed: nothing is reused.
  p.change([](Scenario& s) {
    s.person("cy@acme.com", "Cy");
    s.roster.people[1].status = roster::PersonStatus::terminated;
    s.roster.digest = "roster-2";
  });
  CHECK(p.scan(kNow + 180) == Names{});
  CHECK(p.scan(kNow + 190) == Names{"github", "slack", "okta"});

  // The policies changed: nothing is reused.
  p.change([](Scenario& s) {
    s.policy.grant("cy@acme.com", "slack", "usergroup:eng");
    s.policy.digest_ = "policy-2";
  });
  CHECK(p.scan(kNow + 240) == Names{});

  // The clock moved past U1's dormancy threshold: slack is checked again, U1 is dormant.
  CHECK(p.scan(kNow + 2 * kHour) == Names{"github", "okta"});
  CHECK(p.scan(kNow + 2 * kHour + 10) == Names{"github", "slack", "okta"});

  // ... and past the exception's expiry, which any system's findings may name: all are checked.
  CHECK(p.scan(kNow + 4 * kHour) == Names{});
  const auto last = p.incremental.run(kNow + 4 * kHour + 10);
  REQUIRE(last.ok());
  // slack shows the account of the expired exception, which the exception_expired finding
  // names: it is checked each time.
  CHECK(last->reused == Names{"github", "okta"});
  CHECK(find(last->report, "dormant_account", "U1") != nullptr);
  CHECK(find(last->report, "exception_expired", "U2") != nullptr);
  CHECK(find(last->report, "sod_violation", "ann@acme.com") != nullptr);
  REQUIRE(p.full.run(kNow + 4 * kHour + 10).ok());

  // The next day: nothing is reused (days passed, day counts in messages).
  CHECK(p.scan(kNow + kDay + 60) == Names{});
}

TEST_CASE("incremental scan: policies that read the exact time are never reused", "[drift][incremental]") {
  TempDir dir;
  Scenario s(dir / "a.db");
  estate(s);
  s.policy.exact_time = true;
  REQUIRE(s.run(kNow).ok());
  auto again = s.run(kNow);
  REQUIRE(again.ok());
  CHECK(again->reused.empty());
}

}  // namespace rollcall::testing
