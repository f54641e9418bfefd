// Identity matching: which person (or service account) each account belongs to, and the
// accounts that cannot be decided (ambiguous) or belong to nobody.
#include "scanner/drift/identity.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/drift/scenario.hpp"

namespace rollcall::testing {
namespace {

TEST_CASE("matching: emails are normalized for case, whitespace, plus tags and domain aliases", "[drift][matching]") {
  drift::EmailRules none;
  CHECK(drift::normalize_email("  Jane.Doe@ACME.com ", none) == "jane.doe@acme.com");
  CHECK(drift::normalize_email("jane+github@acme.com", none) == "jane+github@acme.com");
  drift::EmailRules rules{true, {"acme.com", "acme.io", "Acme-Corp.com"}};
  CHECK(drift::normalize_email("Jane+github@acme.io", rules) == "jane@acme.com");
  CHECK(drift::normalize_email("jane@acme-corp.com", rules) == "jane@acme.com");
  CHECK(drift::normalize_email("jane@other.com", rules) == "jane@other.com");
  CHECK(drift::normalize_email("+tag@acme.com", rules) == "+tag@acme.com");
  CHECK(drift::normalize_email("jdoe", rules) == "jdoe");
}

TEST_CASE("matching: plus tags are stripped only when settings say so", "[drift][matching]") {
  for (bool strip : {true, false}) {
    Scenario s;
    s.system("github");
    s.person("jane@acme.com");
    s.policy.settings_.strip_plus_tags = strip;
    s.snapshot("github", {{account("jd", "Jane+GitHub@acme.com")}, {}, {}});
    auto r = s.scan();
    CHECK((find(r, "orphan_account", "jd") == nullptr) == strip);
  }
}

TEST_CASE("matching: equivalent domains, roster aliases and employee ids match", "[drift][matching]") {
  Scenario s;
  s.system("github");
  s.policy.settings_.domains = {"acme.com", "acme.io"};
  s.person("jane@acme.com").aliases = {"jdoe-gh", "jane.doe@oldcorp.com"};
  s.person("bob@acme.com").employee_id = "E1002";
  s.person("cy@acme.com");
  auto by_id = account("u-77");
  by_id.external_id = "E1002";
  s.snapshot("github", {{account("jdoe-gh"), account("J.old", "Jane.Doe@OldCorp.com"), by_id, account("cy-io", "cy@acme.io")}, {}, {}});
  auto r = s.scan();
  CHECK(of_kind(r, "orphan_account").empty());
  auto dups = of_kind(r, "duplicate_account");  // jdoe-gh and J.old are both Jane's
  REQUIRE(dups.size() == 1);
  CHECK(dups[0]->person_email == "jane@acme.com");
}

TEST_CASE("matching: an account tied to two people is reported ambiguous with both candidates", "[drift][matching]") {
  Scenario s;
  s.system("github");
  s.person("jane@acme.com", "Jane");
  s.person("john@acme.com", "John").employee_id = "E7";
  s.policy.grant("jane@acme.com", "github", "team:platform");
  s.policy.grant("john@acme.com", "github", "team:platform");
  auto acc = account("jx", "jane@acme.com");
  acc.external_id = "E7";
  s.snapshot("github", {{acc}, {}, {grant("jx", "team:platform")}});
  auto r = s.scan();
  REQUIRE(r.findings.size() == 1);  // never guessed: no missing account for either of them
  const auto& f = r.findings[0];
  CHECK(f.kind == "orphan_account");
  CHECK(f.actual == "ambiguous: 2 people");
  CHECK(f.evidence.extra.at("candidates") == "jane@acme.com (roster.csv:2), john@acme.com (roster.csv:3)");
}

TEST_CASE("matching: the mapping file ties odd accounts to people and beats the built-in rules", "[drift][matching]") {
  TempDir dir;
  dir.write("mapping.csv", "system,account,email\ngithub,octo-cat,jane@acme.com\ngithub,jx,john@acme.com\n");
  Scenario s;
  s.config.dir = dir.path();
  s.config.sections["match"].set("mapping", std::string("mapping.csv"), 3);
  s.system("github");
  s.person("jane@acme.com");
  s.person("john@acme.com").employee_id = "E7";
  auto jx = account("jx", "jane@acme.com");
  jx.external_id = "E7";
  s.snapshot("github", {{account("octo-cat"), jx}, {}, {}});
  auto r = s.scan();
  CHECK(of_kind(r, "orphan_account").empty());
  CHECK(of_kind(r, "duplicate_account").empty());
}

TEST_CASE("matching: mapping file errors name the file and line", "[drift][matching]") {
  TempDir dir;
  auto path = dir.write("mapping.csv", "system,account\ngithub,x\n");
  auto r = drift::load_mapping(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "mapping.csv:1: missing column \"email\"");

  path = dir.write("mapping.csv", "system,account,email\ngithub,x,a@acme.com\ngithub,X,b@acme.com\n");
  r = drift::load_mapping(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "mapping.csv:3: account \"X\" of system \"github\" is mapped twice (also on line 2)");

  path = dir.write("mapping.csv", "email,system,account\na@acme.com,github,\n");
  r = drift::load_mapping(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "mapping.csv:2: empty account");

  Scenario s;
  s.config.dir = dir.path();
  s.config.sections["match"].set("mapping", std::string("mapping.csv"), 3);
  dir.write("mapping.csv", "system,account,email\ngithub,x,nobody@acme.com\n");
  auto out = s.run();
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message() == "mapping.csv:2: \"nobody@acme.com\" is not in the roster");
}

TEST_CASE("matching: the policy match hook decides accounts the built-in rules cannot", "[drift][matching]") {
  Scenario s;
  s.system("postgres");
  s.person("jane@acme.com");
  s.person("bob@acme.com");
  std::vector<std::string> asked;
  s.policy.hook = [&](const policy::AccountView& a) -> Result<std::optional<std::string>> {
    asked.push_back(a.id);
    if (a.id == "app_jane") return std::optional<std::string>("jane@acme.com");
    if (a.id == "app_ghost") return std::optional<std::string>("ghost@acme.com");
    return std::optional<std::string>();
  };
  s.snapshot("postgres", {{account("app_jane"), account("app_ghost"), account("bob", "bob@acme.com")}, {}, {}});
  auto r = s.scan();
  CHECK(asked == std::vector<std::string>{"app_ghost", "app_jane"});  // not asked about bob
  REQUIRE(of_kind(r, "orphan_account").size() == 1);
  const auto* ghost = find(r, "orphan_account", "app_ghost");
  REQUIRE(ghost != nullptr);
  CHECK(ghost->evidence.extra.at("match_note") == "the policy match hook named \"ghost@acme.com\", who is not in the roster");
}

TEST_CASE("matching: a failing match hook fails the scan with the account named", "[drift][matching]") {
  Scenario s;
  s.system("postgres");
  s.policy.hook = [](const policy::AccountView&) -> Result<std::optional<std::string>> {
    return fail("policies/match.lua:4: attempt to index a nil value");
  };
  s.snapshot("postgres", {{account("x")}, {}, {}});
  auto out = s.run();
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message() ==
        "system \"postgres\": account \"x\": policies/match.lua:4: attempt to index a nil value");
}

