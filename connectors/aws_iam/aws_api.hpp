// The IAM Query API of one configured system, shared by the connector (read side) and the
// writer: the endpoint, region and credentials (aws_credentials.hpp), a retrying transport
// whose retries know AWS throttling, an ApiClient signing every request with SigV4, and the two
// ways of calling IAM: one action (call) and a Marker-paged list (list). Every request is a
// form-encoded POST of Action=<name>&Version=2010-05-08&<parameters>; answers are XML
// (<ActionResponse><ActionResult>...), errors <ErrorResponse><Error><Code>/<Message>.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <pugixml.hpp>

#include "connectors/api/connector.hpp"
#include "connectors/api/name_patterns.hpp"
#include "connectors/http/api_client.hpp"
#include "connectors/http/retry.hpp"

namespace rollcall::connectors::aws_iam {

struct IamSettings {
  NamePatterns service_users;     // user names of service accounts (kind service)
  std::string service_tag_key;    // a user tag that marks a service account; "" = none
  std::string service_tag_value;  // "" = any value of the key
  std::set<std::string> privileged_policies;  // managed policy names that are privileged
  bool credential_report = false;
};

// A parsed answer: the document, and its <ActionResult> element.
struct IamResult {
  std::unique_ptr<pugi::xml_document> doc;
  pugi::xml_node result;
};

using Params = http::Query;

struct IamApi {
  std::unique_ptr<http::Transport> transport;  // owned; client points into it
  http::ApiClient client;
  IamSettings settings;
  int concurrency = 4;

  // One action. `read_only` = retried like a read. With `absent_code` (NoSuchEntity), an
  // HTTP 404 carrying that error code gives nullopt. Fails with "<Action> <params>: <why>":
  // HTTP status and AWS error code and message, or malformed XML.
  Result<std::optional<IamResult>> call(const std::string& action, const Params& params, bool read_only,
                                        const std::string& absent_code = "") const;
  // Every <member> of the element `list` in every page of a Marker-paged action, in order.
  Result<void> list(const std::string& action, const Params& params, const std::string& list,
                    const std::function<Result<void>(const pugi::xml_node&)>& fn) const;
  // How errors name a request: "ListAccessKeys UserName=alice".
  static std::string label(const std::string& action, const Params& params);
};

// The [[system]] keys of `aws-iam`.
std::vector<config::KeySpec> iam_keys();

// Reads the keys, the credentials and the common HTTP keys; builds the transport. Fails naming
// file:line and key.
Result<IamApi> open_api(const config::SystemConfig& system, const ConnectorEnv& env);

// "Throttling: Rate exceeded" from an <ErrorResponse>, else the generic text.
std::string describe_error(const http::Response& response);
// The retry classify hook (retry.hpp): HTTP 400 with code Throttling, ThrottlingException,
// RequestLimitExceeded or TooManyRequestsException is retried, reads and writes alike (AWS
// refused it unprocessed); everything else is left to the generic rules (503 retried for reads).
std::optional<http::RetryAdvice> classify_throttling(const http::Response& response, bool write);

// Text of a child element, "" when absent.
std::string text_of(const pugi::xml_node& node, const char* child);
// An optional ISO 8601 date child; fails naming the element when present but unparseable.
Result<std::optional<UnixTime>> date_of(const pugi::xml_node& node, const char* child);

}  // namespace rollcall::connectors::aws_iam
