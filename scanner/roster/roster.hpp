// The HR roster: the people rollcall knows, loaded from a CSV or JSON export, or built from the
// records of a registry (an Airtable table, a SQL query: read by scanner/roster_sources, which
// hands them over as SourceRecords). It is the desired-state registry's source of identity: who
// exists, their roles and attributes, whether they are active. Whatever the source, the same
// fields, the same [roster.columns] mapping, the same checks (a duplicate email names both
// records) and a digest. Loaded once per command, immutable afterwards; safe to share across
// threads.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "scanner/config/config.hpp"
#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::roster {

enum class PersonStatus { active, leave, terminated };
std::string_view to_string(PersonStatus status);

struct Person {
  std::string employee_id;
  std::string email;                 // as written in the roster
  std::vector<std::string> aliases;  // other emails or logins of the same person
  std::string name;
  std::string department;
  std::string title;
  std::vector<std::string> roles;    // the `role` column split on ';', trimmed, empties dropped
  PersonStatus status = PersonStatus::active;
  std::string manager_email;
  std::optional<UnixTime> start_date;
  std::optional<UnixTime> end_date;
  std::map<std::string, std::string> attrs;  // every other column, by header
  // Other fields whose value arrived as a list (Airtable multi-select or linked records, a JSON
  // array, a PostgreSQL array), by name; never empty lists. A name is in attrs or here, not both.
  std::map<std::string, std::vector<std::string>> list_attrs;
  int line = 0;  // CSV: line where the record starts; JSON, Airtable, SQL: 1-based position
  std::string record;  // Airtable: the record id ("rec..."); "" for the other sources
};

enum class SourceKind { csv, json, airtable, sql };

// One value of a registry record: a text, or a list.
struct FieldValue {
  std::string text;
  std::vector<std::string> list;
  bool is_list = false;
};

// One record of a registry, as read: its fields by their names in the source. Absent and NULL
// fields are left out.
struct SourceRecord {
  std::string id;  // Airtable record id; "" for SQL rows
  std::vector<std::pair<std::string, FieldValue>> fields;
};

struct Roster {
  std::filesystem::path path;  // csv, json: the file
  // Where people came from, for messages: "roster.csv", "airtable appX/People", "hr.db query";
  // "" = the path's file name.
  std::string source;
  SourceKind kind = SourceKind::csv;
  // csv, json: sha256 of the file's bytes. airtable, sql: sha256 of the records (ids, field
  // names and values), independent of the order they were read in.
  std::string digest;
  std::vector<Person> people;  // in file (or read) order

  // Lookup by email (case-insensitive, trimmed); nullptr when absent.
  const Person* find_by_email(std::string_view email) const;
  const Person* find_by_employee_id(std::string_view id) const;
  // Where the person came from, for evidence, errors and `policy explain`: "roster.csv:12",
  // "roster.json#/people/11", "airtable appX/People record recB", "hr.db query row 3".
  std::string where(const Person& p) const;

  // Rebuilds the lookup indexes; called by the loader (and by tests that build rosters).
  void index();

 private:
  std::unordered_map<std::string, std::size_t> by_email_;
  std::unordered_map<std::string, std::size_t> by_employee_id_;
};

// Loads the roster file described by the config (type csv or json). Fails with
// "roster.csv:LINE: ..." on malformed input, a missing required column, a bad status or date,
// or a duplicate email/employee id (naming both lines); and for another type (those are read by
// scanner/roster_sources).
Result<Roster> load_roster(const config::RosterConfig& config);

// Builds a roster from a registry's records (kind airtable or sql), read in full by the caller;
// `source` names the registry in messages ("airtable appX/People", "hr.db query"). Fields are
// mapped with `columns` (field -> name in the source) as for a CSV header; a list is accepted
// for role and aliases, for a free attribute (kept in list_attrs), and, when it has one
// element, for a single-valued field. Fails on the first bad record, naming it and the field:
// `airtable appX/People record recB: field "Status": status "Retired" is not active, leave or
// terminated`, `hr.db query row 3: column "email": empty email`; a duplicate email or employee
// id names both records. No roster is returned from a partly bad source.
Result<Roster> roster_from_records(SourceKind kind, std::string source, const std::vector<SourceRecord>& records,
                                   const config::StringMap& columns);

}  // namespace rollcall::roster
