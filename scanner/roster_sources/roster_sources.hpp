// Where the CLI gets its roster, whatever [roster] type says: csv and json files through
// scanner/roster, an Airtable table (airtable_source.hpp) or a SQL query (sql_source.hpp) read
// here, with the connectors' HTTP stack, PostgreSQL session and credentials by reference. A
// registry is read completely, then handed to roster::roster_from_records(): no roster is ever
// built from part of a source.
#pragma once

#include "connectors/api/connector.hpp"
#include "scanner/config/config.hpp"
#include "scanner/roster/roster.hpp"

namespace rollcall::roster_sources {

// Loads the configured roster. Fails with one line naming the source and what went wrong: the
// file and line, the Airtable request or record and field, the SQL column and row.
Result<roster::Roster> load_roster(const config::RosterConfig& config, const connectors::ConnectorEnv& env);

// [roster] as a system config, so the connectors' readers of credentials, HTTP settings and
// timeouts read it: name "roster", the roster's type and keys, its `timeout`.
Result<config::SystemConfig> as_system(const config::RosterConfig& config);

}  // namespace rollcall::roster_sources
