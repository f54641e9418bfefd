// The JSON export layout: {"accounts": [...], "entitlements": [...], "grants": [...]}.
#pragma once

#include <filesystem>

#include "scanner/core/record_sink.hpp"

namespace rollcall::connectors::file {

// Streams the file with SAX events from a read-only memory map: records go to the sink as
// they are parsed, so memory stays flat whatever the file size. Other top-level keys are
// ignored (exports often carry metadata such as "exported_at").
Result<void> read_json_export(const std::filesystem::path& path, RecordSink& sink);

}  // namespace rollcall::connectors::file
