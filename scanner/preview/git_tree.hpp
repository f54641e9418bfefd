// Reading a folder of files as it is at a git revision, without touching the work tree: the
// base side of `policy diff --base REF`. git runs as a subprocess with an argument vector (no
// shell), so a ref or path is never interpreted by anything but git.
#pragma once

#include <filesystem>
#include <string>

#include "scanner/core/result.hpp"

namespace rollcall::preview {

// Writes every file under `folder` (a path inside the repository that contains `folder`, which
// must exist in the work tree or at `ref`) as it is at `ref` into `dest`, keeping the paths
// relative to `workspace` (so `<workspace>/policies/a.lua` becomes `<dest>/policies/a.lua`).
// Fails with git's own message: `git show origin/main:policies/a.lua: fatal: invalid object
// name 'origin/main'`, or when `folder` is not in a git repository, or has no files at `ref`.
Result<void> export_git_folder(const std::filesystem::path& workspace, const std::filesystem::path& folder,
                               const std::string& ref, const std::filesystem::path& dest);

}  // namespace rollcall::preview
