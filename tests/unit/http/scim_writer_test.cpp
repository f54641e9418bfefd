// The SCIM writer against a scripted transport: every request it sends (method, path, query,
// body, content type), the live states it reads, and its errors.
#include <catch2/catch.hpp>

#include "connectors/scim/scim_connector.hpp"
#include "tests/support/writer_checks.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using connectors::Change;
using connectors::ChangeType;
using connectors::LiveState;
using Reply = FakeTransport::Reply;

namespace {

const auto kType = connectors::scim::connector_type();

// The group lookup of "Engineering" and its member read, as the writer asks for them.
const char* kFindEng = "GET /scim/v2/Groups?filter=displayName%20eq%20%22Engineering%22&excludedAttributes=members";
const char* kEngMembers = "GET /scim/v2/Groups/g1?attributes=members";

struct WriterFixture {
  FakeTransportFactory factory;
  ConnectorFixture fx{factory, {{"SCIM_TOKEN", "scim-tok-1"}}};
  FakeTransport& t = factory.transport;
  std::unique_ptr<connectors::Writer> writer;

  explicit WriterFixture(bool member_filter = false) {
    std::vector<std::pair<std::string, config::Value>> keys = {{"base_url", std::string("https://idp.test/scim/v2")},
                                                               {"token_env", std::string("SCIM_TOKEN")}};
    if (member_filter) keys.emplace_back("member_filter", true);
    auto sys = system_config("okta", "scim", keys);
    REQUIRE(kType.create_writer);
    auto w = kType.create_writer(sys, fx.env());
    REQUIRE(w.ok());
    writer = std::move(w).value();
  }
};

std::string list(const std::string& resources, int total) {
  return R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":)" +
         std::to_string(total) + R"(,"Resources":[)" + resources + "]}";
}

std::string describe(const LiveState& s) {
  return std::string(s.account_exists ? (s.account_active ? "active" : "disabled") : "absent") + " " +
         s.level.value_or("-");
}

std::string read_state(connectors::Writer& w, const Change& c) {
  auto s = w.read(c);
  REQUIRE(s.ok());
  return describe(*s);
}

template <typename T>
std::string error_of(const Result<T>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

std::string content_type(const http::Request& r) {
  for (const auto& h : r.headers) {
    if (h.name == "Content-Type") return h.value;
  }
  return "";
}

}  // namespace

TEST_CASE("scim writer: grant reads the user and the group's direct members, then PATCHes an add", "[connector][scim][apply]") {
  WriterFixture f;
  f.t.on("GET /scim/v2/Users/u1", Reply{200, R"({"id":"u1","userName":"jane@acme.com","active":true})"});
  f.t.on(kFindEng, Reply{200, list(R"({"id":"g1","displayName":"Engineering"})", 1)});
  // u1 is listed only as a member of a nested group's id; u9 is a direct member.
  f.t.on(kEngMembers, {Reply{200, R"({"id":"g1","members":[{"value":"u9","type":"User"},{"value":"u1","type":"Group"}]})"},
                       Reply{200, R"({"id":"g1","members":[{"value":"u9"},{"value":"u1","type":"User"}]})"}});
  f.t.on("PATCH /scim/v2/Groups/g1", Reply{204, ""});
  const Change grant = make_change(ChangeType::grant, "u1", "group:Engineering", "member");

  CHECK(read_state(*f.writer, grant) == "active -");
  REQUIRE(f.writer->write(grant).ok());
  CHECK(read_state(*f.writer, grant) == "active member");

  // The group id is looked up once per run.
  CHECK(f.t.targets() == std::vector<std::string>{"GET /scim/v2/Users/u1", kFindEng, kEngMembers,
                                                  "PATCH /scim/v2/Groups/g1", "GET /scim/v2/Users/u1", kEngMembers});
  const http::Request patch = f.t.sent()[3];
  CHECK(patch.body ==
        R"({"Operations":[{"op":"add","path":"members","value":[{"value":"u1"}]}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]})");
  CHECK(content_type(patch) == "application/scim+json");
  CHECK(patch.secret_headers[0].value.reveal() == "Bearer scim-tok-1");
}

TEST_CASE("scim writer: with member_filter, one membership is read by a value filter, not the member list",
          "[connector][scim][apply]") {
  WriterFixture f(true);
  const char* kFilter =
      "GET /scim/v2/Groups?filter=id%20eq%20%22g1%22%20and%20members%5Bvalue%20eq%20%22u1%22%5D&excludedAttributes=members";
  f.t.on("GET /scim/v2/Users/u1", Reply{200, R"({"id":"u1","userName":"jane@acme.com","active":true})"});
  f.t.on(kFindEng, Reply{200, list(R"({"id":"g1","displayName":"Engineering"})", 1)});
  f.t.on(kFilter, {Reply{200, list("", 0)}, Reply{200, list(R"({"id":"g1","displayName":"Engineering"})", 1)},
                   Reply{200, list(R"({"id":"g1"},{"id":"g2"})", 5)}});
  f.t.on("PATCH /scim/v2/Groups/g1", Reply{204, ""});
  const Change grant = make_change(ChangeType::grant, "u1", "group:Engineering", "member");

  CHECK(read_state(*f.writer, grant) == "active -");
  REQUIRE(f.writer->write(grant).ok());
  CHECK(read_state(*f.writer, grant) == "active member");
  CHECK(f.t.targets() == std::vector<std::string>{"GET /scim/v2/Users/u1", kFindEng, kFilter, "PATCH /scim/v2/Groups/g1",
                                                  "GET /scim/v2/Users/u1", kFilter});
  // A provider that ignored the filter (more results than it lists) is an error, never "member".
  auto ignored = f.writer->read(grant);
  REQUIRE_FALSE(ignored.ok());
  CHECK(ignored.error().message() ==
        "GET /scim/v2/Groups?filter=id%20eq%20%22g1%22%20and%20members%5Bvalue%20eq%20%22u1%22%5D&excludedAttributes=members: "
        "the answer lists 2 of 5 results; the filter was not applied");
}

TEST_CASE("scim writer: revoke PATCHes a remove with a value filter path", "[connector][scim][apply]") {
  WriterFixture f;
  f.t.on("GET /scim/v2/Users/u1", Reply{200, R"({"id":"u1","userName":"jane@acme.com"})"});
  f.t.on(kFindEng, Reply{200, list(R"({"id":"g1","displayName":"Engineering"})", 1)});
  f.t.on(kEngMembers, Reply{200, R"({"id":"g1","displayName":"Engineering","members":[{"value":"u1"}]})"});
  f.t.on("PATCH /scim/v2/Groups/g1", Reply{200, R"({"id":"g1","displayName":"Engineering"})"});
  const Change revoke = make_change(ChangeType::revoke, "u1", "group:Engineering", "absent");

  CHECK(read_state(*f.writer, revoke) == "active member");
  REQUIRE(f.writer->write(revoke).ok());
  const http::Request patch = f.t.sent().back();
  CHECK(f.t.targets().back() == "PATCH /scim/v2/Groups/g1");
  CHECK(patch.body ==
        R"({"Operations":[{"op":"remove","path":"members[value eq \"u1\"]"}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]})");
  CHECK(content_type(patch) == "application/scim+json");
}

