#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "connectors/http/paginate.hpp"
#include "connectors/http/parallel.hpp"
#include "scanner/core/strings.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::http;
using rollcall::testing::FakeTransport;
using Reply = FakeTransport::Reply;

namespace {

struct Fixture {
  FakeTransport fake;
  CapturingLogger log;
  ApiClient client() {
    ApiOptions o;
    o.base_url = "https://api.test";
    o.auth = SecretHeader{"Authorization", Secret("Bearer tok-123456")};
    o.credential_source = "environment variable TOKEN";
    auto c = ApiClient::create(fake, std::move(o), log);
    REQUIRE(c.ok());
    return std::move(c).value();
  }
  // Reads every item's "login" (or the item itself when it is a string).
  Result<std::vector<std::string>> logins(const std::string& path, const Query& q, const Paging& p) {
    std::vector<std::string> out;
    auto c = client();
    RC_TRY(for_each_item(c, path, q, p, [&](const Json& item) -> Result<void> {
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
        return {};
      }
      RC_ASSIGN(std::string login, string_member(item, "login"));
      out.push_back(login);
      return {};
    }));
    return out;
  }
};

std::string link(const std::string& url) { return "<" + url + ">; rel=\"next\", <https://api.test/last>; rel=\"last\""; }

std::string error_of(const Result<std::vector<std::string>>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("url: base URLs are split and validated", "[http][url]") {
  auto u = parse_url("https://ghe.example.com:8443/api/v3?x=1");
  REQUIRE(u.ok());
  CHECK(u->scheme == "https");
  CHECK(u->host == "ghe.example.com:8443");
  CHECK(u->path == "/api/v3");
  CHECK(u->query == "x=1");
  CHECK(parse_url("ftp://x").error().message() == "invalid URL \"ftp://x\": expected http:// or https://");
  CHECK(parse_url("https://user:pw@x").error().message() ==
        "invalid URL \"https://user:pw@x\": credentials in the URL are not allowed; use the password/token keys");
  CHECK(encode_query({{"filter", "userName eq \"a b\""}, {"count", "10"}}) ==
        "filter=userName%20eq%20%22a%20b%22&count=10");
  CHECK(loggable_target("https://x/api/users.list?token=xoxb-1&cursor=abc&client_secret=s") ==
        "/api/users.list?token=REDACTED&cursor=abc&client_secret=REDACTED");
  CHECK(is_loopback_host("127.0.0.1:8080"));
  CHECK(is_loopback_host("[::1]:80"));
  CHECK_FALSE(is_loopback_host("api.github.com"));
}

TEST_CASE("paging: the Link header's rel=next is found among other links", "[http][paging]") {
  CHECK(next_link("<https://a/x?page=2>; rel=\"next\", <https://a/x?page=9>; rel=\"last\"") == "https://a/x?page=2");
  CHECK(next_link("<https://a/x?page=1>; rel=\"prev\", <https://a/x?page=3>; rel=\"next\"") == "https://a/x?page=3");
  CHECK(next_link("<https://a/x?page=1>; rel=\"first\"") == "");
  CHECK(next_link("") == "");
}

TEST_CASE("paging: Link pages are followed in order until there is no next", "[http][paging]") {
  Fixture f;
  f.fake.on("GET /orgs/acme/members?role=admin&per_page=100",
            Reply{200, R"([{"login":"a"},{"login":"b"}])", {{"Link", link("https://api.test/organizations/1/members?page=2")}}});
  f.fake.on("GET /organizations/1/members?page=2",
            Reply{200, R"([{"login":"c"}])", {{"Link", link("https://api.test/organizations/1/members?page=3")}}});
  f.fake.on("GET /organizations/1/members?page=3", Reply{200, R"([{"login":"d"}])"});
  auto r = f.logins("/orgs/acme/members", {{"role", "admin"}}, LinkPaging{});
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(f.fake.sent().size() == 3);
}

TEST_CASE("paging: Okta-style limit=N and a next link in the body (_links.next.href)", "[http][paging]") {
  Fixture f;
  LinkPaging p;
  p.per_page = 100;
  p.limit_param = "limit";
  p.items = "/value";
  p.next_href = "/_links/next/href";
  f.fake.on("GET /api/v1/iam/assignees/users?limit=100",
            Reply{200, R"({"value":[{"login":"a"}],"_links":{"next":{"href":"https://api.test/api/v1/iam/assignees/users?after=a&limit=100"}}})"});
  f.fake.on("GET /api/v1/iam/assignees/users?after=a&limit=100", Reply{200, R"({"value":[{"login":"b"}],"_links":{}})"});
  auto r = f.logins("/api/v1/iam/assignees/users", {}, p);
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{"a", "b"});
  SECTION("a body link that is not a string fails, naming it") {
    FakeTransport::Reply bad{200, R"({"value":[],"_links":{"next":{"href":7}}})"};
    f.fake.on("GET /api/v1/iam/assignees/users?limit=100", bad);
    CHECK(error_of(f.logins("/api/v1/iam/assignees/users", {}, p)) ==
          "GET /api/v1/iam/assignees/users page 1: \"/_links/next/href\" is a number, not a string");
  }
}

TEST_CASE("paging: rel=\"next\" in a second Link header (Okta sends self and next apart)", "[http][paging]") {
  Fixture f;
  LinkPaging p;
  p.limit_param = "limit";
  p.per_page = 200;
  f.fake.on("GET /api/v1/users?limit=200",
            Reply{200, R"([{"login":"a"}])",
                  {{"Link", R"(<https://api.test/api/v1/users?limit=200>; rel="self")"},
                   {"Link", R"(<https://api.test/api/v1/users?after=a&limit=200>; rel="next")"}}});
  f.fake.on("GET /api/v1/users?after=a&limit=200",
            Reply{200, R"([{"login":"b"}])", {{"Link", R"(<https://api.test/api/v1/users?after=a&limit=200>; rel="self")"}}});
  auto r = f.logins("/api/v1/users", {}, p);
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{"a", "b"});
}

TEST_CASE("paging: a next link to another host is not followed", "[http][paging]") {
  Fixture f;
  f.fake.on("GET /orgs/acme/members?per_page=100",
            Reply{200, R"([{"login":"a"}])", {{"Link", link("https://evil.test/steal?page=2")}}});
  CHECK(error_of(f.logins("/orgs/acme/members", {}, LinkPaging{})) ==
        "GET /orgs/acme/members page 1: the next-page link leads to another host "
        "(\"https://evil.test/steal?page=2\"); not followed");
}

TEST_CASE("paging: a next link that repeats a page fails instead of looping", "[http][paging]") {
  Fixture f;
  f.fake.on("GET /x?per_page=100", Reply{200, "[]", {{"Link", link("https://api.test/x?page=2")}}});
  f.fake.on("GET /x?page=2", Reply{200, "[]", {{"Link", link("https://api.test/x?page=2")}}});
  CHECK(error_of(f.logins("/x", {}, LinkPaging{})) == "GET /x page 2: the next-page link repeats an earlier page");
}

TEST_CASE("paging: a malformed page fails the walk, naming the page", "[http][paging]") {
  Fixture f;
  f.fake.on("GET /x?per_page=100", Reply{200, R"([{"login":"a"}])", {{"Link", link("https://api.test/x?page=2")}}});
  f.fake.on("GET /x?page=2", Reply{200, R"([{"login":"b"},{"lo)"});
  CHECK(error_of(f.logins("/x", {}, LinkPaging{})) ==
        "GET /x page 2: malformed JSON at byte 20: invalid string: missing closing quote; expected string literal");
}

TEST_CASE("paging: a malformed page's error never holds the body's bytes, even a forged \"'; \"",
          "[http][paging][hostile]") {
  // Found by fuzz_scim: the echoed bytes were cut at the first "'; " after "last read", which a
  // body can contain itself, so the rest of the body (here the token) stayed in the message.
  Fixture f;
  f.fake.on("GET /x?per_page=100", Reply{200, "{\"a'; b tok-123456 \x01"});
  CHECK(error_of(f.logins("/x", {}, LinkPaging{})) ==
        "GET /x page 1: malformed JSON at byte 20: invalid string: control character U+0001 (SOH) must be "
        "escaped to \\u0001; expected string literal");
  f.fake.on("GET /x?per_page=100", Reply{200, "[1, tok-123456]"});
  CHECK(error_of(f.logins("/x", {}, LinkPaging{})) == "GET /x page 1: malformed JSON at byte 6: invalid literal");
  f.fake.on("GET /x?per_page=100", Reply{200, "[1 2]"});  // look-alike: nlohmann's own suffix is kept
  CHECK(error_of(f.logins("/x", {}, LinkPaging{})) ==
        "GET /x page 1: malformed JSON at byte 4: unexpected number literal; expected ']'");
}

TEST_CASE("paging: a number too large for a double is a malformed page, not an abort", "[http][paging][hostile]") {
  // Found by fuzz_github: nlohmann throws out_of_range (not parse_error) for 1e999.
  Fixture f;
  f.fake.on("GET /x?per_page=100", Reply{200, R"([{"login": "a", "n": 1e999}])"});
  CHECK(error_of(f.logins("/x", {}, LinkPaging{})) == "GET /x page 1: malformed JSON: a number too large for a double");
}

TEST_CASE("paging: an error status names the page, the status and the server's message", "[http][paging]") {
  Fixture f;
  f.fake.on("GET /x?per_page=100", Reply{200, R"([{"login":"a"}])", {{"Link", link("https://api.test/x?page=2")}}});
  f.fake.on("GET /x?page=2", Reply{403, R"({"message":"Must have admin rights"})"});
  CHECK(error_of(f.logins("/x", {}, LinkPaging{})) == "GET /x page 2: HTTP 403: Must have admin rights");
}

TEST_CASE("paging: 401 names where the credential came from; echoed secrets are scrubbed", "[http][paging]") {
  Fixture f;
  f.fake.on("GET /x?per_page=100", Reply{401, R"({"message":"Bad credentials: tok-123456"})"});
  CHECK(error_of(f.logins("/x", {}, LinkPaging{})) ==
        "GET /x page 1: HTTP 401: Bad credentials: [REDACTED] (the credential from environment variable TOKEN "
        "was rejected)");
}

TEST_CASE("paging: an item the caller rejects is named by page and position", "[http][paging]") {
  Fixture f;
  f.fake.on("GET /x?per_page=100", Reply{200, R"([{"login":"a"},{"id":7}])"});
  CHECK(error_of(f.logins("/x", {}, LinkPaging{})) == "GET /x page 1: item 2: \"login\" is missing");
}

TEST_CASE("paging: a body that is not the expected array is an error", "[http][paging]") {
  Fixture f;
  f.fake.on("GET /x?per_page=100", Reply{200, R"({"message":"odd"})"});
  CHECK(error_of(f.logins("/x", {}, LinkPaging{})) == "GET /x page 1: the body is an object, not an array");
}

TEST_CASE("paging: cursors are followed until the next cursor is empty", "[http][paging]") {
  Fixture f;
  f.fake.on("GET /users.list?limit=2", Reply{200, R"({"ok":true,"members":["U1","U2"],"response_metadata":{"next_cursor":"c=2"}})"});
  f.fake.on("GET /users.list?limit=2&cursor=c%3D2", Reply{200, R"({"ok":true,"members":["U3"],"response_metadata":{"next_cursor":""}})"});
  auto r = f.logins("/users.list", {}, CursorPaging{2, "/members"});
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{"U1", "U2", "U3"});
}

TEST_CASE("paging: a repeating cursor fails instead of looping", "[http][paging]") {
  Fixture f;
  f.fake.on("GET /users.list?limit=2", Reply{200, R"({"members":[],"response_metadata":{"next_cursor":"a"}})"});
  f.fake.on("GET /users.list?limit=2&cursor=a", Reply{200, R"({"members":[],"response_metadata":{"next_cursor":"a"}})"});
  CHECK(error_of(f.logins("/users.list", {}, CursorPaging{2, "/members"})) ==
        "GET /users.list page 2: the next cursor repeats an earlier one");
}

TEST_CASE("paging: SCIM pages advance by what the server returned, up to totalResults", "[http][paging][scim]") {
  Fixture f;
  // The server caps pages at 2 although 100 were asked for.
  f.fake.on("GET /Users?startIndex=1&count=100",
            Reply{200, R"({"totalResults":5,"itemsPerPage":2,"startIndex":1,"Resources":[{"login":"a"},{"login":"b"}]})"});
  f.fake.on("GET /Users?startIndex=3&count=100",
            Reply{200, R"({"totalResults":5,"itemsPerPage":2,"startIndex":3,"Resources":[{"login":"c"},{"login":"d"}]})"});
  f.fake.on("GET /Users?startIndex=5&count=100",
            Reply{200, R"({"totalResults":5,"itemsPerPage":1,"startIndex":5,"Resources":[{"login":"e"}]})"});
  auto r = f.logins("/Users", {}, IndexPaging{100});
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{"a", "b", "c", "d", "e"});
}

