#include "connectors/ldap/ldap_connector.hpp"

#include "connectors/ldap/directory_reader.hpp"
#include "connectors/ldap/ldap_settings.hpp"
#include "connectors/ldap/ldap_writer.hpp"

namespace rollcall::connectors::ldap {
namespace {

class LdapConnector final : public Connector {
 public:
  LdapConnector(LdapSettings settings, const ConnectorEnv& env) : s_(std::move(settings)), env_(env) {}

  Result<void> fetch(RecordSink& sink) override {
    RC_ASSIGN(auto conn, connect(s_));
    return read_directory(*conn, s_.read, env_.log, sink);
  }

 private:
  LdapSettings s_;
  const ConnectorEnv& env_;
};

Result<std::unique_ptr<Connector>> create(const config::SystemConfig& system,
                                          const ConnectorEnv& env) {
  RC_ASSIGN(LdapSettings s, read_settings(system, env));
  return std::unique_ptr<Connector>(new LdapConnector(std::move(s), env));
}

}  // namespace

ConnectorType connector_type() {
  ConnectorType t;
  t.name = "ldap";
  t.summary = "an LDAP directory (OpenLDAP, 389 DS, Active Directory): accounts and nested groups";
  t.keys = settings_keys();
  t.create_writer = create_writer;
  t.create = create;
  return t;
}

}  // namespace rollcall::connectors::ldap
