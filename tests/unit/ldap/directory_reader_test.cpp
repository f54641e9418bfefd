// The ldap connector's mapping rules against an in-memory Directory: no server, no sockets.
#include <catch2/catch.hpp>

#include "connectors/ldap/directory_reader.hpp"
#include "tests/fakes/record_collector.hpp"

using namespace rollcall;
using namespace rollcall::connectors::ldap;
using rollcall::connectors::NamePatterns;
using rollcall::testing::RecordCollector;

namespace {

// Answers searches from a table of (base, filter) -> entries and records every request. A
// search nobody prepared fails the test, naming base and filter.
class FakeDirectory final : public Directory {
 public:
  void on(const std::string& base, const std::string& filter, std::vector<LdapEntry> entries) {
    routes_[{base, filter}] = std::move(entries);
  }
  Result<void> search(const SearchRequest& req, const EntryFn& on_entry) override {
    requests.push_back(req);
    auto it = routes_.find({req.base, req.filter});
    if (it == routes_.end()) {
      FAIL("unexpected search base=" << req.base << " filter=" << req.filter);
    }
    for (const auto& e : it->second) RC_TRY(on_entry(e));
    return {};
  }
  std::vector<SearchRequest> requests;

 private:
  std::map<std::pair<std::string, std::string>, std::vector<LdapEntry>> routes_;
};

LdapEntry entry(const std::string& dn, std::map<std::string, std::vector<std::string>> attrs) {
  LdapEntry e;
  e.dn = dn;
  for (auto& [k, v] : attrs) {
    std::string lower;
    for (char c : k) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    e.attrs[lower] = std::move(v);
  }
  return e;
}

const std::string kUsers = "(objectClass=person)";
const std::string kGroups = "(objectClass=groupOfNames)";

ReadSettings settings() {
  ReadSettings s;
  s.user_bases = {"ou=people,dc=x"};
  s.user_filter = kUsers;
  s.group_bases = {"ou=groups,dc=x"};
  s.group_filter = kGroups;
  s.attrs = {"uid", "mail", "cn", "employeeNumber", "authTimestamp", "pwdAccountLockedTime",
             "createTimestamp", "cn"};
  s.page_size = 50;
  return s;
}

LdapEntry person(const std::string& uid, std::map<std::string, std::vector<std::string>> more = {}) {
  more["objectClass"] = {"inetOrgPerson"};
  more["uid"] = {uid};
  more["cn"] = {uid + " name"};
  return entry("uid=" + uid + ",ou=people,dc=x", std::move(more));
}

LdapEntry group(const std::string& cn, std::vector<std::string> members,
                std::map<std::string, std::vector<std::string>> more = {}) {
  more["objectClass"] = {"groupOfNames"};
  more["cn"] = {cn};
  more["member"] = std::move(members);
  return entry("cn=" + cn + ",ou=groups,dc=x", std::move(more));
}

struct Run {
  RecordCollector got;
  CapturingLogger log;
  Result<void> result;
};

std::unique_ptr<Run> read(FakeDirectory& dir, const ReadSettings& s = settings()) {
  auto run = std::make_unique<Run>();
  run->result = read_directory(dir, s, run->log, run->got);
  return run;
}

}  // namespace

TEST_CASE("ldap reader: nested groups give one grant per last link, with via",
          "[connector][ldap]") {
  FakeDirectory dir;
  dir.on("ou=people,dc=x", kUsers,
         {person("alice"), person("bob"), person("carol"), person("dave")});
  dir.on("ou=groups,dc=x", kGroups,
         {group("eng", {"uid=alice,ou=people,dc=x", "CN=Platform, OU=Groups, DC=X"}),
          group("platform", {"uid=bob,ou=people,dc=x"}),
          entry("cn=sre,ou=groups,dc=x", {{"objectClass", {"groupOfUniqueNames"}},
                                          {"cn", {"sre"}},
                                          {"uniqueMember", {"uid=carol,ou=people,dc=x#'01'B",
                                                            "cn=eng,ou=groups,dc=x"}}}),
          entry("cn=ops,ou=groups,dc=x", {{"objectClass", {"posixGroup"}},
                                          {"cn", {"ops"}},
                                          {"memberUid", {"dave", "ghost"}}}),
          group("outside", {"uid=zed,ou=elsewhere,dc=x", "not a dn"})});
  auto run = read(dir);
  REQUIRE(run->result.ok());
  CHECK(run->got.grant_lines() == std::vector<std::string>{
      "uid=alice,ou=people,dc=x | group:eng | member | direct",
      "uid=alice,ou=people,dc=x | group:sre | member | group:eng",
      "uid=bob,ou=people,dc=x | group:eng | member | group:platform",
      "uid=bob,ou=people,dc=x | group:platform | member | direct",
      "uid=bob,ou=people,dc=x | group:sre | member | group:eng",
      "uid=carol,ou=people,dc=x | group:sre | member | direct",
      "uid=dave,ou=people,dc=x | group:ops | member | direct",
  });
  CHECK(run->got.entitlement_lines() == std::vector<std::string>{
      "group:eng", "group:ops", "group:outside", "group:platform", "group:sre"});
  CHECK(run->log.joined().find("skipped 3 group members") != std::string::npos);
}

