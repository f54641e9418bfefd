// The `postgres` connector: reads who can log in to a PostgreSQL cluster and what they can do
// there (login roles, role memberships with inheritance, role attributes, database, schema and
// table privileges, ownership), through libpq, in read-only sessions. See pg_access.hpp for the
// accounts, entitlements and grants it produces, postgres_writer.hpp for apply's write side and
// docs/connectors/postgres.md for the user guide.
#pragma once

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::postgres {

ConnectorType connector_type();

}  // namespace rollcall::connectors::postgres