TEST_CASE("paging: an empty SCIM result may omit Resources", "[http][paging][scim]") {
  Fixture f;
  f.fake.on("GET /Users?startIndex=1&count=10", Reply{200, R"({"totalResults":0,"itemsPerPage":0,"startIndex":1})"});
  auto r = f.logins("/Users", {}, IndexPaging{10});
  REQUIRE(r.ok());
  CHECK(r->empty());
}

TEST_CASE("paging: a SCIM page that comes back empty before totalResults is an error", "[http][paging][scim]") {
  Fixture f;
  f.fake.on("GET /Users?startIndex=1&count=2", Reply{200, R"({"totalResults":5,"Resources":[{"login":"a"},{"login":"b"}]})"});
  f.fake.on("GET /Users?startIndex=3&count=2", Reply{200, R"({"totalResults":5,"Resources":[]})"});
  CHECK(error_of(f.logins("/Users", {}, IndexPaging{2})) ==
        "GET /Users page 2: no resources returned at startIndex 3 although totalResults is 5");
}

TEST_CASE("paging: a SCIM page without totalResults is malformed", "[http][paging][scim]") {
  Fixture f;
  f.fake.on("GET /Users?startIndex=1&count=2", Reply{200, R"({"Resources":[]})"});
  CHECK(error_of(f.logins("/Users", {}, IndexPaging{2})) == "GET /Users page 1: \"totalResults\" is missing or not a count");
}

