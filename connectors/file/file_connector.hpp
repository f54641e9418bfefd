// The `file` connector: reads a system's access from an export on disk, in the JSON layout of
// docs/connectors/file.md ("accounts", "entitlements", "grants") or as a folder of CSV files (accounts.csv,
// grants.csv, optional entitlements.csv) with the same column names. Large exports are
// streamed (the JSON file is memory-mapped and parsed with SAX events; CSV is read record by
// record), never loaded into a document tree.
#pragma once

#include <filesystem>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::file {

ConnectorType connector_type();

// Reads an export at `path` (a .json file or a folder of CSVs) into sink. Errors name the file
// and line ("accounts.csv:12: ...") or JSON location ("export.json: /accounts/17: ...",
// "export.json:3:15: syntax error ...").
Result<void> read_export(const std::filesystem::path& path, RecordSink& sink);

}  // namespace rollcall::connectors::file