TEST_CASE("scim writer: a group without members, or without the member attribute, holds no one", "[connector][scim][apply]") {
  WriterFixture f;
  f.t.on("GET /scim/v2/Users/u1", Reply{200, R"({"id":"u1","userName":"a"})"});
  f.t.on(kFindEng, Reply{200, list(R"({"id":"g1","displayName":"Engineering"})", 1)});
  f.t.on(kEngMembers, {Reply{200, R"({"id":"g1"})"}, Reply{200, R"({"id":"g1","members":[]})"}});
  const Change grant = make_change(ChangeType::grant, "u1", "group:Engineering", "member");
  CHECK(read_state(*f.writer, grant) == "active -");
  CHECK(read_state(*f.writer, grant) == "active -");
}

TEST_CASE("scim writer: disable_account reads active/disabled/absent and PATCHes active false", "[connector][scim][apply]") {
  WriterFixture f;
  f.t.on("GET /scim/v2/Users/u1", {Reply{200, R"({"id":"u1","userName":"a"})"},
                                   Reply{200, R"({"id":"u1","userName":"a","active":false})"},
                                   Reply{404, R"({"detail":"Resource u1 not found"})"}});
  f.t.on("PATCH /scim/v2/Users/u1", Reply{200, R"({"id":"u1","active":false})"});
  const Change disable = make_change(ChangeType::disable_account, "u1");

  CHECK(read_state(*f.writer, disable) == "active -");  // "active" absent means active
  REQUIRE(f.writer->write(disable).ok());
  CHECK(read_state(*f.writer, disable) == "disabled -");
  CHECK(read_state(*f.writer, disable) == "absent -");
  const http::Request patch = f.t.sent()[1];
  CHECK(f.t.targets()[1] == "PATCH /scim/v2/Users/u1");
  CHECK(patch.body ==
        R"({"Operations":[{"op":"replace","value":{"active":false}}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]})");
  CHECK(content_type(patch) == "application/scim+json");
}

