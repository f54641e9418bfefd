#include "scanner/config/config.hpp"

#include <toml++/toml.h>

#include <set>

#include "scanner/core/strings.hpp"
#include "scanner/core/utf8.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::config {
namespace {

std::string type_name(ValueType t) {
  switch (t) {
    case ValueType::string: return "a string";
    case ValueType::integer: return "an integer";
    case ValueType::boolean: return "true or false";
    case ValueType::string_list: return "a list of strings";
    case ValueType::string_map: return "a table of strings";
  }
  return "a value";
}

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

std::vector<std::string> names_of(const std::vector<KeySpec>& specs) {
  std::vector<std::string> out;
  for (const auto& s : specs) out.push_back(s.name);
  return out;
}

std::string unknown_key_message(const std::string& key, const std::vector<KeySpec>& specs,
                                const std::string& context) {
  std::string msg = "unknown key " + quote(key) + " in " + context;
  std::string guess = closest_match(key, names_of(specs));
  if (!guess.empty()) msg += " (did you mean " + quote(guess) + "?)";
  return msg;
}

Result<Value> convert(const toml::node& node, const KeySpec& spec, const std::string& where) {
  auto wrong = [&] {
    return fail(where + ": key " + quote(spec.name) + " must be " + type_name(spec.type));
  };
  switch (spec.type) {
    case ValueType::string:
      if (auto v = node.value<std::string>(); v && node.is_string()) return Value(*v);
      return wrong();
    case ValueType::integer:
      if (node.is_integer()) return Value(*node.value<std::int64_t>());
      return wrong();
    case ValueType::boolean:
      if (node.is_boolean()) return Value(*node.value<bool>());
      return wrong();
    case ValueType::string_list: {
      // A single string is accepted where a list is expected ("all", one database).
      if (node.is_string()) return Value(std::vector<std::string>{*node.value<std::string>()});
      const toml::array* arr = node.as_array();
      if (arr == nullptr) return wrong();
      std::vector<std::string> out;
      for (const auto& el : *arr) {
        if (!el.is_string()) return wrong();
        out.push_back(*el.value<std::string>());
      }
      return Value(std::move(out));
    }
    case ValueType::string_map: {
      const toml::table* t = node.as_table();
      if (t == nullptr) return wrong();
      StringMap out;
      for (const auto& [k, v] : *t) {
        if (!v.is_string()) return wrong();
        out[std::string(k.str())] = *v.value<std::string>();
      }
      return Value(std::move(out));
    }
  }
  return wrong();
}

// Validates every key of `tbl` against `specs` into a Table; required keys must be present.
Result<Table> read_table(const toml::table& tbl, const std::vector<KeySpec>& specs,
                         const std::string& file, const std::string& context) {
  Table out(file, line_of(tbl));
  for (const auto& [k, node] : tbl) {
    std::string key(k.str());
    std::string where = file + ":" + std::to_string(line_of(node));
    const KeySpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == key) spec = &s;
    }
    if (spec == nullptr) return fail(where + ": " + unknown_key_message(key, specs, context));
    RC_ASSIGN(Value v, convert(node, *spec, where));
    out.set(key, std::move(v), line_of(node));
  }
  for (const auto& s : specs) {
    if (s.required && !out.has(s.name)) {
      return fail(out.where() + ": " + context + " is missing required key " + quote(s.name));
    }
  }
  return out;
}

