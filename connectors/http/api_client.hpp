// ApiClient: JSON over HTTP for one configured API (a base URL plus credentials), on top of a
// (retrying) Transport. It builds URLs, attaches the credential, parses JSON, and turns every
// failure into one line that says which request failed and why:
//
//   GET /orgs/acme/members?role=admin page 3: HTTP 403: Resource not accessible (...)
//   GET /scim/v2/Users page 2: malformed JSON at byte 5012: unexpected end of input
//
// 401 names where the credential came from; API-specific detail (GitHub's scopes, SCIM's
// "detail", Slack's "ok": false) comes from hooks the connector supplies. Secret values are
// scrubbed from every message, even when a server echoes them back.
//
// Paging lives in paginate.hpp; connectors never write their own page loop.
// Thread-safe: get_json() may be called from several threads at once.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/http/json_fields.hpp"
#include "connectors/http/request_signer.hpp"
#include "connectors/http/transport.hpp"
#include "connectors/http/url.hpp"
#include "scanner/core/log.hpp"

namespace rollcall::http {

struct ApiOptions {
  std::string base_url;             // e.g. https://api.github.com or https://idp/scim/v2
  std::vector<Header> headers;      // sent with every request (Accept, API version)
  std::optional<SecretHeader> auth;  // usually Authorization
  // Instead of `auth`: credentials that are fetched, renewed or computed per request
  // (request_signer.hpp). Shared: the writer and connector of one system may hold the same one.
  std::shared_ptr<RequestSigner> signer;
  std::string credential_source;    // "environment variable GITHUB_TOKEN": named on HTTP 401
  // API-specific explanation of a non-2xx response, or "" for the generic one (a JSON
  // "message"/"detail"/"error" member, else the start of the body).
  std::function<std::string(const Response&)> describe_error;
  // Checks a 2xx JSON body for an error reported inside it (Slack's "ok": false); returns
  // the message, or nullopt when the body is fine.
  std::function<std::optional<std::string>(const Json&)> body_error;
};

// A request whose body the connector parses itself (XML, CSV): see ApiClient::send_raw.
struct RawRequest {
  Method method = Method::get;
  std::string path;  // appended to the base URL; starts with '/'
  Query query;
  std::string body;
  std::string content_type;  // sent with a non-empty body
  bool read_only = false;    // a POST that only reads: retried like a GET (transport.hpp)
  // How errors and the request log name the request ("ListUsers page 2": every AWS Query API
  // request is "POST /"); "" = "<METHOD> <path>?<query>". Must hold no secret.
  std::string label;
};

struct JsonResponse {
  Response response;  // status and headers; the body is parsed into `json`
  Json json;
};

class ApiClient {
 public:
  // Validates base_url (http or https, a host). Warns through `log` when a credential would
  // travel over plain http to a host other than this machine.
  static Result<ApiClient> create(Transport& transport, ApiOptions options, Logger& log);

  // base_url + path (which starts with '/') + "?" + encoded query.
  std::string url(std::string_view path, const Query& query = {}) const;
  // "GET /scim/v2/Groups?filter=x": the request as error messages name it.
  std::string label(std::string_view path, const Query& query = {}, Method method = Method::get) const;
  // True when `url` is on the base URL's scheme, host and port (links may only go there).
  bool same_origin(std::string_view url) const;

  // GETs an absolute URL and parses the JSON body. Fails with "<label>[ page N]: <why>" (page
  // 0 = not paged) for a network failure, a non-2xx status, malformed JSON, or an error
  // reported in the body.
  Result<JsonResponse> get_json(const std::string& url, const std::string& label, int page = 0) const;
  // A single, unpaged GET of path?query.
  Result<Json> get(std::string_view path, const Query& query = {}) const;
  // Like get(), but a response with one of `absent` statuses yields nullopt instead of an
  // error: a resource that is gone (404), or data the credential may not see (403, 422).
  Result<std::optional<Json>> get_unless(std::string_view path, const Query& query,
                                         std::initializer_list<int> absent = {404}) const;

  // One write (POST, PUT, PATCH, DELETE) of `body` (JSON text, sent as `content_type`; "" =
  // no body) to path?query. Returns the response for a 2xx status (json = the parsed body, or
  // null when empty) and for the statuses listed in `accept` (json parsed when possible: a 404
  // or 409 the writer wants to interpret). Fails with "<METHOD> <path>: <why>" for a network
  // failure, any other status, malformed JSON, or an error reported in the body. The transport
  // does not retry a write whose fate is unknown (see retry.hpp): the writer's caller reads
  // the target again instead.
  Result<JsonResponse> send(Method method, std::string_view path, const std::string& body = "",
                            const Query& query = {}, std::initializer_list<int> accept = {},
                            std::string_view content_type = "application/json") const;

  // One request whose body is returned as received, for APIs that do not speak JSON (the AWS
  // Query API's XML). Returns the response for a 2xx status and for the statuses in `accept`.
  // Fails with "<label>: <why>" for a network failure or any other status (explained by
  // describe_error, which sees the raw body). The body is not checked: the caller parses it.
  Result<Response> send_raw(const RawRequest& raw, std::initializer_list<int> accept = {}) const;

 private:
  ApiClient(Transport& transport, ApiOptions options, Url base)
      : transport_(&transport), options_(std::move(options)), base_(std::move(base)) {}
  std::string describe_failure(const Response& response, const Request& request) const;
  // Attaches the credential (auth or signer) and sends; a 401 the signer can renew is sent once
  // more with a fresh credential. Fails with the transport's error, or the signer's.
  Result<Response> exchange(Request& request) const;
  // get_json(); a status listed in `absent` gives nullopt.
  Result<std::optional<JsonResponse>> fetch(const std::string& url, const std::string& where,
                                            std::initializer_list<int> absent) const;

  Transport* transport_;
  ApiOptions options_;
  Url base_;
};

// The generic explanation of an error response: a JSON "message", "detail", "error_description"
// or "error" member, else the body's first 200 characters on one line, else the reason phrase.
std::string generic_error_text(const Response& response);

}  // namespace rollcall::http
