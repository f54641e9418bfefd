// The CSV export layout: a folder with accounts.csv, grants.csv and optionally
// entitlements.csv, whose headers are the JSON layout's field names. Columns named
// `attrs.<key>` are gathered into the record's attrs object.
#pragma once

#include <filesystem>

#include "scanner/core/record_sink.hpp"

namespace rollcall::connectors::file {

// Reads the three files record by record. A missing accounts.csv or grants.csv is an error
// (an absent file must never read as "nobody has access").
Result<void> read_csv_export(const std::filesystem::path& dir, RecordSink& sink);

}  // namespace rollcall::connectors::file