TEST_CASE("scim writer: create_account finds the user by userName and POSTs a new one", "[connector][scim][apply]") {
  WriterFixture f;
  const std::string find = "GET /scim/v2/Users?filter=userName%20eq%20%22new.hire%40acme.com%22";
  f.t.on(find, {Reply{200, list("", 0)}, Reply{200, list(R"({"id":"u7","userName":"New.Hire@acme.com"})", 1)}});
  f.t.on("POST /scim/v2/Users", Reply{201, R"({"id":"u7","userName":"new.hire@acme.com"})"});
  const Change create = make_change(ChangeType::create_account, "new.hire@acme.com");

  CHECK(read_state(*f.writer, create) == "absent -");
  REQUIRE(f.writer->write(create).ok());
  CHECK(read_state(*f.writer, create) == "active -");  // userName is matched without case
  CHECK(f.t.targets() == std::vector<std::string>{find, "POST /scim/v2/Users", find});
  const http::Request post = f.t.sent()[1];
  CHECK(post.body ==
        R"({"active":true,"emails":[{"primary":true,"type":"work","value":"new.hire@acme.com"}],)"
        R"("schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new.hire@acme.com"})");
  CHECK(content_type(post) == "application/scim+json");
}

TEST_CASE("scim writer: a 409 on POST /Users is an error: the user may exist", "[connector][scim][apply]") {
  WriterFixture f;
  f.t.on("POST /scim/v2/Users", Reply{409, R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],)"
                                           R"("status":"409","scimType":"uniqueness","detail":"userName is taken"})"});
  CHECK(error_of(f.writer->write(make_change(ChangeType::create_account, "jane@acme.com"))) ==
        "POST /scim/v2/Users: HTTP 409: userName is taken");
}

TEST_CASE("scim writer: set_level is unsupported, for read and write", "[connector][scim][apply]") {
  WriterFixture f;
  const Change c = make_change(ChangeType::set_level, "u1", "group:Engineering", "admin");
  const std::string expected =
      "scim cannot set_level through its API; set apply_via = \"tickets\" on the system to file such changes as tickets";
  CHECK(error_of(f.writer->read(c)) == expected);
  CHECK(error_of(f.writer->write(c)) == expected);
  CHECK(f.t.sent().empty());
}

TEST_CASE("scim writer: a grant at another level than member is refused", "[connector][scim][apply]") {
  WriterFixture f;
  const Change c = make_change(ChangeType::grant, "u1", "group:Engineering", "admin");
  const std::string expected = "scim groups have one level, \"member\"; cannot grant \"admin\" of \"group:Engineering\"";
  CHECK(error_of(f.writer->read(c)) == expected);
  CHECK(error_of(f.writer->write(c)) == expected);
  CHECK(error_of(f.writer->read(make_change(ChangeType::grant, "u1", "team:x", "member"))) ==
        "scim entitlements are group:<displayName>, not \"team:x\"");
  CHECK(f.t.sent().empty());
}

TEST_CASE("scim writer: a quote and a backslash in a group name are escaped in the filter", "[connector][scim][apply]") {
  WriterFixture f;
  // displayName eq "Q\"A \\ Team"
  const std::string find =
      "GET /scim/v2/Groups?filter=displayName%20eq%20%22Q%5C%22A%20%5C%5C%20Team%22&excludedAttributes=members";
  f.t.on("GET /scim/v2/Users/u1", Reply{200, R"({"id":"u1","userName":"a"})"});
  f.t.on(find, Reply{200, list(R"({"id":"g 2","displayName":"Q\"A \\ Team"})", 1)});
  f.t.on("GET /scim/v2/Groups/g%202?attributes=members", Reply{200, R"({"id":"g 2","members":[{"value":"u1"}]})"});
  f.t.on("PATCH /scim/v2/Groups/g%202", Reply{204, ""});
  const Change revoke = make_change(ChangeType::revoke, "u1", "group:Q\"A \\ Team", "absent");
  CHECK(read_state(*f.writer, revoke) == "active member");
  REQUIRE(f.writer->write(revoke).ok());
  CHECK(f.t.unscripted().empty());
  // The member selector is escaped the same way.
  const Change odd = make_change(ChangeType::revoke, "u\"1", "group:Q\"A \\ Team", "absent");
  REQUIRE(f.writer->write(odd).ok());
  CHECK(f.t.sent().back().body ==
        R"({"Operations":[{"op":"remove","path":"members[value eq \"u\\\"1\"]"}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]})");
}

