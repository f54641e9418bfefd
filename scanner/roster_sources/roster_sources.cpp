#include "scanner/roster_sources/roster_sources.hpp"

#include "scanner/core/time.hpp"
#include "scanner/roster_sources/airtable_source.hpp"
#include "scanner/roster_sources/sql_source.hpp"

namespace rollcall::roster_sources {

Result<config::SystemConfig> as_system(const config::RosterConfig& config) {
  config::SystemConfig sys;
  sys.name = "roster";
  sys.type = config.type;
  sys.where = config.where;
  sys.keys = config.keys;
  if (auto to = config.keys.string("timeout")) {
    auto d = parse_duration(*to);
    if (!d) return fail(config.keys.where("timeout") + ": " + d.error().message());
    sys.timeout_s = *d;
  }
  return sys;
}

Result<roster::Roster> load_roster(const config::RosterConfig& config, const connectors::ConnectorEnv& env) {
  if (config.type == "airtable") return read_airtable(config, env);
  if (config.type == "sql") return read_sql(config, env);
  return roster::load_roster(config);
}

}  // namespace rollcall::roster_sources
