// The `ldap` connector: reads accounts and (nested) group memberships from an LDAP directory
// (OpenLDAP, 389 DS, Active Directory) through libldap: simple bind, paged searches, ldaps:// or
// StartTLS. `flavor` picks the defaults for filters and attributes ("openldap" or "ad"). See
// directory_reader.hpp for what it produces, ldap_writer.hpp for apply's write side and the
// docs/connectors/ldap.md for the user guide.
#pragma once

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::ldap {

ConnectorType connector_type();

}  // namespace rollcall::connectors::ldap