TEST_CASE("ldap reader: accounts take their fields from the attribute map",
          "[connector][ldap]") {
  FakeDirectory dir;
  dir.on("ou=people,dc=x", kUsers,
         {person("alice", {{"mail", {"alice@x.test"}},
                           {"employeeNumber", {"E1"}},
                           {"authTimestamp", {"20261001120000Z"}},
                           {"createTimestamp", {"20240101000000Z"}}}),
          person("eve", {{"pwdAccountLockedTime", {"000001010000Z"}}})});
  dir.on("ou=groups,dc=x", kGroups, {});
  auto run = read(dir);
  REQUIRE(run->result.ok());
  const Account* alice = run->got.find_account("uid=alice,ou=people,dc=x");
  REQUIRE(alice != nullptr);
  CHECK(alice->login == "alice");
  CHECK(alice->email == "alice@x.test");
  CHECK(alice->display_name == "alice name");
  CHECK(alice->external_id == "E1");
  CHECK(alice->kind == AccountKind::human);
  CHECK(alice->status == AccountStatus::active);
  CHECK(alice->last_login == std::optional<UnixTime>(1790856000));
  CHECK(alice->created_at == std::optional<UnixTime>(1704067200));
  CHECK(alice->attrs_json == R"({"object_classes":["inetOrgPerson"]})");
  CHECK(run->got.find_account("uid=eve,ou=people,dc=x")->status == AccountStatus::disabled);
  // Only the mapped attributes are asked for.
  REQUIRE(dir.requests.size() == 2);
  CHECK(dir.requests[0].attrs == std::vector<std::string>{
      "objectClass", "uid", "mail", "cn", "employeeNumber", "authTimestamp",
      "pwdAccountLockedTime", "createTimestamp"});
  CHECK(dir.requests[0].page_size == 50);
  CHECK(dir.requests[1].attrs == std::vector<std::string>{
      "objectClass", "member", "uniqueMember", "memberUid", "adminCount", "cn"});

  // An attribute mapped to "" is not read: eve is no longer disabled.
  FakeDirectory again;
  again.on("ou=people,dc=x", kUsers, {person("eve", {{"pwdAccountLockedTime", {"000001010000Z"}}})});
  again.on("ou=groups,dc=x", kGroups, {});
  ReadSettings s = settings();
  s.attrs.disabled = "";
  auto run2 = read(again, s);
  REQUIRE(run2->result.ok());
  CHECK(run2->got.accounts.at(0).status == AccountStatus::active);
}

TEST_CASE("ldap reader: accounts matching service_filter are services", "[connector][ldap]") {
  FakeDirectory dir;
  ReadSettings s = settings();
  s.service_filter = "employeeType=service";
  dir.on("ou=people,dc=x", "(&" + kUsers + "(employeeType=service))", {person("svc-ci")});
  dir.on("ou=people,dc=x", kUsers, {person("alice"), person("svc-ci")});
  dir.on("ou=groups,dc=x", kGroups, {});
  auto run = read(dir, s);
  REQUIRE(run->result.ok());
  CHECK(run->got.find_account("uid=svc-ci,ou=people,dc=x")->kind == AccountKind::service);
  CHECK(run->got.find_account("uid=alice,ou=people,dc=x")->kind == AccountKind::human);
  CHECK(dir.requests[0].attrs == std::vector<std::string>{"1.1"});
}

TEST_CASE("ldap reader: overlapping bases read each entry once", "[connector][ldap]") {
  FakeDirectory dir;
  ReadSettings s = settings();
  s.user_bases = {"dc=x", "ou=people,dc=x"};
  s.group_bases = {"dc=x", "ou=groups,dc=x"};
  dir.on("dc=x", kUsers, {person("alice")});
  dir.on("ou=people,dc=x", kUsers, {person("alice")});
  dir.on("dc=x", kGroups, {group("eng", {"uid=alice,ou=people,dc=x"})});
  dir.on("ou=groups,dc=x", kGroups, {group("eng", {"uid=alice,ou=people,dc=x"})});
  auto run = read(dir, s);
  REQUIRE(run->result.ok());
  CHECK(run->got.accounts.size() == 1);
  CHECK(run->got.grant_lines() == std::vector<std::string>{
      "uid=alice,ou=people,dc=x | group:eng | member | direct"});
}

