#include "connectors/file/export_csv.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "connectors/file/export_fields.hpp"
#include "scanner/core/csv.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/core/utf8.hpp"

namespace rollcall::connectors::file {
namespace {

// The deepest nesting of arrays and objects in a JSON text (brackets inside strings skipped).
// An "attrs" cell is checked before nlohmann parses it: nlohmann copies and writes values
// recursively, so a cell of 10,000 '[' overflowed the stack.
std::size_t json_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// The same bound as the JSON export's walker (json_stream.hpp).
constexpr std::size_t kMaxAttrsDepth = 256;

// `grant_lines` receives the line of each grant emitted (grants.csv), for sink.finish().
Result<void> read_one(const std::filesystem::path& path, Section section, RecordSink& sink,
                      std::vector<std::uint32_t>* grant_lines = nullptr) {
  const std::string name = path.filename().string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot read " + quote(path.string()));
  CsvReader reader(in);
  std::vector<std::string> header, row;
  auto got = reader.next(header);
  if (!got) return fail(name + ":" + got.error().message());
  if (!*got) return fail(name + ": empty file (no header line)");

  constexpr std::string_view kAttrPrefix = "attrs.";
  std::vector<bool> is_attr(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (auto ok = check_utf8(header[i], "column " + std::to_string(i + 1) + "'s name"); !ok) {
      return fail(name + ":" + std::to_string(reader.line()) + ": " + ok.error().message());
    }
    header[i] = std::string(trim(header[i]));
    is_attr[i] = starts_with(header[i], kAttrPrefix);
  }
  PendingRecord record;
  while (true) {
    got = reader.next(row);
    if (!got) return fail(name + ":" + got.error().message());
    if (!*got) break;
    const std::string where = name + ":" + std::to_string(reader.line());
    if (row.size() != header.size()) {
      return fail(where + ": expected " + std::to_string(header.size()) + " fields, found " +
                  std::to_string(row.size()));
    }
    reset(record);
    nlohmann::json attrs;
    for (std::size_t i = 0; i < row.size(); ++i) {
      // The text rule (docs/security.md): refused, naming file, line and column.
      if (auto ok = check_utf8(row[i], "field " + quote(header[i])); !ok) return fail(where + ": " + ok.error().message());
      if (is_attr[i]) {
        if (!row[i].empty()) attrs[header[i].substr(kAttrPrefix.size())] = row[i];
        continue;
      }
      if (header[i] == "attrs" && !row[i].empty()) {
        if (json_depth(row[i]) > kMaxAttrsDepth) {
          return fail(where + ": field \"attrs\" nests deeper than " + std::to_string(kMaxAttrsDepth) + " levels");
        }
        auto parsed = nlohmann::json::parse(row[i], nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object()) {
          return fail(where + ": field \"attrs\" must be a JSON object");
        }
        attrs.update(parsed);
        continue;
      }
      auto r = set_field(section, record, header[i], row[i]);
      if (!r) return fail(where + ": " + r.error().message());
    }
    if (!attrs.is_null()) {
      auto r = set_field(section, record, "attrs", attrs.dump());
      if (!r) return fail(where + ": " + r.error().message());
    }
    auto r = check_required(section, record);
    if (r) r = emit(section, record, sink);
    if (!r) return fail(where + ": " + r.error().message());
    if (grant_lines != nullptr) grant_lines->push_back(static_cast<std::uint32_t>(reader.line()));
  }
  return {};
}

}  // namespace

Result<void> read_csv_export(const std::filesystem::path& dir, RecordSink& sink) {
  std::error_code ec;
  for (const char* required : {"accounts.csv", "grants.csv"}) {
    if (!std::filesystem::exists(dir / required, ec)) {
      return fail("export folder " + quote(dir.string()) + " has no " + required);
    }
  }
  RC_TRY(read_one(dir / "accounts.csv", Section::accounts, sink));
  if (std::filesystem::exists(dir / "entitlements.csv", ec)) {
    RC_TRY(read_one(dir / "entitlements.csv", Section::entitlements, sink));
  }
  // 4 bytes a grant, so that whole-export errors (an unknown account, two levels) name the line.
  std::vector<std::uint32_t> lines;
  RC_TRY(read_one(dir / "grants.csv", Section::grants, sink, &lines));
  if (std::filesystem::exists(dir / "credentials.csv", ec)) {
    RC_TRY(read_one(dir / "credentials.csv", Section::credentials, sink));
  }
  return sink.finish([&](std::uint64_t n) {
    return "grants.csv:" + (n < lines.size() ? std::to_string(lines[n]) : "?");
  });
}

}  // namespace rollcall::connectors::file
