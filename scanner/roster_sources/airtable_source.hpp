// The roster from an Airtable table ([roster] type = "airtable"): every record of the table,
// or of one view, read through the List records API (GET /v0/{base}/{table}, 100 records a
// page, the next page named by "offset") with a personal access token by reference.
//
// Airtable allows 5 requests per second per base and answers more with 429 and 30 s of
// refusals: the transport is paced to one request every 220 ms and waits 30 s after a 429 that
// names no wait (connectors/http/retry.hpp); pages that still fail fail the roster.
//
// Values: text, number and checkbox fields read as text; multiple select, linked records
// (their record ids), lookups and other arrays as lists; a collaborator as its email. Any other
// object (attachment, button...) is an error naming the record and the field: leave such fields
// out with the `fields` key.
#pragma once

#include "connectors/api/connector.hpp"
#include "scanner/config/config.hpp"
#include "scanner/roster/roster.hpp"

namespace rollcall::roster_sources {

// Reads the whole table (or view) and builds the roster. Fails with the request that failed
// ("roster: GET /v0/appX/People page 3: HTTP 403: ..."), or the first bad record and field
// ("airtable appX/People record recB: field \"Status\": ...").
Result<roster::Roster> read_airtable(const config::RosterConfig& config, const connectors::ConnectorEnv& env);

}  // namespace rollcall::roster_sources
