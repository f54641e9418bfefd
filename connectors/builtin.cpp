// The one place that lists the connectors shipped with rollcall.
#include "connectors/api/connector.hpp"
#include "connectors/aws_iam/aws_iam_connector.hpp"
#include "connectors/entra/entra_connector.hpp"
#include "connectors/file/file_connector.hpp"
#include "connectors/github/github_connector.hpp"
#include "connectors/jira/jira_connector.hpp"
#include "connectors/ldap/ldap_connector.hpp"
#include "connectors/okta/okta_connector.hpp"
#include "connectors/postgres/postgres_connector.hpp"
#include "connectors/scim/scim_connector.hpp"
#include "connectors/slack/slack_connector.hpp"

namespace rollcall::connectors {

void register_builtin_connectors(Registry& registry) {
  registry.add(file::connector_type());
  registry.add(scim::connector_type());
  registry.add(github::connector_type());
  registry.add(slack::connector_type());
  registry.add(postgres::connector_type());
  registry.add(ldap::connector_type());
  registry.add(entra::connector_type());
  registry.add(jira::connector_type());
  registry.add(okta::connector_type());
  registry.add(aws_iam::connector_type());
}

}  // namespace rollcall::connectors
