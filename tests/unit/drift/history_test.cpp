// Scan history: fingerprints, new -> persisting -> resolved, first-seen dates, findings of an
// incomplete system carried instead of resolved, and the diff of two stored scans.
#include "scanner/drift/findings.hpp"
#include "scanner/drift/history.hpp"
#include "scanner/store/scan_store.hpp"
#include "tests/unit/drift/scenario.hpp"

namespace rollcall::testing {
namespace {

using reports::FindingStatus;

std::map<std::string, std::string> fingerprints(const reports::Report& r) {
  std::map<std::string, std::string> out;
  for (const auto& f : r.findings) out[f.kind + "/" + f.account_id + "/" + f.entitlement_id] = f.fingerprint;
  return out;
}

TEST_CASE("history: a fingerprint is sha256 of kind, system, subject and entitlement", "[drift][history]") {
  CHECK(drift::fingerprint("orphan_account", "github", "ghost", "") ==
        sha256_hex("orphan_account\x1fgithub\x1fghost\x1f"));
  CHECK(drift::fingerprint("a", "b", "c", "d") != drift::fingerprint("a", "bc", "", "d"));
}

TEST_CASE("history: fingerprints are stable across scans and new findings become persisting", "[drift][history]") {
  Scenario s;
  s.system("github");
  s.person("ann@acme.com");
  s.policy.grant("ann@acme.com", "github", "team:backend");
  s.snapshot("github", {{account("ann", "ann@acme.com"), account("ghost")}, {}, {grant("ann", "team:secret")}});
  auto first = s.scan(kNow);
  CHECK(first.scan_id == 1);
  REQUIRE(first.findings.size() == 3);
  for (const auto& f : first.findings) {
    CHECK(f.status == FindingStatus::new_);
    CHECK(f.first_seen == kNow);
  }
  CHECK(first.summary.new_ == 3);

  // The same data observed again a day later, in a new snapshot.
  s.snapshot("github", {{account("ann", "ann@acme.com"), account("ghost")}, {}, {grant("ann", "team:secret")}}, kNow + kDay - 60);
  auto second = s.scan(kNow + kDay);
  CHECK(second.scan_id == 2);
  CHECK(fingerprints(second) == fingerprints(first));
  for (const auto& f : second.findings) {
    CHECK(f.status == FindingStatus::persisting);
    CHECK(f.first_seen == kNow);
  }
  CHECK(second.summary.persisting == 3);
  CHECK(second.summary.new_ == 0);
  CHECK(second.resolved.empty());
}

TEST_CASE("history: new -> persisting -> resolved, with the resolved listed once", "[drift][history]") {
  Scenario s;
  s.system("github");
  s.person("ann@acme.com");
  s.snapshot("github", {{account("ann", "ann@acme.com"), account("ghost")}, {}, {}}, kNow - 60);
  auto one = s.scan(kNow);
  REQUIRE(one.findings.size() == 1);
  CHECK(one.findings[0].status == FindingStatus::new_);

  s.snapshot("github", {{account("ann", "ann@acme.com"), account("ghost"), account("ghost2")}, {}, {}}, kNow + kDay - 60);
  auto two = s.scan(kNow + kDay);
  CHECK(find(two, "orphan_account", "ghost")->status == FindingStatus::persisting);
  CHECK(find(two, "orphan_account", "ghost2")->status == FindingStatus::new_);
  CHECK(find(two, "orphan_account", "ghost2")->first_seen == kNow + kDay);

  s.snapshot("github", {{account("ann", "ann@acme.com"), account("ghost2")}, {}, {}}, kNow + 2 * kDay - 60);
  auto three = s.scan(kNow + 2 * kDay);
  REQUIRE(three.resolved.size() == 1);
  CHECK(three.resolved[0].account_id == "ghost");
  CHECK(three.resolved[0].status == FindingStatus::resolved);
  CHECK(three.resolved[0].first_seen == kNow);
  CHECK(three.resolved[0].evidence.snapshot.has_value());  // evidence survives the round trip
  CHECK(three.summary.resolved == 1);

  auto four = s.scan(kNow + 3 * kDay);
  CHECK(four.resolved.empty());
  REQUIRE(four.trend.size() == 4);
  CHECK(four.trend.front().scan_id == 1);
  CHECK(four.trend.back().scan_id == 4);
  CHECK(four.trend[1].by_severity.at("high") == 2);
}

TEST_CASE("history: findings of a system that turns incomplete are carried, not resolved", "[drift][history]") {
  Scenario s;
  s.system("github");
  s.snapshot("github", {{account("ghost")}, {}, {}}, kNow - 60);
  auto one = s.scan(kNow);
  REQUIRE(one.findings.size() == 1);
  const std::string fp = one.findings[0].fingerprint;

  s.failed_snapshot("github", "HTTP 502", 0, kNow + kDay - 60);
  auto two = s.scan(kNow + kDay);
  CHECK(two.resolved.empty());
  REQUIRE(two.findings.size() == 1);
  CHECK(two.findings[0].kind == "system_incomplete");
  CHECK(two.findings[0].evidence.extra.at("carried_findings") == "1");

  s.snapshot("github", {{account("ghost")}, {}, {}}, kNow + 2 * kDay - 60);
  auto three = s.scan(kNow + 2 * kDay);
  const auto* back = find(three, "orphan_account", "ghost");
  REQUIRE(back != nullptr);
  CHECK(back->fingerprint == fp);
  CHECK(back->status == FindingStatus::persisting);
  CHECK(back->first_seen == kNow);
  REQUIRE(three.resolved.size() == 1);  // the system_incomplete finding itself
  CHECK(three.resolved[0].kind == "system_incomplete");
}

TEST_CASE("history: diff of two scans lists new and resolved findings", "[drift][history]") {
  Scenario s;
  s.system("github");
  s.snapshot("github", {{account("a"), account("b")}, {}, {}}, kNow - 60);
  (void)s.scan(kNow);
  s.snapshot("github", {{account("b"), account("c")}, {}, {}}, kNow + kDay - 60);
  (void)s.scan(kNow + kDay);
  store::ScanStore scans(s.db());
  auto d = drift::diff_scans(scans, 1, 2);
  REQUIRE(d.ok());
  REQUIRE(d->added.size() == 1);
  CHECK(d->added[0].account_id == "c");
  REQUIRE(d->resolved.size() == 1);
  CHECK(d->resolved[0].account_id == "a");

  auto missing = drift::diff_scans(scans, 1, 9);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message() == "no scan #9 (`rollcall history --scans` lists them)");
}

TEST_CASE("history: the store keeps scans and findings with their basis", "[drift][history][store]") {
  Scenario s;
  s.system("github");
  s.snapshot("github", {{account("ghost")}, {}, {}}, kNow - 60);
  auto r = s.scan(kNow);
  store::ScanStore scans(s.db());
  auto latest = scans.latest();
  REQUIRE(latest.ok());
  REQUIRE(latest->has_value());
  CHECK((*latest)->roster_digest == "roster-digest");
  CHECK((*latest)->policy_digest == "policy-digest");
  CHECK((*latest)->snapshots_json ==
        R"([{"system":"github","status":"complete","snapshot_id":1,"taken_at":1793491140,"digest":")" +
            r.systems[0].snapshot->digest + R"("}])");
  auto rows = scans.findings(r.scan_id);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].status == "new");
  auto back = drift::from_record((*rows)[0]);
  REQUIRE(back.ok());
  CHECK(back->fingerprint == r.findings[0].fingerprint);
  CHECK(back->evidence.extra == r.findings[0].evidence.extra);
  CHECK(back->evidence.snapshot->digest == r.findings[0].evidence.snapshot->digest);
}

}  // namespace
}  // namespace rollcall::testing
