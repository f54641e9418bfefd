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

// Checks the loaded people for duplicates and required values; builds indexes.
Result<void> finish(Roster& roster) {
  std::unordered_map<std::string, int> emails, ids;
  for (const Person& p : roster.people) {
    std::string where = roster.where(p);
    if (p.email.empty()) return fail(where + ": empty email");
    auto [it, fresh] = emails.emplace(email_key(p.email), p.line);
    if (!fresh) {
      return fail(where + ": duplicate email " + quote(p.email) + " (also on line " +
                  std::to_string(it->second) + ")");
    }
    if (!p.employee_id.empty()) {
      auto [jt, fresh_id] = ids.emplace(p.employee_id, p.line);
      if (!fresh_id) {
        return fail(where + ": duplicate employee_id " + quote(p.employee_id) + " (also on line " +
                    std::to_string(jt->second) + ")");
      }
    }
  }
  roster.index();
  return {};
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
  std::map<std::string, std::string> header_to_field;
  for (const auto& f : kFields) header_to_field[f] = f;
  for (const auto& [field, head] : columns) {
    if (std::find(kFields.begin(), kFields.end(), field) == kFields.end()) {
      std::string guess = closest_match(field, kFields);
      return fail("[roster.columns]: unknown roster field " + quote(field) +
                  (guess.empty() ? "" : " (did you mean " + quote(guess) + "?)"));
    }
    header_to_field.erase(field);
    header_to_field[head] = field;
  }
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
  std::map<std::string, std::string> key_to_field;
  for (const auto& f : kFields) key_to_field[f] = f;
  for (const auto& [field, key] : columns) {
    key_to_field.erase(field);  // a mapped field's default name is then a free attribute
    key_to_field[key] = field;
  }
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
      const std::string label = "field " + field_label(field);
      if ((field == "role" || field == "aliases") && value.is_array()) {
        std::vector<std::string> list;
        for (const auto& el : value) {
          if (!el.is_string()) return fail(where + ": " + label + ": every element must be a string");
          const std::string& text = el.get_ref<const std::string&>();
          if (auto ok = check_value(text, label + " element " + std::to_string(list.size() + 1)); !ok) {
            return fail(where + ": " + ok.error().message());
          }
          if (!trim(text).empty()) list.emplace_back(trim(text));
        }
        (field == "role" ? p.roles : p.aliases) = list;
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
  if (json) return path.filename().string() + "#/people/" + std::to_string(p.line - 1);
  return path.filename().string() + ":" + std::to_string(p.line);
}

Result<Roster> load_roster(const config::RosterConfig& config) {
  Roster roster;
  roster.path = config.path;
  std::ifstream in(config.path, std::ios::binary);
  if (!in) return fail("cannot read roster " + quote(config.path.string()));
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string bytes = buf.str();
  roster.digest = sha256_hex(bytes);
  roster.json = config.type == "json";
  if (roster.json) {
    RC_TRY(load_json(roster, bytes, config.columns));
  } else {
    RC_TRY(load_csv(roster, bytes, config.columns));
  }
  RC_TRY(finish(roster));
  return roster;
}

}  // namespace rollcall::roster
