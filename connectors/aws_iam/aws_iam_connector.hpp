// The `aws-iam` connector: reads the IAM users, groups, managed and inline policies, roles and
// the credentials of one AWS account through the IAM Query API (aws_api.hpp). The reference
// (keys, the read-only policy rollcall needs, ids, what is not read) is docs/connectors/aws-iam.md.
//
// Accounts: every IAM user; id = login = UserName; last_login = PasswordLastUsed; kind service
// when the name matches service_users or the user has the service_tag, else human; status
// active (IAM users cannot be disabled, only their credentials). attrs: user_id, arn, path,
// mfa_enrolled (true/false), console_password (true/false).
//
// Entitlements and grants (level member):
//   group:<name>          IAM groups; direct members (GetGroup)
//   policy:<name>         managed policies attached to users (direct) and to groups (granted
//                         to the group's members via group:<name>); privileged when the name is
//                         AdministratorAccess, IAMFullAccess, PowerUserAccess,
//                         AWSOrganizationsFullAccess, AWSSSOMasterAccountAdministrator or
//                         listed in privileged_policies
//   inline-policy:<name>  inline policies of users (direct) and groups (via group:<name>)
//   role:<name>           roles; granted (directly) to the IAM users their trust policy names
//                         named (by ARN or unique id) as principals of an Allow statement for
//                         sts:AssumeRole*; every other principal (accounts, services,
//                         federated providers, "*") is listed in the entitlement's attrs
//                         trusted_principals; privileged when a privileged policy is attached
//
// Credentials: access keys (id = AccessKeyId, status Active/Inactive, created, last used with
// "<service> <region>" as where) and the console password (id "password", created = the login
// profile's CreateDate, last used = PasswordLastUsed). With credential_report = true, password,
// MFA and key usage come from one credential report instead of three requests per user and
// one per key; keys and users the report does not cover (created after it) are read per key.
//
// Any failed request, malformed answer or truncated page fails the whole fetch.
#pragma once

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::aws_iam {

ConnectorType connector_type();

}  // namespace rollcall::connectors::aws_iam
