#include <catch2/catch.hpp>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "scanner/store/snapshot_store.hpp"
#include "scanner/core/strings.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using namespace rollcall::store;

namespace {

Account account(const std::string& id, const std::string& email = "") {
  Account a;
  a.id = id;
  a.login = id;
  a.email = email;
  return a;
}

Grant grant(const std::string& account, const std::string& ent, const std::string& level = "member") {
  Grant g;
  g.account_id = account;
  g.entitlement_id = ent;
  g.level = level;
  return g;
}

// Writes a small snapshot: n accounts each holding team:a and team:b.
SnapshotInfo write_snapshot(SnapshotStore& store, int n, UnixTime t, const std::string& system = "gh") {
  auto w = store.begin(system, "file", t);
  REQUIRE(w.ok());
  for (int i = 0; i < n; ++i) {
    REQUIRE((*w)->account(account("u" + std::to_string(i))).ok());
    REQUIRE((*w)->grant(grant("u" + std::to_string(i), "team:a")).ok());
    REQUIRE((*w)->grant(grant("u" + std::to_string(i), "team:b", "maintainer")).ok());
  }
  auto info = (*w)->commit(t + 1);
  REQUIRE(info.ok());
  return *info;
}

std::int64_t count(Database& db, const std::string& sql) {
  auto s = db.prepare(sql);
  REQUIRE(s.ok());
  REQUIRE(*s->step());
  return s->integer(0);
}

}  // namespace

TEST_CASE("store: a committed snapshot is readable with its counts and digest", "[store]") {
  auto db = Database::open_memory();
  REQUIRE(db.ok());
  SnapshotStore store(**db);
  auto info = write_snapshot(store, 3, 100);
  CHECK(info.status == SnapshotStatus::complete);
  CHECK(info.accounts == 3);
  CHECK(info.entitlements == 2);  // implied by the grants
  CHECK(info.grants == 6);
  CHECK_FALSE(info.unchanged());
  auto accounts = store.accounts(info);
  REQUIRE(accounts.ok());
  REQUIRE(accounts->size() == 3);
  CHECK((*accounts)[0].id == "u0");
  auto ents = store.entitlements(info);
  REQUIRE(ents.ok());
  CHECK((*ents)[0].type == "team");
  CHECK((*ents)[0].name == "a");
  std::vector<std::string> seen;
  REQUIRE(store.for_each_grant(info, [&](const Grant& g) -> Result<void> {
    seen.push_back(g.account_id + "/" + g.entitlement_id + "/" + g.level);
    return {};
  }).ok());
  CHECK(seen.front() == "u0/team:a/member");
  CHECK(seen[1] == "u0/team:b/maintainer");
}

TEST_CASE("store: re-snapshotting unchanged data records an observation, not a copy", "[store]") {
  testing::TempDir tmp;
  auto db = Database::open(tmp / "rollcall.db");
  REQUIRE(db.ok());
  SnapshotStore store(**db);
  auto first = write_snapshot(store, 500, 100);
  std::int64_t rows_before = count(**db, "SELECT count(*) FROM \"grant\"");
  auto second = write_snapshot(store, 500, 200);
  CHECK(second.unchanged());
  CHECK(second.data_id == first.id);
  CHECK(second.digest == first.digest);
  CHECK(second.finished_at == 201);
  CHECK(count(**db, "SELECT count(*) FROM \"grant\"") == rows_before);
  auto latest = store.latest_complete("gh");
  REQUIRE(latest.ok());
  CHECK((*latest)->id == second.id);
  auto accounts = store.accounts(**latest);
  CHECK(accounts->size() == 500);
}

TEST_CASE("store: the same data in another order is recognised as unchanged", "[store]") {
  auto db = Database::open_memory();
  SnapshotStore store(**db);
  auto first = write_snapshot(store, 3, 100);
  auto w = store.begin("gh", "file", 200);
  REQUIRE(w.ok());
  REQUIRE((*w)->grant(grant("u2", "team:b", "maintainer")).ok());
  for (int i : {2, 0, 1}) REQUIRE((*w)->account(account("u" + std::to_string(i))).ok());
  for (int i : {1, 0}) REQUIRE((*w)->grant(grant("u" + std::to_string(i), "team:b", "maintainer")).ok());
  for (int i : {0, 2, 1}) REQUIRE((*w)->grant(grant("u" + std::to_string(i), "team:a")).ok());
  auto info = (*w)->commit(201);
  REQUIRE(info.ok());
  CHECK(info->unchanged());
  CHECK(info->data_id == first.id);
}