TEST_CASE("scim writer: a name that is not UTF-8 cannot be put in a filter", "[connector][scim][apply]") {
  WriterFixture f;
  CHECK(error_of(f.writer->read(make_change(ChangeType::create_account, "bad\xff@acme.com"))) ==
        "a SCIM filter on userName: the value is not valid UTF-8");
  CHECK(f.t.sent().empty());
}

TEST_CASE("scim writer: configuration mistakes fail like the read side's", "[connector][scim][apply]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {});
  auto sys = system_config("okta", "scim", {{"base_url", std::string("https://idp.test/scim/v2")}});
  auto w = kType.create_writer(sys, fx.env());
  CHECK(error_of(w) ==
        "rollcall.toml:1: system \"okta\" needs token_env/token_file (bearer token) or username with "
        "password_env/password_file");
}

TEST_CASE("scim writer: a missing group cannot be granted, and holds nothing to revoke", "[connector][scim][apply]") {
  WriterFixture f;
  f.t.on("GET /scim/v2/Users/u1", Reply{200, R"({"id":"u1","userName":"a"})"});
  // A case-insensitive server match is not the group: entitlement ids are exact displayNames.
  f.t.on(kFindEng, Reply{200, list(R"({"id":"g1","displayName":"engineering"})", 1)});
  const std::string expected = "no SCIM group has displayName \"Engineering\"; rollcall does not create groups";
  CHECK(error_of(f.writer->read(make_change(ChangeType::grant, "u1", "group:Engineering", "member"))) == expected);
  CHECK(error_of(f.writer->write(make_change(ChangeType::grant, "u1", "group:Engineering", "member"))) == expected);
  CHECK(read_state(*f.writer, make_change(ChangeType::revoke, "u1", "group:Engineering", "absent")) == "active -");
}

TEST_CASE("scim writer: a user deleted since the plan cannot be granted, and holds nothing to revoke", "[connector][scim][apply]") {
  WriterFixture f;
  f.t.on("GET /scim/v2/Users/u1", Reply{404, R"({"detail":"Resource u1 not found"})"});
  f.t.on(kFindEng, Reply{200, list(R"({"id":"g1","displayName":"Engineering"})", 1)});
  f.t.on(kEngMembers, Reply{200, R"({"id":"g1","members":[{"value":"u2"}]})"});
  CHECK(error_of(f.writer->read(make_change(ChangeType::grant, "u1", "group:Engineering", "member"))) ==
        "user \"u1\" no longer exists (GET /scim/v2/Users/u1: 404)");
  CHECK(read_state(*f.writer, make_change(ChangeType::revoke, "u1", "group:Engineering", "absent")) == "absent -");
}

