// The ldap connector's write side (connectors/api/writer.hpp): direct group memberships, and
// disabling Active Directory accounts, through libldap with the system's own url, TLS settings,
// bind DN and password.
//
// A group:<name> entitlement is found as the reader finds it: the one entry under group_base
// matching group_filter whose group_name attribute (cn) is <name>. Its member attribute follows
// from its object class: groupOfNames and AD's group hold `member` (the account's DN),
// groupOfUniqueNames `uniqueMember` (the DN), posixGroup `memberUid` (the account's login
// attribute, read from its entry).
//  - grant     modify: add that value (typeOrValueExists = already a member: success)
//  - revoke    modify: delete that value (noSuchAttribute = already not a member: success)
//  - read      the account entry (exists; active per the `disabled` attribute, as the reader)
//              and an LDAP compare of that value on the group entry (uniqueMember: its values
//              read and compared as the reader does, ignoring a "#'0101'B" uid, which the
//              server's compare would not): DIRECT membership only (nested groups are not
//              followed); level "member" when present. A revoke deletes the values as stored.
//  - disable_account, when attrs.disabled is userAccountControl (flavor "ad"): read the value,
//    replace it with the ACCOUNTDISABLE bit (0x2) set and every other bit kept (a change to
//    another bit made between the read and the replace is lost). With any other `disabled`
//    attribute (OpenLDAP's pwdAccountLockedTime) it is unsupported().
//  - set_level (LDAP memberships have one level) and create_account: unsupported().
//
// One bound session for the writer's life, opened by create_writer() (so a wrong password
// stops apply before anything is done) and opened again after any failed operation. Not
// thread-safe.
#pragma once

#include <memory>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::ldap {

// Connects and binds with the system's settings; fails on invalid settings, or as the bind
// fails (`bind to ldap://... as "cn=...": Invalid credentials`).
Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system,
                                              const ConnectorEnv& env);

}  // namespace rollcall::connectors::ldap
