// Where the aws-iam connector gets rollcall's own AWS credentials, first match wins:
//   1. the system's keys: access_key_id_env/_file/_credential with secret_access_key_* (both)
//      and optional session_token_*;
//   2. the standard variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
//   3. a profile of the shared credentials file ($AWS_SHARED_CREDENTIALS_FILE, else
//      $HOME/.aws/credentials): the system's `profile` key, else $AWS_PROFILE, else "default";
//      its aws_access_key_id, aws_secret_access_key and aws_session_token.
// Everything is read through the SecretSource seam. Not supported: ~/.aws/config profiles
// (role_arn, credential_process, SSO), instance or container metadata credentials.
#pragma once

#include "connectors/api/connector.hpp"
#include "connectors/http/sigv4.hpp"

namespace rollcall::connectors::aws_iam {

struct ResolvedCredentials {
  http::AwsCredentials credentials;
  std::string source;  // "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", for 403s
};

// Fails naming file:line and key (a half-configured pair, an unreadable variable or file, a
// profile that is not in the file), or when no source has credentials, listing the three.
Result<ResolvedCredentials> resolve_credentials(const config::SystemConfig& system, const ConnectorEnv& env);

// The [profile] of a shared credentials file's text; fails naming `source` and the profile.
Result<http::AwsCredentials> parse_credentials_file(const std::string& text, const std::string& profile,
                                                    const std::string& source);

}  // namespace rollcall::connectors::aws_iam
