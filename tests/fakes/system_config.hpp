// load_system(): one [[system]] table read through the real config loader (key specs, types,
// "did you mean"), as a user would write it in rollcall.toml. Header-only.
#pragma once

#include <string>

#include "connectors/api/connector.hpp"
#include "tests/support/temp_dir.hpp"

namespace rollcall::testing {

// Writes a rollcall.toml holding a roster line and `system_toml` (one [[system]] table) into
// dir and loads it; the TOML starts on line 3, so a key on the table's first line after the
// header is rollcall.toml:4.
inline Result<config::SystemConfig> load_system(const TempDir& dir,
                                                const connectors::Registry& registry,
                                                const std::string& system_toml) {
  dir.write("rollcall.toml", "[roster]\npath = \"roster.csv\"\n" + system_toml);
  RC_ASSIGN(config::WorkspaceConfig cfg,
            config::load_workspace(dir.path(), registry.key_lookup(), registry.names()));
  if (cfg.systems.size() != 1) return fail("expected exactly one [[system]]");
  return cfg.systems.front();
}

}  // namespace rollcall::testing
