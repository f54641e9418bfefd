// Crash and resume: an apply process is killed with a real SIGKILL in the middle of a write;
// the rerun finishes the plan and every action is executed exactly once.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "scanner/plan/apply.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using rollcall::Result;
using namespace rollcall::plan;

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::vector<std::string> v;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) v.push_back(line);
  return v;
}

// A system whose state is a file shared between processes: one line per account that is a
// member of group:eng; every write appends a line, so the file also counts the writes. With
// `block_at`, the process hangs right after that write took effect, like a server that applied
// a change and never answered.
class SharedFileWriter final : public rollcall::connectors::Writer {
 public:
  SharedFileWriter(std::filesystem::path path, int block_at) : path_(std::move(path)), block_at_(block_at) {}

  Result<rollcall::connectors::LiveState> read(const rollcall::connectors::Change& c) override {
    rollcall::connectors::LiveState s;
    s.account_exists = s.account_active = true;
    for (const auto& line : lines_of(path_)) {
      if (line == c.account_id) s.level = "member";
    }
    return s;
  }

  Result<void> write(const rollcall::connectors::Change& c) override {
    {
      std::ofstream out(path_, std::ios::app);
      out << c.account_id << '\n';
    }
    if (static_cast<int>(lines_of(path_).size()) == block_at_) {
      while (true) ::pause();
    }
    return {};
  }

 private:
  std::filesystem::path path_;
  int block_at_;
};

Plan three_grants() {
  Plan p;
  p.id = "crashplan";
  for (const char* account : {"u1", "u2", "u3"}) {
    Action a;
    a.id = std::string("grant-") + account;
    a.type = ActionType::grant;
    a.system = "scim";
    a.account_id = account;
    a.entitlement_id = "group:eng";
    a.before = "absent";
    a.after = "member";
    p.actions.push_back(a);
  }
  return p;
}

std::vector<ActionReport> apply_once(const std::filesystem::path& db_path, const std::filesystem::path& state, int block_at) {
  auto db = rollcall::store::Database::open(db_path);
  if (!db) return {};
  SharedFileWriter w(state, block_at);
  static const Plan plan = three_grants();
  auto r = apply_plan(plan, **db, [&](const std::string&) -> Result<rollcall::connectors::Writer*> { return &w; }, {}, {});
  return r ? *r : std::vector<ActionReport>{};
}

}  // namespace

TEST_CASE("apply: killed with SIGKILL mid-write, the rerun executes each action exactly once", "[integration][apply]") {
  rollcall::testing::TempDir dir;
  const auto db_path = dir / "rollcall.db";
  const auto state = dir / "members.txt";
  REQUIRE(rollcall::store::Database::open(db_path).ok());  // migrated before the fork

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    apply_once(db_path, state, 2);
    ::_exit(0);
  }
  // Wait until the second write has landed, then kill the apply process.
  for (int i = 0; i < 1000 && lines_of(state).size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(lines_of(state).size() == 2);
  REQUIRE(::kill(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));

  const auto reports = apply_once(db_path, state, 0);
  REQUIRE(reports.size() == 3);
  CHECK(reports[0].outcome == Outcome::noop);
  CHECK(reports[0].detail == "applied by an earlier run (journal)");
  CHECK(reports[1].outcome == Outcome::done);
  CHECK(reports[1].detail == "written by an interrupted earlier run");
  CHECK(reports[2].outcome == Outcome::done);
  CHECK(lines_of(state) == std::vector<std::string>{"u1", "u2", "u3"});
}
