// The roster from a SQL query ([roster] type = "sql"): one row per person, the result's column
// names are the roster fields (mapped with [roster.columns] like a CSV header). Either
//   - PostgreSQL (dsn, password_env / password_file: the postgres connector's settings and
//     session, connectors/postgres), in a BEGIN READ ONLY transaction; text[] and the other
//     built-in array columns read as lists; or
//   - a SQLite file, opened read-only (and query_only); a query that could write is refused.
// NULL is an absent value. Text that is not UTF-8 is an error naming the column and the row.
// Rows are numbered from 1 in the query's order: give it an ORDER BY for stable row numbers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connectors/api/connector.hpp"
#include "scanner/config/config.hpp"
#include "scanner/core/result.hpp"
#include "scanner/roster/roster.hpp"

namespace rollcall::roster_sources {

// Runs the query and builds the roster. Fails naming the database and what failed (connect,
// the query: the server's or SQLite's message), or the first bad value by column and row:
// `hr.db query row 3: column "status": status "x" is not active, leave or terminated`.
Result<roster::Roster> read_sql(const config::RosterConfig& config, const connectors::ConnectorEnv& env);

// A one-dimensional PostgreSQL array in its text form ("{a,\"b c\",NULL}") as its elements,
// NULL elements left out. Fails on a malformed or multi-dimensional array.
Result<std::vector<std::string>> parse_pg_array(std::string_view text);

}  // namespace rollcall::roster_sources
