// The connector seam. A connector reads one target system and emits what it finds (accounts,
// entitlements, grants) into a RecordSink; it never opens the database, reads the environment
// or prints. Each connector type declares its config keys as data and a factory; all types are
// registered explicitly in register_builtin_connectors() (connectors/registry.cpp), called from
// main: no static-initializer magic.
//
// Failure semantics (docs/design.md, "missing data never looks like no access"): fetch() returns an error the moment the system cannot
// be read completely (after the transport's retries). The caller then records the snapshot as
// `partial` (some records were read) or `failed` (none), keeps none of its data, and the scanner
// computes no access findings from it. A connector must never return success on partial data.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "connectors/api/writer.hpp"
#include "scanner/config/config.hpp"
#include "scanner/core/log.hpp"
#include "scanner/core/record_sink.hpp"
#include "scanner/core/result.hpp"
#include "scanner/core/secret.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::http {
class TransportFactory;
}

namespace rollcall::connectors {

// What a connector may use, lent by the caller for the connector's whole life.
struct ConnectorEnv {
  const SecretSource& secrets;
  Logger& log;
  const Clock& clock;
  std::filesystem::path workspace_dir;  // relative paths in the config resolve against it
  // Builds HTTP transports (retrying, rate-limit aware). Null where no HTTP is available.
  http::TransportFactory* http = nullptr;
};

class Connector {
 public:
  virtual ~Connector() = default;
  // Reads the whole system into sink. Success means the sink received everything the system
  // holds. Fails with a one-line error naming what was being read (file:line, request).
  virtual Result<void> fetch(RecordSink& sink) = 0;
};

struct ConnectorType {
  std::string name;                    // the `type` in rollcall.toml
  std::string summary;                 // one line for docs and `rollcall init`
  std::vector<config::KeySpec> keys;   // keys beyond the common ones (name, type, timeout, ...)
  // Builds a connector for one configured system; fails on invalid combinations of keys
  // (naming file:line and key) or unresolvable secrets (naming the variable, never a value).
  std::function<Result<std::unique_ptr<Connector>>(const config::SystemConfig&, const ConnectorEnv&)>
      create;
  // Builds the write side (writer.hpp) for one configured system, for `rollcall apply`, with
  // the same config and credentials as `create` (the credential then needs write scopes). Null
  // for types without a write API (`file`): apply files their changes as tickets.
  std::function<Result<std::unique_ptr<Writer>>(const config::SystemConfig&, const ConnectorEnv&)>
      create_writer;
};

class Registry {
 public:
  void add(ConnectorType type);
  const ConnectorType* find(const std::string& name) const;
  std::vector<std::string> names() const;
  // Adapter for config::load_workspace.
  config::ConnectorKeys key_lookup() const;

 private:
  std::vector<ConnectorType> types_;
};

// Adds every connector shipped with rollcall. Called once from main and from tests.
void register_builtin_connectors(Registry& registry);

}  // namespace rollcall::connectors