TEST_CASE("matching: registered service accounts are identities; unregistered bots are orphans", "[drift][matching]") {
  Scenario s;
  s.system("slack");
  s.person("jane@acme.com");
  policy::ServiceAccount sa;
  sa.system = "slack";
  sa.account = "DeployBot";
  sa.owner = "jane@acme.com";
  s.policy.services_.push_back(sa);
  policy::ServiceAccount expired = sa;
  expired.account = "oldbot";
  expired.expires = kNow - 3 * kDay;
  s.policy.services_.push_back(expired);
  auto bot = account("B1", "", "deploybot");
  bot.kind = AccountKind::bot;
  auto stray = account("B2", "", "strayboy");
  stray.kind = AccountKind::bot;
  auto old = account("B3", "", "oldbot");
  old.kind = AccountKind::bot;
  s.snapshot("slack", {{bot, stray, old}, {}, {}});
  auto r = s.scan();
  auto orphans = of_kind(r, "orphan_account");
  REQUIRE(orphans.size() == 2);
  CHECK(find(r, "orphan_account", "B1") == nullptr);
  CHECK(find(r, "orphan_account", "B2")->evidence.extra.at("account_kind") == "bot");
  CHECK(find(r, "orphan_account", "B3")->evidence.extra.at("match_note") ==
        "service account registration at :0 expired 2026-10-29");
}

}  // namespace
}  // namespace rollcall::testing
