// Identity through single sign-on: a system declared `identity_from = { system, app }` matches
// accounts that carry no email through the identity provider's app assignment (the username
// in that app), with the link as matched_by evidence. Beside it: an account nobody is assigned
// is still an orphan, an email match is kept as it was, and a system without the key never
// uses the links.
#include "tests/unit/drift/scenario.hpp"

namespace rollcall::testing {
namespace {

Account okta_user(const std::string& id, const std::string& email, const std::string& app_usernames) {
  Account a = account(id, email);
  a.attrs_json = R"({"app_usernames":)" + app_usernames + "}";
  return a;
}

const reports::Finding* find_in(const reports::Report& r, const std::string& system, const std::string& kind,
                                const std::string& account) {
  for (const auto& f : r.findings) {
    if (f.system == system && f.kind == kind && f.account_id == account) return &f;
  }
  return nullptr;
}

void link(Scenario& s, const std::string& system) {
  for (auto& sys : s.config.systems) {
    if (sys.name == system) {
      sys.keys.set("identity_from", config::StringMap{{"system", "okta"}, {"app", "GitHub Enterprise"}}, 7);
    }
  }
}

}  // namespace

TEST_CASE("sso: accounts without an email are matched through the IdP's app assignment", "[drift][sso]") {
  Scenario s;
  s.system("okta");
  s.system("github");
  s.system("github-other");
  s.person("ada@acme.com");
  s.person("bob@acme.com");
  s.policy.grant("ada@acme.com", "github", "team:eng");
  s.policy.grant("bob@acme.com", "github", "team:eng");
  link(s, "github");
  s.snapshot("okta", {{okta_user("00u1", "ada@acme.com", R"({"GitHub Enterprise": "Ada-Lovelace", "Jira": "ada"})"),
                       okta_user("00u2", "bob@acme.com", R"({"Jira": "bob"})")},
                      {},
                      {}});
  const Snapshot gh = {{account("ada-lovelace"), account("bob-b"), account("carol", "bob@acme.com")}, {},
                       {grant("ada-lovelace", "team:eng"), grant("bob-b", "team:eng"), grant("carol", "team:eng")}};
  s.snapshot("github", gh);
  s.snapshot("github-other", gh);
  auto r = s.scan();
  INFO(kinds(r));
  // github: ada's login (any case) is her GitHub Enterprise username in Okta: she is matched,
  // holds what she should, and nothing is reported about her account.
  CHECK(find_in(r, "github", "orphan_account", "ada-lovelace") == nullptr);
  // bob-b: bob has no GitHub Enterprise assignment, so the account stays an orphan.
  CHECK(find_in(r, "github", "orphan_account", "bob-b") != nullptr);
  // carol's account matched bob by email, as before.
  CHECK(find_in(r, "github", "orphan_account", "carol") == nullptr);
  // github-other declares no identity_from: ada's login matches no one there.
  CHECK(find_in(r, "github-other", "orphan_account", "ada-lovelace") != nullptr);
}

TEST_CASE("sso: matched_by names the IdP app; without a complete IdP snapshot the system is not judged",
          "[drift][sso]") {
  Scenario s;
  s.system("okta");
  s.system("github");
  s.person("ada@acme.com");
  link(s, "github");
  s.snapshot("okta", {{okta_user("00u1", "ada@acme.com", R"({"GitHub Enterprise": "ada-l"})")}, {}, {}});
  s.snapshot("github", {{account("ada-l")}, {}, {grant("ada-l", "team:secret")}});
  auto r = s.scan();
  const auto* f = find(r, "unauthorized_access", "ada-l");
  REQUIRE(f != nullptr);
  CHECK(f->person_email == "ada@acme.com");
  CHECK(f->evidence.extra.at("matched_by") == "okta app \"GitHub Enterprise\"");

  Scenario none;
  none.system("okta");
  none.system("github");
  none.person("ada@acme.com");
  link(none, "github");
  none.failed_snapshot("okta", "timeout", 0);
  none.snapshot("github", {{account("ada-l")}, {}, {grant("ada-l", "team:secret")}});
  auto n = none.scan();
  INFO(kinds(n));
  CHECK(find(n, "orphan_account", "ada-l") == nullptr);  // not a flood of false orphans
  auto incomplete = of_kind(n, "system_incomplete");
  REQUIRE(incomplete.size() == 2);  // okta itself, and github that depends on it
  bool github_unlinked = false;
  for (const auto& st : n.systems) github_unlinked |= st.name == "github" && st.status == "unlinked";
  CHECK(github_unlinked);
}

}  // namespace rollcall::testing