TEST_CASE("paging: a next link in the body is followed on the API's origin only", "[http][paging]") {
  Fixture f;
  CursorPaging p{0, "/data", "cursor", "/links/next", "", true};
  f.fake.on("GET /orgs/o/users", Reply{200, R"({"data":["a"],"links":{"next":"https://api.test/orgs/o/users?cursor=x1"}})"});
  f.fake.on("GET /orgs/o/users?cursor=x1", Reply{200, R"({"data":["b"],"links":{"next":"x2"}})"});
  f.fake.on("GET /orgs/o/users?cursor=x2", Reply{200, R"({"data":["c"],"links":{"self":"x2"}})"});
  auto r = f.logins("/orgs/o/users", {}, p);
  REQUIRE(r.ok());
  // A link is followed as given; a plain value is a cursor; no page size is sent.
  CHECK(*r == std::vector<std::string>{"a", "b", "c"});

  Fixture g;
  g.fake.on("GET /orgs/o/users", Reply{200, R"({"data":["a"],"links":{"next":"https://evil.test/orgs/o/users?cursor=x1"}})"});
  CHECK(error_of(g.logins("/orgs/o/users", {}, p)) ==
        "GET /orgs/o/users page 1: the next-page link leads to another host (\"https://evil.test/orgs/o/users?cursor=x1\"); "
        "not followed");
  // Without next_may_be_link the same value is only a cursor (Slack's behaviour is unchanged).
  Fixture h;
  h.fake.on("GET /orgs/o/users", Reply{200, R"({"data":["a"],"links":{"next":"https://evil.test/x"}})"});
  h.fake.on("GET /orgs/o/users?cursor=https%3A%2F%2Fevil.test%2Fx", Reply{200, R"({"data":["b"]})"});
  auto plain = h.logins("/orgs/o/users", {}, CursorPaging{0, "/data", "cursor", "/links/next", ""});
  REQUIRE(plain.ok());
  CHECK(*plain == std::vector<std::string>{"a", "b"});
}

TEST_CASE("paging: Atlassian page beans advance startAt by what came back, until isLast", "[http][paging]") {
  Fixture f;
  // The server caps pages at 2 although 50 were asked for: nothing is skipped.
  f.fake.on("GET /group/member?groupId=g&startAt=0&maxResults=50",
            Reply{200, R"({"startAt":0,"maxResults":2,"isLast":false,"values":[{"login":"a"},{"login":"b"}]})"});
  f.fake.on("GET /group/member?groupId=g&startAt=2&maxResults=50",
            Reply{200, R"({"startAt":2,"maxResults":2,"isLast":false,"values":[{"login":"c"},{"login":"d"}]})"});
  f.fake.on("GET /group/member?groupId=g&startAt=4&maxResults=50",
            Reply{200, R"({"startAt":4,"maxResults":2,"isLast":true,"values":[{"login":"e"}]})"});
  auto r = f.logins("/group/member", {{"groupId", "g"}}, OffsetPaging{50, "/values"});
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{"a", "b", "c", "d", "e"});
}

TEST_CASE("paging: a bare Atlassian array ends at an empty page, not at a short one", "[http][paging]") {
  Fixture f;
  f.fake.on("GET /users/search?startAt=0&maxResults=3", Reply{200, R"([{"login":"a"},{"login":"b"},{"login":"c"}])"});
  // Short mid-list (Jira filters after paging): the walk goes on.
  f.fake.on("GET /users/search?startAt=3&maxResults=3", Reply{200, R"([{"login":"d"}])"});
  f.fake.on("GET /users/search?startAt=4&maxResults=3", Reply{200, R"([{"login":"e"}])"});
  f.fake.on("GET /users/search?startAt=5&maxResults=3", Reply{200, R"([])"});
  auto r = f.logins("/users/search", {}, OffsetPaging{3});
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{"a", "b", "c", "d", "e"});
}

TEST_CASE("paging: Atlassian pages that break the contract fail instead of looping or stopping early",
          "[http][paging]") {
  Fixture f;
  f.fake.on("GET /group/bulk?startAt=0&maxResults=2",
            Reply{200, R"({"isLast":false,"values":[{"login":"a"},{"login":"b"}]})"});
  f.fake.on("GET /group/bulk?startAt=2&maxResults=2", Reply{200, R"({"isLast":false,"values":[]})"});
  CHECK(error_of(f.logins("/group/bulk", {}, OffsetPaging{2, "/values"})) ==
        "GET /group/bulk page 2: no items at startAt=2 although \"isLast\" is false");

  Fixture g;  // a server that ignores startAt would otherwise be read forever
  g.fake.on("GET /users/search?startAt=0&maxResults=2", Reply{200, R"([{"login":"a"},{"login":"b"}])"});
  g.fake.on("GET /users/search?startAt=2&maxResults=2", Reply{200, R"([{"login":"a"},{"login":"b"}])"});
  CHECK(error_of(g.logins("/users/search", {}, OffsetPaging{2})) ==
        "GET /users/search page 2: the page at startAt=2 repeats the previous page; the server ignored startAt");

  Fixture h;
  h.fake.on("GET /group/bulk?startAt=0&maxResults=2", Reply{200, R"({"isLast":"no","values":[]})"});
  CHECK(error_of(h.logins("/group/bulk", {}, OffsetPaging{2, "/values"})) ==
        "GET /group/bulk page 1: \"isLast\" is a string, not a boolean");
}

TEST_CASE("paging: OData nextLinks are followed exactly as given until the last page", "[http][paging][odata]") {
  Fixture f;
  f.fake.on("GET /v1.0/users?%24select=id&%24top=999",
            Reply{200, R"({"value":[{"login":"a"},{"login":"b"}],"@odata.nextLink":"https://api.test/v1.0/users?$select=id&$top=999&$skiptoken=X%27Q1%27"})"});
  f.fake.on("GET /v1.0/users?$select=id&$top=999&$skiptoken=X%27Q1%27",
            Reply{200, R"({"value":[{"login":"c"}],"@odata.nextLink":null})"});
  auto r = f.logins("/v1.0/users", {{"$select", "id"}}, NextLinkPaging{999});
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{"a", "b", "c"});
  CHECK(f.fake.targets().size() == 2);
}

TEST_CASE("paging: an OData page without $top and without a nextLink is the only page", "[http][paging][odata]") {
  Fixture f;
  f.fake.on("GET /v1.0/directoryRoles", Reply{200, R"({"@odata.context":"x","value":[]})"});
  auto r = f.logins("/v1.0/directoryRoles", {}, NextLinkPaging{});
  REQUIRE(r.ok());
  CHECK(r->empty());
}

TEST_CASE("paging: an OData nextLink off the API's origin, repeated, or not a string fails the walk",
          "[http][paging][odata]") {
  Fixture f;
  SECTION("another host") {
    f.fake.on("GET /users?%24top=2",
              Reply{200, R"({"value":[],"@odata.nextLink":"https://evil.test/users?$skiptoken=1"})"});
    CHECK(error_of(f.logins("/users", {}, NextLinkPaging{2})) ==
          "GET /users page 1: the next-page link leads to another host (\"https://evil.test/users?$skiptoken=1\"); "
          "not followed");
  }
  SECTION("a repeat") {
    f.fake.on("GET /users?%24top=2", Reply{200, R"({"value":[],"@odata.nextLink":"https://api.test/users?p=2"})"});
    f.fake.on("GET /users?p=2", Reply{200, R"({"value":[],"@odata.nextLink":"https://api.test/users?p=2"})"});
    CHECK(error_of(f.logins("/users", {}, NextLinkPaging{2})) ==
          "GET /users page 2: the next-page link repeats an earlier page");
  }
  SECTION("not a string") {
    f.fake.on("GET /users?%24top=2", Reply{200, R"({"value":[],"@odata.nextLink":7})"});
    CHECK(error_of(f.logins("/users", {}, NextLinkPaging{2})) ==
          "GET /users page 1: \"/@odata.nextLink\" is a number, not a URL");
  }
  SECTION("no value array") {
    f.fake.on("GET /users?%24top=2", Reply{200, R"({"error":{"code":"x"}})"});
    CHECK_THAT(error_of(f.logins("/users", {}, NextLinkPaging{2})), Catch::StartsWith("GET /users page 1: "));
  }
}

TEST_CASE("parallel: results are consumed in order on the calling thread", "[http][parallel]") {
  std::vector<std::size_t> consumed;
  std::atomic<int> in_flight{0}, peak{0};
  auto caller = std::this_thread::get_id();
  auto r = ordered_parallel<std::size_t>(
      60, 4,
      [&](std::size_t i) -> Result<std::size_t> {
        int now = ++in_flight;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        std::this_thread::sleep_for(std::chrono::microseconds((i * 37) % 500));
        --in_flight;
        return i * 2;
      },
      [&](std::size_t i, std::size_t&& v) -> Result<void> {
        CHECK(std::this_thread::get_id() == caller);
        CHECK(v == i * 2);
        consumed.push_back(i);
        return {};
      });
  REQUIRE(r.ok());
  REQUIRE(consumed.size() == 60);
  for (std::size_t i = 0; i < consumed.size(); ++i) CHECK(consumed[i] == i);
  CHECK(peak.load() <= 4);
}

TEST_CASE("parallel: the first failure in index order stops the work", "[http][parallel]") {
  std::vector<std::size_t> consumed;
  auto r = ordered_parallel<int>(
      40, 3,
      [&](std::size_t i) -> Result<int> {
        if (i == 7 || i == 12) return fail("item " + std::to_string(i) + " failed");
        return 1;
      },
      [&](std::size_t i, int&&) -> Result<void> {
        consumed.push_back(i);
        return {};
      });
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "item 7 failed");
  CHECK(consumed.size() == 7);
}

TEST_CASE("parallel: a consumer failure stops the work", "[http][parallel]") {
  int produced = 0;
  std::mutex m;
  auto r = ordered_parallel<int>(
      1000, 2,
      [&](std::size_t) -> Result<int> {
        std::lock_guard<std::mutex> lock(m);
        ++produced;
        return 1;
      },
      [&](std::size_t i, int&&) -> Result<void> {
        if (i == 3) return fail("sink full");
        return {};
      });
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "sink full");
  CHECK(produced < 20);  // the window keeps workers close behind the consumer
}

namespace {

// A page body of the marker tests: "items|truncated|marker".
MarkerPageFn marker_pages(std::vector<std::string>& out) {
  return [&out](const Response& page) -> Result<MarkerPage> {
    auto parts = rollcall::split(page.body, '|');
    if (parts.size() != 3) return fail("malformed page");
    for (const auto& item : rollcall::split(parts[0], ',')) out.push_back(item);
    return MarkerPage{parts[1] == "true", parts[2]};
  };
}

}  // namespace

TEST_CASE("marker paging: pages are form POSTs that carry the previous page's Marker", "[http][paginate]") {
  Fixture f;
  f.fake.on("POST /", {Reply{200, "a,b|true|m1"}, Reply{200, "c|true|m2"}, Reply{200, "d|false|"}});
  std::vector<std::string> items;
  MarkerPaging paging;
  paging.max_items = 2;
  auto r = for_each_marker_page(f.client(), "/", {{"Action", "ListUsers"}}, "ListUsers", paging, marker_pages(items));
  REQUIRE(r.ok());
  CHECK(items == std::vector<std::string>{"a", "b", "c", "d"});
  auto sent = f.fake.sent();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].body == "Action=ListUsers&MaxItems=2");
  CHECK(sent[1].body == "Action=ListUsers&MaxItems=2&Marker=m1");
  CHECK(sent[2].body == "Action=ListUsers&MaxItems=2&Marker=m2");
  CHECK(sent[0].read_only);
  CHECK(sent[0].headers.back().value == "application/x-www-form-urlencoded; charset=utf-8");
}

TEST_CASE("marker paging: a truncated page without a Marker fails instead of ending short", "[http][paginate]") {
  Fixture f;
  f.fake.on("POST /", {Reply{200, "a|true|m1"}, Reply{200, "b|true|"}});
  std::vector<std::string> items;
  auto r = for_each_marker_page(f.client(), "/", {{"Action", "ListUsers"}}, "ListUsers", {}, marker_pages(items));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "ListUsers page 2: the page is truncated (IsTruncated) but has no Marker for the next one");
}

TEST_CASE("marker paging: a repeated Marker, a page cap and a bad page fail naming the page", "[http][paginate]") {
  Fixture f;
  std::vector<std::string> items;
  SECTION("repeat") {
    f.fake.on("POST /", {Reply{200, "a|true|m1"}, Reply{200, "b|true|m1"}});
    auto r = for_each_marker_page(f.client(), "/", {}, "ListRoles", {}, marker_pages(items));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "ListRoles page 2: the Marker repeats an earlier page's");
  }
  SECTION("cap") {
    f.fake.on("POST /", {Reply{200, "a|true|m1"}, Reply{200, "b|true|m2"}});
    MarkerPaging paging;
    paging.max_pages = 2;
    auto r = for_each_marker_page(f.client(), "/", {}, "ListRoles", paging, marker_pages(items));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "ListRoles page 3: more than 2 pages; the list does not end");
  }
  SECTION("malformed") {
    f.fake.on("POST /", {Reply{200, "a|true|m1"}, Reply{200, "<cut"}});
    auto r = for_each_marker_page(f.client(), "/", {}, "ListRoles", {}, marker_pages(items));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "ListRoles page 2: malformed page");
  }
  SECTION("HTTP error") {
    f.fake.on("POST /", {Reply{200, "a|true|m1"}, Reply{403, "denied"}});
    auto r = for_each_marker_page(f.client(), "/", {}, "ListRoles", {}, marker_pages(items));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "ListRoles page 2: HTTP 403: denied");
  }
}

TEST_CASE("send_raw: the body comes back as received, and accepted statuses are not errors", "[http][api]") {
  Fixture f;
  f.fake.on("POST /", {Reply{200, "<xml/>"}, Reply{404, "<gone/>"}, Reply{500, "<oops/>"}});
  RawRequest raw;
  raw.method = Method::post;
  raw.path = "/";
  raw.body = "Action=GetLoginProfile";
  raw.content_type = "application/x-www-form-urlencoded";
  raw.label = "GetLoginProfile";
  auto c = f.client();
  auto ok = c.send_raw(raw);
  REQUIRE(ok.ok());
  CHECK(ok->body == "<xml/>");
  auto absent = c.send_raw(raw, {404});
  REQUIRE(absent.ok());
  CHECK(absent->status == 404);
  auto failed = c.send_raw(raw, {404});
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message() == "GetLoginProfile: HTTP 500: <oops/>");
}