std::vector<KeySpec> concat(const std::vector<KeySpec>& a, const std::vector<KeySpec>& b) {
  std::vector<KeySpec> out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

const std::vector<KeySpec>& workspace_keys() {
  static const std::vector<KeySpec> k = {
      {"policies", ValueType::string, false, "folder of Lua policy files", "policies"},
      {"reports", ValueType::string, false, "folder for scan reports", "reports"},
      {"database", ValueType::string, false, "SQLite database file", "rollcall.db"},
  };
  return k;
}

// How messages name a file: relative to the current folder when it is inside it
// ("rollcall.toml:15", "ws/rollcall.toml:15"), else absolute; never with "." or ".." steps.
std::string display_path(const std::filesystem::path& absolute) {
  std::error_code ec;
  const std::filesystem::path cwd = std::filesystem::current_path(ec);
  if (ec) return absolute.string();
  const std::filesystem::path rel = absolute.lexically_relative(cwd);
  if (rel.empty() || *rel.begin() == "..") return absolute.string();
  return rel.string();
}

std::filesystem::path resolve(const std::filesystem::path& dir, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() ? path : dir / path;
}

// [roster]: its type first, then every key against that type's specs.
Result<RosterConfig> read_roster(const toml::table& t, const std::filesystem::path& dir, const std::string& file) {
  RosterConfig out;
  if (auto type = t["type"]; type.is_string()) out.type = *type.value<std::string>();
  const std::vector<KeySpec>* specs = roster_keys(out.type);
  if (specs == nullptr) {
    return fail(file + ":" + std::to_string(line_of(*t["type"].node())) + ": roster type " + quote(out.type) +
                " is not supported (expected csv, json, airtable or sql)");
  }
  RC_ASSIGN(Table r, read_table(t, *specs, file, "[roster]"));
  if (out.type == "csv" || out.type == "json") out.path = resolve(dir, *r.string("path"));
  if (out.type == "sql" && r.has("sqlite") == r.has("dsn")) {
    return fail(r.where(r.has("dsn") ? "dsn" : "") +
                ": [roster] type \"sql\" needs exactly one of sqlite (a SQLite file) or dsn (PostgreSQL)");
  }
  if (out.type == "sql" && r.has("sqlite") && (r.has("password_env") || r.has("password_file"))) {
    return fail(r.where(r.has("password_env") ? "password_env" : "password_file") +
                ": a SQLite roster has no password (password_env and password_file are for dsn)");
  }
  out.columns = r.map("columns").value_or(StringMap{});
  out.where = r.where();
  out.keys = std::move(r);
  return out;
}

}  // namespace

void Table::set(const std::string& key, Value value, int line) {
  values_[key] = std::move(value);
  lines_[key] = line;
}

std::optional<std::string> Table::string(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  if (auto* v = std::get_if<std::string>(&it->second)) return *v;
  return std::nullopt;
}

std::optional<std::int64_t> Table::integer(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  if (auto* v = std::get_if<std::int64_t>(&it->second)) return *v;
  return std::nullopt;
}

std::optional<bool> Table::boolean(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  if (auto* v = std::get_if<bool>(&it->second)) return *v;
  return std::nullopt;
}

std::optional<std::vector<std::string>> Table::list(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  if (auto* v = std::get_if<std::vector<std::string>>(&it->second)) return *v;
  return std::nullopt;
}

std::optional<StringMap> Table::map(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  if (auto* v = std::get_if<StringMap>(&it->second)) return *v;
  return std::nullopt;
}

std::string Table::where(const std::string& key) const {
  auto it = lines_.find(key);
  return file_ + ":" + std::to_string(it == lines_.end() ? line_ : it->second);
}

