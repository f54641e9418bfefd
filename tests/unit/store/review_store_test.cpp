#include <catch2/catch.hpp>

#include "scanner/store/review_store.hpp"

using namespace rollcall;
using namespace rollcall::store;

namespace {

ReviewDecisionRecord decision(const std::string& row, const std::string& what, UnixTime at) {
  return {row, "github", "acct-" + row, "team:x", "p@acme.com", what, "", "boss@acme.com", at, "boss.csv:2"};
}

}  // namespace

TEST_CASE("review store: exported rows are replaced by a later export, and the latest decision per row counts",
          "[store][review]") {
  auto db = Database::open_memory();
  REQUIRE(db.ok());
  ReviewStore reviews(**db);
  ReviewRowRecord row{"r1", "boss@acme.com", "p@acme.com", "github", "acct-r1", "team:x", "authorized",
                      "role \"eng\"", "team-eng", "d1", 1, 100};
  REQUIRE(reviews.save_rows({row}).ok());
  row.digest = "d2";
  REQUIRE(reviews.save_rows({row}).ok());
  auto rows = reviews.rows();
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK(rows->at("r1").digest == "d2");
  CHECK(rows->at("r1").owner == "team-eng");

  REQUIRE(reviews.record({decision("r1", "keep", 10), decision("r2", "revoke", 10)}).ok());
  REQUIRE(reviews.record({decision("r1", "revoke", 20)}).ok());
  auto latest = reviews.latest_decisions();
  REQUIRE(latest.ok());
  REQUIRE(latest->size() == 2);
  CHECK(latest->at(0).row_id == "r1");
  CHECK(latest->at(0).decision == "revoke");
  CHECK(latest->at(0).decided_at == 20);
  CHECK(latest->at(1).row_id == "r2");
}

TEST_CASE("review store: decisions are recorded all or nothing", "[store][review]") {
  auto db = Database::open_memory();
  REQUIRE(db.ok());
  ReviewStore reviews(**db);
  auto r = reviews.record({decision("r1", "keep", 10), decision("r2", "maybe", 10)});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message().find("CHECK constraint failed") != std::string::npos);
  auto latest = reviews.latest_decisions();
  REQUIRE(latest.ok());
  CHECK(latest->empty());
}
