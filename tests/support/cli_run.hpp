// Runs the rollcall binary under test (ROLLCALL_BINARY, defined for NEEDS_BINARY tests) the way
// a scheduler would: stdin from /dev/null, stdout and stderr captured in files of a TempDir.
// Or any shell command line, captured the same way.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace rollcall::testing {

struct CliRun {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// Runs a shell command line with its stdout and stderr captured in files of `dir`.
inline CliRun run_shell(const TempDir& dir, const std::string& command) {
  const auto out = dir / "stdout.txt";
  const auto err = dir / "stderr.txt";
  const int status = std::system(("{ " + command + "; } >" + out.string() + " 2>" + err.string()).c_str());
  CliRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

// Runs `rollcall <args>`, with `env` ("NAME=value ...", may be "") set for it.
inline CliRun run_rollcall(const TempDir& dir, const std::string& args, const std::string& env = "") {
  return run_shell(dir, env + (env.empty() ? "" : " ") + ROLLCALL_BINARY + " " + args + " </dev/null");
}

// Runs `rollcall --workspace <dir>/ws <args>`, the layout every end-to-end test uses.
inline CliRun run_in_workspace(const TempDir& dir, const std::string& args, const std::string& env = "") {
  return run_rollcall(dir, "--workspace " + (dir / "ws").string() + " " + args, env);
}

}  // namespace rollcall::testing
