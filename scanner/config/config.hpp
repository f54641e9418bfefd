// The workspace configuration, rollcall.toml: where the roster is, which systems to snapshot and
// how. Parsed once, validated strictly (unknown keys are errors with a "did you mean"), then
// handed to the rest of the program as plain structs. Every error names file:line and key.
//
// Keys are declared as data (KeySpec), so validation and documentation come from one place:
// each connector declares its own keys (see connectors/api/connector.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "scanner/core/result.hpp"

namespace rollcall::config {

enum class ValueType { string, integer, boolean, string_list, string_map };

struct KeySpec {
  std::string name;
  ValueType type = ValueType::string;
  bool required = false;
  std::string doc;           // one line, shown by `rollcall init` comments and the docs
  std::string default_text;  // for docs only; code applies defaults itself
};

using StringMap = std::map<std::string, std::string>;
using Value = std::variant<std::string, std::int64_t, bool, std::vector<std::string>, StringMap>;

// One validated TOML table: its keys conform to the specs it was checked against.
class Table {
 public:
  Table() = default;
  Table(std::string file, int line) : file_(std::move(file)), line_(line) {}

  void set(const std::string& key, Value value, int line);
  bool has(const std::string& key) const { return values_.count(key) != 0; }

  // Typed getters: nullopt when absent (the type was checked at load time).
  std::optional<std::string> string(const std::string& key) const;
  std::optional<std::int64_t> integer(const std::string& key) const;
  std::optional<bool> boolean(const std::string& key) const;
  std::optional<std::vector<std::string>> list(const std::string& key) const;
  std::optional<StringMap> map(const std::string& key) const;

  // "rollcall.toml:12" for the key (or the table header when the key is absent), for errors.
  std::string where(const std::string& key = "") const;
  const std::map<std::string, Value>& values() const { return values_; }

 private:
  std::string file_;
  int line_ = 0;
  std::map<std::string, Value> values_;
  std::map<std::string, int> lines_;
};

struct RosterConfig {
  std::string type = "csv";    // csv | json | airtable | sql
  std::filesystem::path path;  // csv, json: the export file (absolute)
  StringMap columns;           // field -> header (column, Airtable field) in the source
  Table keys;                  // every key of [roster], validated against roster_keys(type)
  std::string where;           // file:line of the [roster] header
};

struct SystemConfig {
  std::string name;
  std::string type;
  std::optional<std::int64_t> max_snapshot_age_s;
  std::int64_t timeout_s = 60;
  std::string apply_via;  // "api", "tickets", or "" (api where the connector can write)
  std::string owner;      // team owning the system's findings that no policy owner decided; ""
  Table keys;  // every key of the [[system]] table, validated against the connector's specs
  std::string where;  // file:line of the [[system]] header
};

struct WorkspaceConfig {
  std::filesystem::path dir;   // the workspace folder
  std::filesystem::path file;  // dir / "rollcall.toml"
  RosterConfig roster;
  std::vector<SystemConfig> systems;
  std::filesystem::path policies_dir;  // absolute
  std::filesystem::path reports_dir;   // absolute
  std::filesystem::path database;      // absolute
  // Optional sections, validated against their specs: [scan], [apply], [match], [run].
  std::map<std::string, Table> sections;
  // [[notify]] targets, in file order, validated against notify_keys().
  std::vector<Table> notify;

  const SystemConfig* find_system(const std::string& name) const;
};

// Returns the key specs of a connector type, or nullptr when the type is unknown.
using ConnectorKeys = std::function<const std::vector<KeySpec>*(const std::string& type)>;

// Keys every [[system]] accepts whatever its type.
const std::vector<KeySpec>& common_system_keys();
// Keys [roster] accepts for a roster type (csv, json, airtable, sql); nullptr for another type.
const std::vector<KeySpec>* roster_keys(const std::string& type);
// Keys of a [[notify]] target (scanner/notify reads them).
const std::vector<KeySpec>& notify_keys();
// Specs of the optional top-level sections, by section name.
const std::map<std::string, std::vector<KeySpec>>& section_specs();

// Reads and validates <dir>/rollcall.toml. known_types lists connector type names for the
// "unknown system type" error. Fails with "rollcall.toml:LINE: ..." naming the key.
Result<WorkspaceConfig> load_workspace(const std::filesystem::path& dir,
                                       const ConnectorKeys& connector_keys,
                                       const std::vector<std::string>& known_types);

}  // namespace rollcall::config
