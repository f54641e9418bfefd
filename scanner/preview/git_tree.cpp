#include "scanner/preview/git_tree.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "scanner/core/strings.hpp"

extern char** environ;

namespace rollcall::preview {
namespace {

struct Output {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs argv (argv[0] looked up in PATH), capturing stdout and stderr; stdin is /dev/null.
Result<Output> run(const std::vector<std::string>& args) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return fail("cannot create a pipe for " + args[0]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return fail("cannot create a pipe for " + args[0]);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return fail("cannot run " + args[0] + ": " + std::string(std::strerror(rc)));
  }
  Output o;
  std::array<pollfd, 2> fds{{{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}}};
  std::array<std::string*, 2> into{&o.out, &o.err};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        into[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

// git's first line of complaint, for an error message.
std::string first_line(const std::string& text) {
  auto lines = split(std::string(trim(text)), '\n');
  return lines.empty() ? "failed" : std::string(trim(lines.front()));
}

Result<std::string> git(const std::filesystem::path& dir, std::vector<std::string> args, const std::string& what) {
  args.insert(args.begin(), {"git", "-C", dir.string()});
  RC_ASSIGN(Output o, run(args));
  if (o.status != 0) return fail(what + ": " + first_line(o.err));
  return o.out;
}

}  // namespace

Result<void> export_git_folder(const std::filesystem::path& workspace, const std::filesystem::path& folder,
                               const std::string& ref, const std::filesystem::path& dest) {
  if (ref.empty() || ref.front() == '-') return fail("--base " + quote(ref) + ": not a git revision");
  // Run git from the nearest existing folder: the folder itself may be new in the work tree.
  std::filesystem::path from = folder;
  std::error_code ec;
  while (!from.empty() && !std::filesystem::is_directory(from, ec)) from = from.parent_path();
  RC_ASSIGN(std::string top, git(from, {"rev-parse", "--show-toplevel"}, "--base " + ref));
  const std::filesystem::path root = std::filesystem::weakly_canonical(std::string(trim(top)), ec);
  const std::filesystem::path abs_folder = std::filesystem::weakly_canonical(folder, ec);
  const std::filesystem::path abs_workspace = std::filesystem::weakly_canonical(workspace, ec);
  const std::string in_repo = abs_folder.lexically_relative(root).generic_string();
  if (in_repo.empty() || starts_with(in_repo, "..")) {
    return fail("--base " + ref + ": " + folder.string() + " is not inside the git repository " + root.string());
  }
  const std::string prefix = in_repo == "." ? "" : in_repo + "/";
  RC_ASSIGN(std::string listing, git(root, {"ls-tree", "-r", "-z", "--name-only", ref + "^{tree}", "--", prefix.empty() ? "." : prefix},
                                     "git ls-tree " + ref));
  std::size_t files = 0;
  for (const std::string& path : split(listing, '\0')) {
    if (path.empty()) continue;
    const std::string spec = ref + ":" + path;
    RC_ASSIGN(std::string bytes, git(root, {"show", spec}, "git show " + spec));
    const std::filesystem::path target =
        dest / (abs_folder / path.substr(prefix.size())).lexically_relative(abs_workspace);
    std::filesystem::create_directories(target.parent_path(), ec);
    std::ofstream f(target, std::ios::binary | std::ios::trunc);
    if (!f || !(f << bytes) || !f.flush()) return fail(target.string() + ": cannot write");
    ++files;
  }
  if (files == 0) return fail("--base " + ref + ": no files under " + (prefix.empty() ? "." : prefix) + " at " + ref);
  return {};
}

}  // namespace rollcall::preview
