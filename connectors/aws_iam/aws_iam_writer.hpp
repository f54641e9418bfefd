// The write side of `aws-iam` (connectors/api/writer.hpp), with the read side's config; the IAM
// permissions it needs are in docs/connectors/aws-iam.md. Targets as the read side names them:
// an account is a UserName.
//
// read():  GetUser (NoSuchEntity = the account is absent), then per change:
//            deactivate_credential <AccessKeyId>  ListAccessKeys: credential_active = Active,
//                                                  nullopt when the key is gone
//            deactivate_credential "password"     GetLoginProfile: active when it exists
//            revoke group:<name>                  ListGroupsForUser: level member when listed
//            revoke policy:<name>                 ListAttachedUserPolicies: level member when
//                                                  attached to the user directly
// write(): UpdateAccessKey Status=Inactive (reversible, not a delete), DeleteLoginProfile,
//          RemoveUserFromGroup, DetachUserPolicy (the ARN read by read()).
// Everything else (grants, set_level, account changes, inline policies, roles, a policy held
// only through a group) is unsupported(): apply files it as a ticket with apply_via = "tickets".
// A write is sent once (a throttled one, which AWS refused unprocessed, is retried by the
// transport); apply reads again after any failure and never resends blind.
#pragma once

#include <memory>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::aws_iam {

// The ConnectorType::create_writer of `aws-iam`.
Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system, const ConnectorEnv& env);

}  // namespace rollcall::connectors::aws_iam