const SystemConfig* WorkspaceConfig::find_system(const std::string& name) const {
  for (const auto& s : systems) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const std::vector<KeySpec>& common_system_keys() {
  static const std::vector<KeySpec> k = {
      {"name", ValueType::string, true, "unique name of this system in the workspace", ""},
      {"type", ValueType::string, true, "connector type", ""},
      {"max_snapshot_age", ValueType::string, false,
       "a snapshot older than this makes the system incomplete (e.g. \"26h\")", ""},
      {"timeout", ValueType::string, false, "time limit for one request or query to the system (e.g. \"30s\")",
       "60s"},
      {"apply_via", ValueType::string, false,
       "how `rollcall apply` carries out changes: \"api\" (the connector's write side) or \"tickets\"",
       "\"api\" where the connector can write, else \"tickets\""},
      {"owner", ValueType::string, false,
       "the team its findings are routed to when no policy owner decided them (e.g. \"team-platform\")", ""},
      {"identity_from", ValueType::string_map, false,
       "match accounts to people through an identity provider's app assignment: { system = \"okta\", "
       "app = \"GitHub Enterprise\" } (the app's username of each assigned user)",
       ""},
  };
  return k;
}

const std::vector<KeySpec>* roster_keys(const std::string& type) {
  static const std::vector<KeySpec> common = {
      {"type", ValueType::string, false, "where the roster comes from: csv, json, airtable or sql", "csv"},
      {"columns", ValueType::string_map, false, "field = \"header, Airtable field or SQL column in the source\"",
       ""},
  };
  static const std::vector<KeySpec> file = concat(
      common, {{"path", ValueType::string, true, "roster file, relative to the workspace", ""}});
  static const std::vector<KeySpec> airtable = concat(
      common,
      {{"base", ValueType::string, true, "Airtable base id (\"appXXXXXXXXXXXXXX\")", ""},
       {"table", ValueType::string, true, "table name or id (\"tblXXXXXXXXXXXXXX\")", ""},
       {"view", ValueType::string, false, "view name or id: only its records, in its order", "every record"},
       {"fields", ValueType::string_list, false, "read only these fields (Airtable's fields[] parameter)",
        "every field"},
       {"token_env", ValueType::string, false,
        "environment variable holding the Airtable personal access token (scope data.records:read)", ""},
       {"token_file", ValueType::string, false,
        "file holding the Airtable personal access token, relative to the workspace", ""},
       {"base_url", ValueType::string, false, "Airtable API root", "\"https://api.airtable.com\""},
       {"timeout", ValueType::string, false, "time limit for one request (e.g. \"30s\")", "60s"},
       {"ca_file", ValueType::string, false,
        "PEM bundle of certificate authorities to trust instead of the system's", ""},
       {"max_retry_wait", ValueType::string, false,
        "longest total wait for the retries of one request, rate-limit waits included", "\"5m\""}});
  static const std::vector<KeySpec> sql = concat(
      common,
      {{"query", ValueType::string, true, "SELECT whose result columns are the roster fields", ""},
       {"sqlite", ValueType::string, false, "SQLite file, relative to the workspace, opened read-only", ""},
       {"dsn", ValueType::string, false,
        "PostgreSQL: libpq connection string or URI, without the password (as the postgres connector)", ""},
       {"password_env", ValueType::string, false, "environment variable holding the database password", ""},
       {"password_file", ValueType::string, false,
        "file holding the database password, relative to the workspace", ""},
       {"timeout", ValueType::string, false, "time limit for connecting and for the query (e.g. \"30s\")",
        "60s"}});
  if (type == "csv" || type == "json") return &file;
  if (type == "airtable") return &airtable;
  if (type == "sql") return &sql;
  return nullptr;
}

const std::map<std::string, std::vector<KeySpec>>& section_specs() {
  static const std::map<std::string, std::vector<KeySpec>> k = {
      {"scan",
       {{"fail_on", ValueType::string, false, "default --fail-on severity", ""},
        {"formats", ValueType::string_list, false, "default report formats", "[\"json\",\"html\",\"csv\"]"}}},
      {"match",
       {{"mapping", ValueType::string, false,
         "CSV file of explicit account -> person mappings (system,account,email)", ""}}},
      {"apply",
       {{"max_destructive", ValueType::integer, false,
         "refuse a plan with more destructive actions than this", "25"},
        {"max_destructive_share", ValueType::string, false,
         "refuse when a system would lose more than this share of accounts (e.g. \"10%\")", "10%"}}},
      {"run",
       {{"self_heal", ValueType::boolean, false,
         "`rollcall run` also applies the additive actions of its plan (grant, create/enable account)", "false"},
        {"fail_on_notify_error", ValueType::boolean, false,
         "a notification that cannot be delivered makes `rollcall run` exit 1", "false"}}},
  };
  return k;
}

const std::vector<KeySpec>& notify_keys() {
  static const std::vector<KeySpec> k = {
      {"name", ValueType::string, true, "the target's name, for messages", ""},
      {"type", ValueType::string, true, "webhook (JSON, HMAC-signed) or slack (incoming webhook)", ""},
      {"url", ValueType::string, false, "where to POST (or url_env/url_file/url_credential: a Slack URL is a secret)", ""},
      {"url_env", ValueType::string, false, "environment variable holding the URL", ""},
      {"url_file", ValueType::string, false, "file holding the URL, relative to the workspace", ""},
      {"url_credential", ValueType::string, false, "systemd credential holding the URL", ""},
      {"secret_env", ValueType::string, false, "webhook: environment variable holding the HMAC-SHA256 key", ""},
      {"secret_file", ValueType::string, false, "webhook: file holding the HMAC-SHA256 key", ""},
      {"secret_credential", ValueType::string, false, "webhook: systemd credential holding the HMAC-SHA256 key", ""},
      {"min_severity", ValueType::string, false, "notify about new findings at or above this severity", "high"},
      {"repeat", ValueType::boolean, false, "also notify about findings already open in the scan before", "false"},
      {"timeout", ValueType::string, false, "one request, connect to last byte", "10s"},
      {"ca_file", ValueType::string, false, "PEM bundle to verify the receiver's TLS certificate", ""},
  };
  return k;
}

Result<WorkspaceConfig> load_workspace(const std::filesystem::path& dir,
                                       const ConnectorKeys& connector_keys,
                                       const std::vector<std::string>& known_types) {
  WorkspaceConfig cfg;
  std::error_code ec;
  cfg.dir = std::filesystem::absolute(dir, ec).lexically_normal();
  if (cfg.dir.has_parent_path() && !cfg.dir.has_filename()) cfg.dir = cfg.dir.parent_path();  // "ws/." -> "ws"
  cfg.file = cfg.dir / "rollcall.toml";
  const std::string file = display_path(cfg.file);
  if (!std::filesystem::exists(cfg.file, ec)) {
    return fail(file + ": not found (is " + quote(dir.string()) +
                " a rollcall workspace? `rollcall init` creates one)");
  }
  if (std::filesystem::is_directory(cfg.file, ec)) return fail(file + ": is a folder, not a file");
  if (!std::filesystem::is_regular_file(cfg.file, ec)) return fail(file + ": is not a regular file");
  toml::table root;
  try {
    root = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    // toml++ refuses ill-formed UTF-8 itself (the text rule, docs/security.md); its message
    // may echo the bad bytes, which are escaped here.
    return fail(file + ":" + std::to_string(e.source().begin.line) + ": " +
                escape_invalid_utf8(e.description()));
  }

  std::vector<KeySpec> top = workspace_keys();
  for (const auto& [name, _] : section_specs()) top.push_back({name, ValueType::string_map});
  top.push_back({"roster", ValueType::string_map});
  top.push_back({"system", ValueType::string_list});
  top.push_back({"notify", ValueType::string_list});

  Table ws(file, 1);
  for (const auto& [k, node] : root) {
    std::string key(k.str());
    std::string where = file + ":" + std::to_string(line_of(node));
    if (key == "roster") {
      const toml::table* t = node.as_table();
      if (t == nullptr) return fail(where + ": [roster] must be a table");
      RC_ASSIGN(cfg.roster, read_roster(*t, cfg.dir, file));
    } else if (key == "system") {
      const toml::array* arr = node.as_array();
      if (arr == nullptr || !arr->is_array_of_tables()) {
        return fail(where + ": \"system\" must be written as [[system]] tables");
      }
      for (const auto& el : *arr) {
        const toml::table& t = *el.as_table();
        std::string hwhere = file + ":" + std::to_string(line_of(t));
        auto type_node = t["type"];
        if (!type_node.is_string()) return fail(hwhere + ": [[system]] is missing required key \"type\"");
        std::string type = *type_node.value<std::string>();
        const std::vector<KeySpec>* specs = connector_keys(type);
        if (specs == nullptr) {
          std::string msg = file + ":" + std::to_string(line_of(*type_node.node())) +
                            ": unknown system type " + quote(type) + " (known: " +
                            join(known_types, ", ") + ")";
          return fail(msg);
        }
        auto name_node = t["name"];
        std::string context = name_node.is_string()
                                  ? "system " + quote(*name_node.value<std::string>())
                                  : "[[system]]";
        RC_ASSIGN(Table keys, read_table(t, concat(common_system_keys(), *specs), file, context));
        SystemConfig sys;
        sys.name = *keys.string("name");
        sys.type = type;
        sys.where = hwhere;
        if (auto age = keys.string("max_snapshot_age")) {
          auto d = parse_duration(*age);
          if (!d) return fail(keys.where("max_snapshot_age") + ": " + d.error().message());
          sys.max_snapshot_age_s = *d;
        }
        if (auto to = keys.string("timeout")) {
          auto d = parse_duration(*to);
          if (!d) return fail(keys.where("timeout") + ": " + d.error().message());
          sys.timeout_s = *d;
        }
        if (auto owner = keys.string("owner")) sys.owner = *owner;
        if (auto link = keys.map("identity_from")) {
          for (const auto& [k, v] : *link) {
            if (k != "system" && k != "app") {
              return fail(keys.where("identity_from") + ": identity_from has keys system and app, not " + quote(k));
            }
          }
          if (!link->count("system") || !link->count("app") || link->at("system").empty() || link->at("app").empty()) {
            return fail(keys.where("identity_from") +
                        ": identity_from needs system and app, e.g. { system = \"okta\", app = \"GitHub Enterprise\" }");
          }
        }
        if (auto via = keys.string("apply_via")) {
          if (*via != "api" && *via != "tickets") {
            return fail(keys.where("apply_via") + ": apply_via must be \"api\" or \"tickets\", not " + quote(*via));
          }
          sys.apply_via = *via;
        }
        if (const SystemConfig* prev = cfg.find_system(sys.name)) {
          return fail(keys.where("name") + ": system name " + quote(sys.name) +
                      " is already used at " + prev->where);
        }
        sys.keys = std::move(keys);
        cfg.systems.push_back(std::move(sys));
      }
    } else if (key == "notify") {
      const toml::array* arr = node.as_array();
      if (arr == nullptr || !arr->is_array_of_tables()) {
        return fail(where + ": \"notify\" must be written as [[notify]] tables");
      }
      for (const auto& el : *arr) {
        RC_ASSIGN(Table t, read_table(*el.as_table(), notify_keys(), file, "[[notify]]"));
        for (const auto& prev : cfg.notify) {
          if (prev.string("name") == t.string("name")) {
            return fail(t.where("name") + ": notify target " + quote(*t.string("name")) + " is already defined at " +
                        prev.where());
          }
        }
        cfg.notify.push_back(std::move(t));
      }
    } else if (section_specs().count(key)) {
      const toml::table* t = node.as_table();
      if (t == nullptr) return fail(where + ": [" + key + "] must be a table");
      RC_ASSIGN(Table s, read_table(*t, section_specs().at(key), file, "[" + key + "]"));
      cfg.sections[key] = std::move(s);
    } else {
      const KeySpec* spec = nullptr;
      for (const auto& s : workspace_keys()) {
        if (s.name == key) spec = &s;
      }
      if (spec == nullptr) return fail(where + ": " + unknown_key_message(key, top, "rollcall.toml"));
      RC_ASSIGN(Value v, convert(node, *spec, where));
      ws.set(key, std::move(v), line_of(node));
    }
  }
  if (cfg.roster.where.empty()) return fail(file + ": missing [roster] section (where the HR roster comes from)");
  cfg.policies_dir = resolve(cfg.dir, ws.string("policies").value_or("policies"));
  cfg.reports_dir = resolve(cfg.dir, ws.string("reports").value_or("reports"));
  cfg.database = resolve(cfg.dir, ws.string("database").value_or("rollcall.db"));
  for (const auto& sys : cfg.systems) {
    auto link = sys.keys.map("identity_from");
    if (!link) continue;
    const std::string& idp = link->at("system");
    if (idp == sys.name || cfg.find_system(idp) == nullptr) {
      return fail(sys.keys.where("identity_from") + ": identity_from names system " + quote(idp) +
                  (idp == sys.name ? ", which is this system" : ", which is not configured"));
    }
  }
  return cfg;
}

}  // namespace rollcall::config
