// How the ldap connector turns a directory into accounts, entitlements and grants, through the
// Directory seam (so the rules are tested with an in-memory directory):
//  - accounts: the entries under user_base matching user_filter; id = DN, login/email/name/
//    employee id/last login/created from the configured attributes; kind service when the entry
//    also matches service_filter; status disabled per is_disabled() (ldap_values.hpp).
//  - entitlements: group:<name> for every entry under group_base matching group_filter (name =
//    the group_name attribute, cn by default; two groups with one name are an error).
//  - grants: group:<name> for each group an account is a member of, through member or
//    uniqueMember (DNs, of accounts or of nested groups) or memberUid (logins of posixGroup).
//    A direct membership has via "direct"; one through nested groups has via "group:<name>" of
//    the group holding the last link. Level is always member. Cycles are harmless. Members
//    that are neither a listed account nor a listed group (outside the bases or filters) are
//    skipped and counted in one log line.
#pragma once

#include <string>
#include <vector>

#include "connectors/api/name_patterns.hpp"
#include "connectors/ldap/directory.hpp"
#include "scanner/core/log.hpp"
#include "scanner/core/record_sink.hpp"

namespace rollcall::connectors::ldap {

// Attribute names for the account fields; "" leaves the field empty.
struct AttributeMap {
  std::string login;
  std::string email;
  std::string name;
  std::string employee_id;
  std::string last_login;  // GeneralizedTime or FILETIME
  std::string disabled;    // see is_disabled()
  std::string created;     // GeneralizedTime
  std::string group_name;  // names the group:<name> entitlement
  // When the password was last set (GeneralizedTime or FILETIME): the `password` credential's
  // creation date, for credential_stale.
  std::string password_changed;
};

struct ReadSettings {
  std::string system;  // the system's name, for log lines
  std::vector<std::string> user_bases;
  std::string user_filter;
  std::string service_filter;  // "" when no entry is a service account
  std::vector<std::string> group_bases;
  std::string group_filter;
  AttributeMap attrs;
  int page_size = 500;
  NamePatterns privileged_groups;  // also privileged: groups with adminCount=1 (AD)
};

// Reads accounts first (streamed to the sink as they arrive), then groups; then emits the
// entitlements and grants. Fails on any directory error or unreadable value, naming the entry.
Result<void> read_directory(Directory& directory, const ReadSettings& settings, Logger& log,
                            RecordSink& sink);

}  // namespace rollcall::connectors::ldap