TEST_CASE("ldap reader: privileged groups by name pattern or adminCount", "[connector][ldap]") {
  FakeDirectory dir;
  ReadSettings s = settings();
  s.privileged_groups = NamePatterns({"*admins"}, connectors::NameCase::insensitive);
  dir.on("ou=people,dc=x", kUsers, {});
  dir.on("ou=groups,dc=x", kGroups,
         {group("Domain Admins", {}), group("protected", {}, {{"adminCount", {"1"}}}),
          group("staff", {})});
  auto run = read(dir, s);
  REQUIRE(run->result.ok());
  CHECK(run->got.entitlement_lines() == std::vector<std::string>{
      "group:Domain Admins !", "group:protected !", "group:staff"});
}

TEST_CASE("ldap reader: two groups with one name are an error naming both", "[connector][ldap]") {
  FakeDirectory dir;
  dir.on("ou=people,dc=x", kUsers, {});
  dir.on("ou=groups,dc=x", kGroups,
         {group("admins", {}), entry("cn=admins,ou=other,ou=groups,dc=x",
                                     {{"objectClass", {"groupOfNames"}}, {"cn", {"admins"}}})});
  auto run = read(dir);
  REQUIRE_FALSE(run->result.ok());
  CHECK(run->result.error().message() ==
        "groups \"cn=admins,ou=groups,dc=x\" and \"cn=admins,ou=other,ou=groups,dc=x\" are both "
        "named \"admins\": narrow group_base or group_filter, or set attrs.group_name to an "
        "attribute that is unique");
}

TEST_CASE("ldap reader: unreadable values and directory errors stop the read",
          "[connector][ldap]") {
  SECTION("a bad timestamp names the entry and attribute") {
    FakeDirectory dir;
    dir.on("ou=people,dc=x", kUsers, {person("alice", {{"authTimestamp", {"soon"}}})});
    auto run = read(dir);
    REQUIRE_FALSE(run->result.ok());
    CHECK(run->result.error().message() ==
          "entry \"uid=alice,ou=people,dc=x\": authTimestamp: invalid time \"soon\" (expected "
          "LDAP GeneralizedTime or a FILETIME)");
  }
  SECTION("a group without its name attribute") {
    FakeDirectory dir;
    dir.on("ou=people,dc=x", kUsers, {});
    dir.on("ou=groups,dc=x", kGroups, {entry("cn=x,ou=groups,dc=x", {{"objectClass", {"groupOfNames"}}})});
    auto run = read(dir);
    REQUIRE_FALSE(run->result.ok());
    CHECK(run->result.error().message() == "group \"cn=x,ou=groups,dc=x\" has no cn");
  }
  SECTION("the directory's error is passed up unchanged") {
    class Broken final : public Directory {
     public:
      Result<void> search(const SearchRequest&, const EntryFn&) override {
        return fail("ldap://dc1:389: search \"ou=people,dc=x\" page 2: Can't contact LDAP server");
      }
    } broken;
    CapturingLogger log;
    RecordCollector got;
    auto r = read_directory(broken, settings(), log, got);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "ldap://dc1:389: search \"ou=people,dc=x\" page 2: Can't contact LDAP server");
  }
}

TEST_CASE("ldap reader: the time a password was set dates the account's password credential", "[connector][ldap][credential]") {
  FakeDirectory dir;
  dir.on("ou=people,dc=x", kUsers,
         {person("alice", {{"pwdChangedTime", {"20250101000000Z"}}}), person("bob")});
  dir.on("ou=groups,dc=x", kGroups, {});
  ReadSettings s = settings();
  s.attrs.password_changed = "pwdChangedTime";
  auto run = read(dir, s);
  REQUIRE(run->result.ok());
  REQUIRE(run->got.credentials.size() == 1);  // bob's entry says nothing: no credential
  const Credential& c = run->got.credentials[0];
  CHECK(c.account_id == "uid=alice,ou=people,dc=x");
  CHECK(c.id == "password");
  CHECK(c.kind == CredentialKind::password);
  CHECK(c.created_at == std::optional<UnixTime>(1735689600));
  CHECK_FALSE(c.use_recorded);
  CHECK(dir.requests[0].attrs.back() == "pwdChangedTime");
}
