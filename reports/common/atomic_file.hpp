// Atomic file replacement for report writers: the contents go to a temporary file in the same
// folder, are flushed to disk, and are renamed over the target, so a reader (a browser, a
// spreadsheet, a CI artifact upload) sees either the old file or the complete new one.
#pragma once

#include <filesystem>
#include <string_view>

#include "scanner/core/result.hpp"

namespace rollcall::reports {

// Replaces `path` with `contents`. The folder must exist. Fails with "<path>: <what>: <errno
// text>"; the temporary file is removed on failure.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view contents);

}  // namespace rollcall::reports