TEST_CASE("store: a changed level makes a new snapshot with its own data", "[store]") {
  auto db = Database::open_memory();
  SnapshotStore store(**db);
  auto first = write_snapshot(store, 2, 100);
  auto w = store.begin("gh", "file", 200);
  REQUIRE((*w)->account(account("u0")).ok());
  REQUIRE((*w)->account(account("u1")).ok());
  REQUIRE((*w)->grant(grant("u0", "team:a", "admin")).ok());
  auto info = (*w)->commit(201);
  REQUIRE(info.ok());
  CHECK_FALSE(info->unchanged());
  CHECK(info->digest != first.digest);
  CHECK(info->grants == 1);
}

TEST_CASE("store: duplicate account ids are rejected; exact duplicate grants are kept once", "[store]") {
  auto db = Database::open_memory();
  SnapshotStore store(**db);
  auto w = store.begin("gh", "file", 1);
  REQUIRE((*w)->account(account("u0")).ok());
  auto dup = (*w)->account(account("u0"));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().message() == "duplicate account id \"u0\"");
  REQUIRE((*w)->grant(grant("u0", "team:a")).ok());
  REQUIRE((*w)->grant(grant("u0", "team:a")).ok());
  auto info = (*w)->commit(2);
  REQUIRE(info.ok());
  CHECK(info->grants == 1);
}

TEST_CASE("store: one grant listed with two different levels is an error naming both", "[store]") {
  auto db = Database::open_memory();
  SnapshotStore store(**db);
  auto w = store.begin("gh", "file", 1);
  REQUIRE((*w)->account(account("u0")).ok());
  REQUIRE((*w)->grant(grant("u0", "team:a", "member")).ok());
  REQUIRE((*w)->grant(grant("u0", "team:b", "member")).ok());
  REQUIRE((*w)->grant(grant("u0", "team:a", "admin")).ok());
  auto info = (*w)->commit(2);
  REQUIRE_FALSE(info.ok());
  CHECK(info.error().message() == "grant record 3: grant of \"team:a\" to account \"u0\" is listed twice, as \"member\" (grant record 1) and as "
        "\"admin\"");
}

TEST_CASE("store: a grant naming an account missing from the export fails the commit", "[store]") {
  auto db = Database::open_memory();
  SnapshotStore store(**db);
  auto w = store.begin("gh", "file", 1);
  REQUIRE((*w)->grant(grant("ghost", "team:a")).ok());
  auto info = (*w)->commit(2);
  REQUIRE_FALSE(info.ok());
  CHECK(info.error().message() == "grant record 1: a grant references account \"ghost\", which is not in the export");
  auto aborted = (*w)->abort(info.error(), 3);
  REQUIRE(aborted.ok());
  CHECK(aborted->status == SnapshotStatus::partial);
}

TEST_CASE("store: an aborted snapshot is recorded without data and the previous one stays in use", "[store]") {
  auto db = Database::open_memory();
  SnapshotStore store(**db);
  auto good = write_snapshot(store, 2, 100);
  auto w = store.begin("gh", "file", 200);
  REQUIRE((*w)->account(account("x")).ok());
  auto failed = (*w)->abort(Error("GET /members page 3: HTTP 502"), 201);
  REQUIRE(failed.ok());
  CHECK(failed->status == SnapshotStatus::partial);
  CHECK(failed->error == "GET /members page 3: HTTP 502");
  CHECK(count(**db, "SELECT count(*) FROM account WHERE snapshot_id = " + std::to_string(failed->id)) == 0);
  auto latest = store.latest("gh");
  CHECK((*latest)->status == SnapshotStatus::partial);
  auto complete = store.latest_complete("gh");
  CHECK((*complete)->id == good.id);

  auto w2 = store.begin("gh", "file", 300);
  auto nothing = (*w2)->abort(Error("connection refused"), 301);
  CHECK(nothing->status == SnapshotStatus::failed);
}

TEST_CASE("store: a process killed mid-snapshot leaves the previous snapshot intact", "[store]") {
  testing::TempDir tmp;
  const auto path = tmp / "rollcall.db";
  {
    auto db = Database::open(path);
    REQUIRE(db.ok());
    SnapshotStore store(**db);
    write_snapshot(store, 100, 100);
  }
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto db = Database::open(path);
    SnapshotStore store(**db);
    auto w = store.begin("gh", "file", 200);
    // A tiny page cache makes SQLite spill uncommitted pages into the WAL as it goes, so the
    // kill lands with half a snapshot on disk.
    (void)(*db)->exec("PRAGMA cache_size = 20");
    for (int i = 0; i < 200000; ++i) {
      (void)(*w)->account(account("new" + std::to_string(i)));
      (void)(*w)->grant(grant("new" + std::to_string(i), "team:z"));
      if (i == 100000) {
        char c = 'x';
        (void)!::write(ready[1], &c, 1);
      }
    }
    ::pause();
    ::_exit(0);
  }
  char c;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(std::filesystem::file_size(tmp / "rollcall.db-wal") > 100000);  // uncommitted pages were written

  auto db = Database::open(path);
  REQUIRE(db.ok());
  SnapshotStore store(**db);
  auto list = store.list("gh", 10);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);  // no half snapshot visible
  CHECK((*list)[0].accounts == 100);
  CHECK(count(**db, "SELECT count(*) FROM account") == 100);
  CHECK(count(**db, "PRAGMA integrity_check") == 0);  // "ok" reads as 0
}

