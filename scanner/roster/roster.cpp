#include "scanner/roster/roster.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "scanner/core/csv.hpp"
#include "scanner/core/digest.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/core/utf8.hpp"

namespace rollcall::roster {
namespace {

// The roster fields rollcall understands, in their default header names.
const std::vector<std::string> kFields = {"employee_id", "email", "aliases", "name", "department",
                                          "title", "role", "status", "manager_email",
                                          "start_date", "end_date"};

std::string email_key(std::string_view email) { return to_lower(trim(email)); }

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  for (auto& part : split(s, ';')) {
    std::string_view t = trim(part);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

Result<PersonStatus> parse_status(std::string_view text) {
  std::string s = to_lower(trim(text));
  if (s.empty() || s == "active") return PersonStatus::active;
  if (s == "leave" || s == "on leave" || s == "on_leave") return PersonStatus::leave;
  if (s == "terminated") return PersonStatus::terminated;
  return fail("status " + quote(text) + " is not active, leave or terminated");
}

// The longest value one roster field may hold: far above any real name or role list, far below
// what would strain the policy engine's memory budget.
constexpr std::size_t kMaxFieldBytes = CsvReader::kDefaultMaxField;

std::string field_label(const std::string& field) {
  return quote(starts_with(field, "attr:") ? field.substr(5) : field);
}

// The rules every roster value obeys, whatever its source: valid UTF-8 (docs/security.md) and
// a bounded size. `label` names the value: `field "name"`.
Result<void> check_value(std::string_view raw, const std::string& label) {
  if (raw.size() > kMaxFieldBytes) {
    return fail(label + " is longer than " + std::to_string(kMaxFieldBytes) + " bytes (the limit for one value)");
  }
  return check_utf8(raw, label);
}

// Sets one roster field on a person from its text value; unknown fields become attributes.
// Every source (CSV, JSON, and any other) goes through here, so check_value() runs for all.
Result<void> set_field(Person& p, const std::string& field, const std::string& raw) {
  RC_TRY(check_value(raw, "field " + field_label(field)));
  std::string value(trim(raw));
  if (field == "employee_id") p.employee_id = value;
  else if (field == "email") p.email = value;
  else if (field == "aliases") p.aliases = split_list(value);
  else if (field == "name") p.name = value;
  else if (field == "department") p.department = value;
  else if (field == "title") p.title = value;
  else if (field == "role") p.roles = split_list(value);
  else if (field == "status") { RC_ASSIGN(p.status, parse_status(value)); }
  else if (field == "manager_email") p.manager_email = value;
  else if (field == "start_date" || field == "end_date") {
    if (value.empty()) return {};
    auto t = parse_iso8601(value);
    if (!t) return fail(field + ": " + t.error().message());
    (field == "start_date" ? p.start_date : p.end_date) = *t;
  } else {
    p.attrs[starts_with(field, "attr:") ? field.substr(5) : field] = value;
  }
  return {};
}

// How a duplicate's message names the earlier record: "on line 2", "record recA", "row 2".
std::string earlier(const Roster& roster, const Person& p) {
  switch (roster.kind) {
    case SourceKind::airtable: return "record " + p.record;
    case SourceKind::sql: return "row " + std::to_string(p.line);
    case SourceKind::csv:
    case SourceKind::json: break;
  }
  return "on line " + std::to_string(p.line);
}

// Sets one roster field from a list value: role and aliases take it as it is, a free attribute
// keeps it as a list, a single-valued field takes its only element.
Result<void> set_list(Person& p, const std::string& field, std::vector<std::string> raw) {
  std::vector<std::string> list;
  for (auto& v : raw) {
    std::string_view t = trim(v);
    if (!t.empty()) list.emplace_back(t);
  }
  if (field == "role") p.roles = std::move(list);
  else if (field == "aliases") p.aliases = std::move(list);
  else if (starts_with(field, "attr:") || std::find(kFields.begin(), kFields.end(), field) == kFields.end()) {
    std::string name = starts_with(field, "attr:") ? field.substr(5) : field;
    if (!list.empty()) p.list_attrs[name] = std::move(list);
  } else if (list.size() > 1) {
    return fail("a list of " + std::to_string(list.size()) + " values, where the roster field " + quote(field) +
                " takes one");
  } else {
    return set_field(p, field, list.empty() ? "" : list.front());
  }
  return {};
}

// Checks the loaded people for duplicates and required values; builds indexes.
Result<void> finish(Roster& roster) {
  std::unordered_map<std::string, const Person*> emails, ids;
  for (const Person& p : roster.people) {
    std::string where = roster.where(p);
    if (p.email.empty()) return fail(where + ": empty email");
    auto [it, fresh] = emails.emplace(email_key(p.email), &p);
    if (!fresh) {
      return fail(where + ": duplicate email " + quote(p.email) + " (also " + earlier(roster, *it->second) + ")");
    }
    if (!p.employee_id.empty()) {
      auto [jt, fresh_id] = ids.emplace(p.employee_id, &p);
      if (!fresh_id) {
        return fail(where + ": duplicate employee_id " + quote(p.employee_id) + " (also " +
                    earlier(roster, *jt->second) + ")");
      }
    }
  }
  roster.index();
  return {};
}

// Each roster field's name in the source: the default names, overridden by [roster.columns].
// Once mapped elsewhere, a field's default name is a free attribute.
Result<std::map<std::string, std::string>> name_to_field(const config::StringMap& columns) {
  std::map<std::string, std::string> out;
  for (const auto& f : kFields) out[f] = f;
  for (const auto& [field, name] : columns) {
    if (std::find(kFields.begin(), kFields.end(), field) == kFields.end()) {
      std::string guess = closest_match(field, kFields);
      return fail("[roster.columns]: unknown roster field " + quote(field) +
                  (guess.empty() ? "" : " (did you mean " + quote(guess) + "?)"));
    }
    out.erase(field);
    out[name] = field;
  }
  return out;
}

Result<void> load_csv(Roster& roster, const std::string& bytes, const config::StringMap& columns) {
  std::istringstream in(bytes);
  CsvReader reader(in);
  std::vector<std::string> header;
  const std::string file = roster.path.filename().string();
  auto header_read = reader.next(header);
  if (!header_read) return fail(file + ":" + header_read.error().message());
  if (!*header_read) return fail(file + ": empty roster (no header line)");

  // Map each column index to the roster field it carries.
  RC_ASSIGN(auto header_to_field, name_to_field(columns));
  std::vector<std::string> col_field;
  std::set<std::string> present;
  for (auto& h : header) {
    if (auto ok = check_utf8(h, "a column name"); !ok) {
      return fail(file + ":" + std::to_string(reader.line()) + ": " + ok.error().message());
    }
    std::string head(trim(h));
    auto it = header_to_field.find(head);
    std::string field = it != header_to_field.end() ? it->second : "attr:" + head;
    if (!present.insert(field).second) {
      return fail(file + ":" + std::to_string(reader.line()) + ": column " + quote(head) +
                  " appears twice");
    }
    col_field.push_back(field);
  }
  if (!present.count("email")) {
    std::string head = columns.count("email") ? columns.at("email") : "email";
    return fail(file + ":" + std::to_string(reader.line()) + ": missing required column " + quote(head));
  }

  std::vector<std::string> fields;
  while (true) {
    auto more = reader.next(fields);
    if (!more) return fail(file + ":" + more.error().message());
    if (!*more) break;
    Person p;
    p.line = reader.line();
    if (fields.size() != col_field.size()) {
      return fail(file + ":" + std::to_string(p.line) + ": expected " +
                  std::to_string(col_field.size()) + " fields, found " + std::to_string(fields.size()));
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      auto r = set_field(p, col_field[i], fields[i]);
      if (!r) return fail(file + ":" + std::to_string(p.line) + ": " + r.error().message());
    }
    roster.people.push_back(std::move(p));
  }
  return {};
}

// The text of a JSON roster value: strings as they are, integers and booleans written out,
// null as "". Arrays, objects and non-integral numbers are refused (an email given as a list
// must not become the text ["a@acme.com"]).
Result<std::string> json_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return std::string();
  if (v.is_number_integer() || v.is_boolean()) return v.dump();
  const char* what = v.is_array() ? "an array" : v.is_object() ? "an object" : "a fractional number";
  return fail(std::string("must be a string, found ") + what);
}

Result<void> load_json(Roster& roster, const std::string& bytes, const config::StringMap& columns) {
  const std::string file = roster.path.filename().string();
  nlohmann::json doc = nlohmann::json::parse(bytes, nullptr, false);
  if (doc.is_discarded()) {
    // Parse again with exceptions only to get the position for the message.
    // Any nlohmann exception, not only parse_error: a number too large for a double (1e999)
    // is an out_of_range error.
    try {
      auto again = nlohmann::json::parse(bytes);
      (void)again;
    } catch (const nlohmann::json::exception& e) {
      std::string what = e.what();
      auto pos = what.find("parse error");
      if (pos == std::string::npos) pos = what.find("] ");
      if (pos != std::string::npos && what[pos] == ']') pos += 2;
      return fail(file + ": " + escape_invalid_utf8(pos == std::string::npos ? what : what.substr(pos)));
    }
    return fail(file + ": invalid JSON");
  }
  const nlohmann::json* people = &doc;
  if (doc.is_object() && doc.contains("people")) people = &doc["people"];
  if (!people->is_array()) return fail(file + ": expected an array of people (or {\"people\": [...]})");
  RC_ASSIGN(auto key_to_field, name_to_field(columns));
  int index = 0;
  for (const auto& row : *people) {
    ++index;
    std::string where = file + "#/people/" + std::to_string(index - 1);
    if (!row.is_object()) return fail(where + ": expected an object");
    Person p;
    p.line = index;
    for (const auto& [key, value] : row.items()) {
      auto it = key_to_field.find(key);
      std::string field = it != key_to_field.end() ? it->second : "attr:" + key;
      if (value.is_array()) {
        std::vector<std::string> list;
        for (const auto& el : value) list.push_back(json_text(el));
        auto r = set_list(p, field, std::move(list));
        if (!r) return fail(where + ": " + quote(key) + ": " + r.error().message());
        continue;
      }
      auto text = json_text(value);
      if (!text) return fail(where + ": " + label + " " + text.error().message());
      auto r = set_field(p, field, *text);
      if (!r) return fail(where + ": " + r.error().message());
    }
    roster.people.push_back(std::move(p));
  }
  return {};
}

}  // namespace

std::string_view to_string(PersonStatus status) {
  switch (status) {
    case PersonStatus::active: return "active";
    case PersonStatus::leave: return "leave";
    case PersonStatus::terminated: return "terminated";
  }
  return "active";
}

void Roster::index() {
  by_email_.clear();
  by_employee_id_.clear();
  for (std::size_t i = 0; i < people.size(); ++i) {
    by_email_.emplace(email_key(people[i].email), i);
    if (!people[i].employee_id.empty()) by_employee_id_.emplace(people[i].employee_id, i);
  }
}

const Person* Roster::find_by_email(std::string_view email) const {
  auto it = by_email_.find(email_key(email));
  return it == by_email_.end() ? nullptr : &people[it->second];
}

const Person* Roster::find_by_employee_id(std::string_view id) const {
  auto it = by_employee_id_.find(std::string(trim(id)));
  return it == by_employee_id_.end() ? nullptr : &people[it->second];
}

std::string Roster::where(const Person& p) const {
  const std::string source = this->source.empty() ? path.filename().string() : this->source;
  switch (kind) {
    case SourceKind::json: return source + "#/people/" + std::to_string(p.line - 1);
    case SourceKind::airtable: return source + " record " + p.record;
    case SourceKind::sql: return source + " row " + std::to_string(p.line);
    case SourceKind::csv: break;
  }
  return source + ":" + std::to_string(p.line);
}

Result<Roster> load_roster(const config::RosterConfig& config) {
  if (config.type != "csv" && config.type != "json") {
    return fail(config.where + ": a roster of type " + quote(config.type) +
                " is read through scanner/roster_sources, not from a file");
  }
  Roster roster;
  roster.path = config.path;
  roster.source = config.path.filename().string();
  std::ifstream in(config.path, std::ios::binary);
  if (!in) return fail("cannot read roster " + quote(config.path.string()));
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string bytes = buf.str();
  roster.digest = sha256_hex(bytes);
  roster.kind = config.type == "json" ? SourceKind::json : SourceKind::csv;
  if (roster.kind == SourceKind::json) {
    RC_TRY(load_json(roster, bytes, config.columns));
  } else {
    RC_TRY(load_csv(roster, bytes, config.columns));
  }
  RC_TRY(finish(roster));
  return roster;
}

Result<Roster> roster_from_records(SourceKind kind, std::string source, const std::vector<SourceRecord>& records,
                                   const config::StringMap& columns) {
  Roster roster;
  roster.kind = kind;
  roster.source = std::move(source);
  RC_ASSIGN(auto field_of, name_to_field(columns));
  const std::string word = kind == SourceKind::sql ? "column " : "field ";
  // The digest: each record's canonical bytes (id, then fields sorted by name, every part
  // length-prefixed), the records sorted, hashed in turn.
  std::vector<std::string> canonical;
  canonical.reserve(records.size());
  for (const SourceRecord& rec : records) {
    Person p;
    p.line = static_cast<int>(roster.people.size()) + 1;
    p.record = rec.id;
    const std::string where = roster.where(p);
    std::vector<const std::pair<std::string, FieldValue>*> sorted;
    std::set<std::string> seen;
    for (const auto& named : rec.fields) {
      const auto& [name, value] = named;
      if (!seen.insert(name).second) return fail(where + ": " + word + quote(name) + " appears twice");
      sorted.push_back(&named);
      auto it = field_of.find(name);
      std::string field = it != field_of.end() ? it->second : "attr:" + name;
      auto r = value.is_list ? set_list(p, field, value.list) : set_field(p, field, value.text);
      if (!r) return fail(where + ": " + word + quote(name) + ": " + r.error().message());
    }
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
    std::string bytes;
    auto add = [&bytes](std::string_view part) {
      bytes += std::to_string(part.size());
      bytes += ':';
      bytes += part;
    };
    add(rec.id);
    for (const auto* named : sorted) {
      add(named->first);
      if (named->second.is_list) {
        bytes += "L" + std::to_string(named->second.list.size());
        for (const auto& v : named->second.list) add(v);
      } else {
        bytes += 'T';
        add(named->second.text);
      }
    }
    canonical.push_back(std::move(bytes));
    roster.people.push_back(std::move(p));
  }
  std::sort(canonical.begin(), canonical.end());
  Sha256 sha;
  for (const auto& c : canonical) {
    sha.update(std::to_string(c.size()) + ":");
    sha.update(c);
  }
  roster.digest = sha.hex();
  RC_TRY(finish(roster));
  return roster;
}

}  // namespace rollcall::roster