TEST_CASE("scim writer: a read that cannot be completed is an error, never absent", "[connector][scim][apply]") {
  WriterFixture f;
  const Change grant = make_change(ChangeType::grant, "u1", "group:Engineering", "member");
  const Change create = make_change(ChangeType::create_account, "jane@acme.com");
  const std::string find_jane = "GET /scim/v2/Users?filter=userName%20eq%20%22jane%40acme.com%22";
  f.t.on("GET /scim/v2/Users/u1", Reply{200, R"({"id":"u1","userName":"a"})"});

  SECTION("the group list is a page of a longer answer (a server that ignored the filter)") {
    f.t.on(kFindEng, Reply{200, list(R"({"id":"g0","displayName":"Admins"})", 40)});
    CHECK(error_of(f.writer->read(grant)) == std::string(kFindEng) +
                                                 ": the answer lists 1 of 40 results; the filter was not applied");
  }
  SECTION("two groups carry the name") {
    f.t.on(kFindEng, Reply{200, list(R"({"id":"g1","displayName":"Engineering"},{"id":"g2","displayName":"Engineering"})", 2)});
    CHECK(error_of(f.writer->read(grant)) ==
          std::string(kFindEng) + ": groups \"g1\" and \"g2\" are both named \"Engineering\"");
  }
  SECTION("the member list is not a list") {
    f.t.on(kFindEng, Reply{200, list(R"({"id":"g1","displayName":"Engineering"})", 1)});
    f.t.on(kEngMembers, Reply{200, R"({"id":"g1","members":{"value":"u1"}})"});
    CHECK(error_of(f.writer->read(grant)) == "GET /scim/v2/Groups/g1?attributes=members: \"members\" is not an array");
  }
  SECTION("the member read is forbidden") {
    f.t.on(kFindEng, Reply{200, list(R"({"id":"g1","displayName":"Engineering"})", 1)});
    f.t.on(kEngMembers, Reply{403, R"({"detail":"insufficient scope"})"});
    CHECK(error_of(f.writer->read(grant)) == "GET /scim/v2/Groups/g1?attributes=members: HTTP 403: insufficient scope");
  }
  SECTION("the user answer is another user") {
    f.t.on("GET /scim/v2/Users/u1", Reply{200, R"({"id":"u2","userName":"b"})"});
    CHECK(error_of(f.writer->read(make_change(ChangeType::disable_account, "u1"))) ==
          "GET /scim/v2/Users/u1: returned user \"u2\"");
  }
  SECTION("two users have the userName") {
    f.t.on(find_jane, Reply{200, list(R"({"id":"u1","userName":"jane@acme.com"},{"id":"u2","userName":"Jane@acme.com"})", 2)});
    CHECK(error_of(f.writer->read(create)) == find_jane + ": 2 users have this userName");
  }
  SECTION("the list has no totalResults") {
    f.t.on(find_jane, Reply{200, R"({"Resources":[]})"});
    CHECK(error_of(f.writer->read(create)) == find_jane + ": \"totalResults\" is missing or not an integer");
  }
}

TEST_CASE("scim writer: a rejected write names the request and the SCIM detail", "[connector][scim][apply]") {
  WriterFixture f;
  f.t.on(kFindEng, Reply{200, list(R"({"id":"g1","displayName":"Engineering"})", 1)});
  f.t.on("PATCH /scim/v2/Groups/g1",
         Reply{400, R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"unknown member u1"})"});
  f.t.on("PATCH /scim/v2/Users/u1", Reply{401, R"({"detail":"token expired"})"});
  CHECK(error_of(f.writer->write(make_change(ChangeType::grant, "u1", "group:Engineering", "member"))) ==
        "PATCH /scim/v2/Groups/g1: HTTP 400: unknown member u1");
  CHECK(error_of(f.writer->write(make_change(ChangeType::disable_account, "u1"))) ==
        "PATCH /scim/v2/Users/u1: HTTP 401: token expired (the credential from environment variable SCIM_TOKEN was rejected)");
}

TEST_CASE("scim writer: a PATCH that times out is not retried by the transport", "[connector][scim][apply]") {
  WriterFixture f;
  f.t.on(kFindEng, Reply{200, list(R"({"id":"g1","displayName":"Engineering"})", 1)});
  f.t.on("PATCH /scim/v2/Groups/g1", Reply{0, "", {}, "timed out after 1000 ms"});
  auto r = f.writer->write(make_change(ChangeType::grant, "u1", "group:Engineering", "member"));
  CHECK(error_of(r) == "PATCH /scim/v2/Groups/g1: timed out after 1000 ms");
  CHECK(f.t.targets() == std::vector<std::string>{kFindEng, "PATCH /scim/v2/Groups/g1"});
}

TEST_CASE("scim writer: create_account sends the roster name as displayName and name", "[connector][scim][apply]") {
  WriterFixture f;
  f.t.on("POST /scim/v2/Users", Reply{201, R"({"id":"u8"})"});
  Change create = make_change(ChangeType::create_account, "mary.smith@acme.com");
  create.person_name = "Mary Ann  Smith ";
  REQUIRE(f.writer->write(create).ok());
  CHECK(f.t.sent()[0].body ==
        R"({"active":true,"displayName":"Mary Ann  Smith","emails":[{"primary":true,"type":"work",)"
        R"("value":"mary.smith@acme.com"}],"name":{"familyName":"Smith","formatted":"Mary Ann  Smith",)"
        R"("givenName":"Mary Ann"},"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],)"
        R"("userName":"mary.smith@acme.com"})");
}
