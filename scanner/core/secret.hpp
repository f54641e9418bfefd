// Secrets by reference. A Secret holds a credential in memory only: it has no stream operator
// and no implicit conversion, so it cannot end up in a log line, an error, the database or a
// report by accident. Code that must send it calls reveal() at the last moment.
//
// SecretSource resolves a reference (`<name>_env` = variable name, `<name>_file` = path,
// `<name>_credential` = a systemd credential passed with LoadCredential=) to a Secret. It is the Env seam: connectors never call getenv or read files for credentials.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "scanner/core/redact.hpp"

#include "scanner/core/result.hpp"

namespace rollcall {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

class SecretSource {
 public:
  // lookup_env returns the value of an environment variable or nullopt when unset.
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
  explicit SecretSource(EnvLookup lookup_env);
  // Reads the process environment.
  static SecretSource from_process_env();
  // For tests: only these variables exist.
  static SecretSource from_map(std::map<std::string, std::string> vars);

  // Reads environment variable `var`. Fails (naming the variable, never a value) when it is
  // unset or empty.
  Result<Secret> from_env(const std::string& var) const;
  // Reads the file at `path`, stripping one trailing newline. Fails naming the path.
  Result<Secret> from_file(const std::string& path) const;
  // Reads the systemd credential `name` (LoadCredential=NAME:PATH in the unit): the file NAME in
  // the folder $CREDENTIALS_DIRECTORY, as from_file. Fails when the variable is unset (not run
  // by systemd with credentials), the name is not a plain file name, or the file is missing.
  Result<Secret> from_credential(const std::string& name) const;

  // A Redactor that knows every secret this source has resolved so far (and those added with
  // remember()): for text about to leave the process (stored errors, stderr).
  Redactor redactor() const;
  // Adds a value derived from a secret (a Basic header value, a connection string) to what
  // redactor() redacts.
  void remember(std::string_view header_value) const;

 private:
  Secret resolved(std::string value) const;

  EnvLookup lookup_env_;
  struct Resolved {
    std::mutex mutex;
    Redactor redactor;
  };
  std::shared_ptr<Resolved> resolved_ = std::make_shared<Resolved>();
};

}  // namespace rollcall
