#include <catch2/catch.hpp>

#include "scanner/store/apply_journal.hpp"

using namespace rollcall;
using namespace rollcall::store;

namespace {

JournalEntry entry(const std::string& id, const std::string& state, std::int64_t attempts = 0,
                   const std::string& error = "") {
  return JournalEntry{id, "github", "+ grant github " + id + " team:x (member)", state, attempts, error, 0, 0};
}

}  // namespace

TEST_CASE("apply journal: an action's state moves on, and its first record time stays", "[store][apply]") {
  auto db = Database::open_memory();
  REQUIRE(db.ok());
  ApplyJournal journal(**db, "plan1");
  CHECK(journal.state("a1").value().empty());
  REQUIRE(journal.record(entry("a1", "pending"), 0, 100).ok());
  CHECK(journal.state("a1").value() == "pending");
  REQUIRE(journal.record(entry("a1", "done", 2, "timed out"), 0, 160).ok());
  CHECK(journal.state("a1").value() == "done");
  CHECK(ApplyJournal(**db, "plan2").state("a1").value().empty());  // per plan

  auto entries = journal.entries();
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  const JournalEntry& e = (*entries)[0];
  CHECK(e.state == "done");
  CHECK(e.attempts == 2);
  CHECK(e.last_error == "timed out");
  CHECK(e.system == "github");
  CHECK(e.action == "+ grant github a1 team:x (member)");
  CHECK(e.first_at == 100);
  CHECK(e.updated_at == 160);
}

TEST_CASE("apply journal: entries come in plan order; plans list their outcomes, latest first", "[store][apply]") {
  auto db = Database::open_memory();
  REQUIRE(db.ok());
  ApplyJournal older(**db, "older");
  REQUIRE(older.record(entry("z", "done"), 0, 10).ok());
  REQUIRE(older.record(entry("a", "conflict"), 1, 11).ok());
  REQUIRE(older.record(entry("m", "done"), 2, 12).ok());
  ApplyJournal newer(**db, "newer");
  REQUIRE(newer.record(entry("b", "failed"), 0, 50).ok());

  auto entries = older.entries();
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 3);
  CHECK((*entries)[0].action_id == "z");
  CHECK((*entries)[1].action_id == "a");
  CHECK((*entries)[2].action_id == "m");

  auto plans = ApplyJournal::plans(**db, 10);
  REQUIRE(plans.ok());
  REQUIRE(plans->size() == 2);
  CHECK((*plans)[0].plan_id == "newer");
  CHECK((*plans)[0].states == std::map<std::string, std::int64_t>{{"failed", 1}});
  CHECK((*plans)[1].plan_id == "older");
  CHECK((*plans)[1].first_at == 10);
  CHECK((*plans)[1].updated_at == 12);
  CHECK((*plans)[1].states == std::map<std::string, std::int64_t>{{"conflict", 1}, {"done", 2}});

  auto one = ApplyJournal::plans(**db, 1);
  REQUIRE(one.ok());
  REQUIRE(one->size() == 1);
  CHECK((*one)[0].plan_id == "newer");
}
