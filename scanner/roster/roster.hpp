// The HR roster: the people rollcall knows, loaded from a CSV or JSON export. It is the
// desired-state registry's source of identity: who exists, their roles and attributes, whether
// they are active. Loaded once per command, immutable afterwards; safe to share across threads.
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
  int line = 0;  // CSV: line where the record starts; JSON: 1-based index in the array
};

struct Roster {
  std::filesystem::path path;
  std::string digest;  // sha256 of the file's bytes
  bool json = false;   // people were read from JSON: where() gives a JSON pointer
  std::vector<Person> people;  // in file order

  // Lookup by email (case-insensitive, trimmed); nullptr when absent.
  const Person* find_by_email(std::string_view email) const;
  const Person* find_by_employee_id(std::string_view id) const;
  // "roster.csv:12" (or "roster.json#/people/11") for evidence and errors.
  std::string where(const Person& p) const;

  // Rebuilds the lookup indexes; called by the loader (and by tests that build rosters).
  void index();

 private:
  std::unordered_map<std::string, std::size_t> by_email_;
  std::unordered_map<std::string, std::size_t> by_employee_id_;
};

// Loads the roster described by the config. Fails with "roster.csv:LINE: ..." on malformed
// input, a missing required column, a bad status or date, or a duplicate email/employee id
// (naming both lines).
Result<Roster> load_roster(const config::RosterConfig& config);

}  // namespace rollcall::roster