TEST_CASE("store: a database written by a newer rollcall is refused, not touched", "[store]") {
  testing::TempDir tmp;
  const auto path = tmp / "rollcall.db";
  { REQUIRE(Database::open(path).ok()); }
  sqlite3* raw = nullptr;
  sqlite3_open(path.c_str(), &raw);
  sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  auto db = Database::open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.error().message() == "database " + quote(path.string()) + ": schema version 99 is newer than this rollcall supports (" +
                                    std::to_string(latest_schema_version()) + "); upgrade rollcall to read it");
}

TEST_CASE("store: a file that is not a database is a clear error", "[store]") {
  testing::TempDir tmp;
  auto path = tmp.write("rollcall.db", std::string(4096, 'x'));
  auto db = Database::open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.error().message() == "database " + quote(path.string()) + ": SQLite: file is not a database (in PRAGMA journal_mode=WAL)");
}

namespace {

Credential key(const std::string& account, const std::string& id, std::optional<UnixTime> last_used) {
  Credential c;
  c.account_id = account;
  c.id = id;
  c.kind = CredentialKind::access_key;
  c.created_at = 1000;
  c.last_used_at = last_used;
  c.last_used_where = last_used ? "iam/us-east-1" : "";
  return c;
}

// Two accounts; u0 holds two keys, emitted before its account record arrives.
Result<SnapshotInfo> write_keys(SnapshotStore& store, UnixTime t, std::optional<UnixTime> last_used) {
  auto w = store.begin("aws", "aws-iam", t);
  if (!w) return fail(w.error());
  RC_TRY((*w)->credential(key("u0", "AKIA2", last_used)));
  RC_TRY((*w)->credential(key("u0", "AKIA1", std::nullopt)));
  RC_TRY((*w)->account(account("u0")));
  RC_TRY((*w)->account(account("u1")));
  return (*w)->commit(t + 1);
}

}  // namespace

TEST_CASE("store: credentials are kept with their snapshot, in the digest and the unchanged path", "[store][credential]") {
  auto db = Database::open_memory();
  SnapshotStore store(**db);
  auto first = write_keys(store, 100, 500);
  REQUIRE(first.ok());
  CHECK(first->credentials == 2);
  auto keys = store.credentials(*first);
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 2);
  CHECK((*keys)[0].id == "AKIA1");
  CHECK_FALSE((*keys)[0].last_used_at);
  CHECK((*keys)[1].id == "AKIA2");
  CHECK((*keys)[1].last_used_at == 500);
  CHECK((*keys)[1].last_used_where == "iam/us-east-1");
  CHECK((*keys)[1].kind == CredentialKind::access_key);
  CHECK((*keys)[1].created_at == 1000);

  auto same = write_keys(store, 200, 500);
  REQUIRE(same.ok());
  CHECK(same->unchanged());
  CHECK(same->credentials == 2);
  auto again = store.credentials(*same);
  CHECK(again->size() == 2);

  // A key used since is a change: a new snapshot with its own data.
  auto used = write_keys(store, 300, 900);
  REQUIRE(used.ok());
  CHECK_FALSE(used->unchanged());
  CHECK(used->digest != first->digest);
}

TEST_CASE("store: a credential of an unknown account or a repeated credential fails, storing nothing", "[store][credential]") {
  auto db = Database::open_memory();
  SnapshotStore store(**db);
  {
    auto w = store.begin("aws", "aws-iam", 1);
    REQUIRE((*w)->account(account("u0")).ok());
    REQUIRE((*w)->credential(key("ghost", "AKIA9", std::nullopt)).ok());
    auto info = (*w)->commit(2);
    REQUIRE_FALSE(info.ok());
    CHECK(info.error().message() ==
          "credential \"AKIA9\" belongs to account \"ghost\", which is not in the export");
  }
  auto w = store.begin("aws", "aws-iam", 3);
  REQUIRE((*w)->credential(key("u0", "AKIA1", std::nullopt)).ok());
  auto twice = (*w)->credential(key("u0", "AKIA1", 5));
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message() == "duplicate credential \"AKIA1\" of account \"u0\"");
  w->reset();
  CHECK(count(**db, "SELECT count(*) FROM credential") == 0);
}
