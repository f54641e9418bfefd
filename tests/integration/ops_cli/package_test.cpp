// The Debian package as an operator gets it: cpack builds the .deb from this build, it is
// unpacked into a clean tree (dpkg-deb -x: no root, no container) and the installed binary runs
// `--version` and a scan of the installed example workspace. Its Depends name the Debian 12
// package of every library the binary links directly. The systemd units installed by
// `cmake --install` pass `systemd-analyze verify` with no warning.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <sstream>

#include "scanner/cli/version.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::read_file;
using rollcall::testing::run_shell;
using rollcall::testing::TempDir;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

}  // namespace

TEST_CASE("package: the .deb installs into a clean tree and its rollcall scans the installed example",
          "[package][integration]") {
  TempDir dir;
  const std::string build = ROLLCALL_BUILD_DIR;
  auto pack = run_shell(dir, "cd " + build + " && cpack -G DEB -B " + (dir / "pkg").string());
  INFO(pack.out << pack.err);
  REQUIRE(pack.exit_code == 0);
  auto deb = run_shell(dir, "ls " + (dir / "pkg").string() + "/rollcall_*.deb");
  REQUIRE(deb.exit_code == 0);
  const std::string file = first_line(deb.out);
  CHECK(has(file, std::string("rollcall_") + rollcall::cli::kVersion + "_"));

  // Depends names the package of each library the binary needs (by its NEEDED entries).
  const std::string depends = first_line(run_shell(dir, "dpkg-deb -f " + file + " Depends").out);
  for (const char* pkg : {"libtomlplusplus3", "liblua5.4-0", "libpq5", "libldap-2.5-0", "libcurl4", "libsqlite3-0"}) {
    CHECK(has(depends, pkg));
  }
  REQUIRE(run_shell(dir, "dpkg-deb -x " + file + " " + (dir / "root").string()).exit_code == 0);
  const std::string bin = (dir / "root" / "usr" / "bin" / "rollcall").string();
  auto needed = run_shell(dir, "objdump -p " + bin + " | awk '/NEEDED/ {print $2}'");
  REQUIRE(needed.exit_code == 0);
  for (const auto& so : lines(needed.out)) {
    // By file name: ldconfig and dpkg disagree on /lib vs /usr/lib on a merged-/usr system.
    auto owner = run_shell(dir, "dpkg -S \"*/$(gcc -print-multiarch)/" + so + "\" | cut -d: -f1 | head -1");
    std::string pkg = first_line(owner.out);
    INFO(so << " is in " << pkg << "; Depends: " << depends);
    REQUIRE_FALSE(pkg.empty());
    CHECK(has(depends, pkg));
  }

  // What the package installs, where the FHS and Debian expect it.
  const auto root = dir / "root";
  CHECK(std::filesystem::exists(root / "usr/share/bash-completion/completions/rollcall"));
  CHECK((std::filesystem::exists(root / "usr/share/man/man1/rollcall.1") ||
         std::filesystem::exists(root / "usr/share/man/man1/rollcall.1.gz")));
  CHECK(std::filesystem::exists(root / "usr/share/doc/rollcall/examples/acme/rollcall.toml"));
  CHECK_FALSE(std::filesystem::exists(root / "usr/share/doc/rollcall/examples/acme/rollcall.db"));
  CHECK(std::filesystem::exists(root / "usr/lib/systemd/system/rollcall.timer"));
  CHECK(has(read_file(root / "usr/lib/systemd/system/rollcall.service"),
            "ExecStart=/usr/bin/rollcall --workspace /var/lib/rollcall run\n"));

  auto version = run_shell(dir, bin + " --version");
  CHECK(version.exit_code == 0);
  CHECK(version.out == std::string("rollcall ") + rollcall::cli::kVersion + "\n");

  // The installed example, copied to a writable workspace as docs/operations.md says.
  std::filesystem::copy(root / "usr/share/doc/rollcall/examples/acme", dir / "ws",
                        std::filesystem::copy_options::recursive);
  const std::string ws = " --workspace " + (dir / "ws").string();
  auto snap = run_shell(dir, "ROLLCALL_NOW=2026-12-10T06:00:00Z " + bin + ws + " snapshot");
  INFO(snap.out << snap.err);
  CHECK(snap.exit_code == 0);
  CHECK(has(snap.out, "github: snapshot #1 complete"));
  auto scan = run_shell(dir, "ROLLCALL_NOW=2026-12-10T06:00:00Z " + bin + ws + " scan --fail-on error");
  INFO(scan.out << scan.err);
  CHECK(scan.exit_code == 0);
  CHECK(has(scan.out, "Scan #1: "));
  CHECK(std::filesystem::exists(dir / "ws" / "reports" / "report.html"));

  auto man = run_shell(dir, "zcat -f " + (root / "usr/share/man/man1").string() + "/rollcall.1* | grep -c 'rollcall prune'");
  CHECK(man.exit_code == 0);
}

TEST_CASE("package: the systemd service and timer pass systemd-analyze verify", "[package][systemd][integration]") {
  TempDir dir;
  if (run_shell(dir, "command -v systemd-analyze").exit_code != 0) {
    WARN("systemd-analyze is not installed (Debian package systemd): the unit files are not verified");
    return;
  }
  // Installed with its own prefix, the service's ExecStart names this tree's binary, which
  // verify requires to exist.
  auto install = run_shell(dir, "cmake --install " + std::string(ROLLCALL_BUILD_DIR) + " --prefix " +
                                    (dir / "prefix").string());
  INFO(install.out << install.err);
  REQUIRE(install.exit_code == 0);
  const auto units = dir / "prefix" / "lib" / "systemd" / "system";
  const std::string service = read_file(units / "rollcall.service");
  CHECK(has(service, "ExecStart=" + (dir / "prefix" / "bin" / "rollcall").string() + " --workspace"));
  for (const char* key : {"DynamicUser=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/rollcall",
                          "NoNewPrivileges=yes", "StateDirectory=rollcall"}) {
    CHECK(has(service, std::string("\n") + key + "\n"));
  }
  auto verify = run_shell(dir, "systemd-analyze verify --man=no " + (units / "rollcall.service").string() + " " +
                                   (units / "rollcall.timer").string());
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(verify.err.empty());  // unknown keys are only warnings: none allowed
}
