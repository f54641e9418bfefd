#include "connectors/http/token_transport.hpp"

#include "connectors/http/url.hpp"

namespace rollcall::http {

Result<Response> TokenTransport::send_with(const Request& request, const Secret& token) {
  Request r = request;
  r.secret_headers.push_back(SecretHeader{"Authorization", Secret("Bearer " + token.reveal())});
  RC_ASSIGN(Response response, inner_.send(r));
  if (response.status >= 200 && response.status < 300) return response;
  // A server that echoes the credential in an error must not hand it to the error message.
  const std::string& value = token.reveal();
  if (!value.empty()) {
    for (std::size_t at = response.body.find(value); at != std::string::npos; at = response.body.find(value, at)) {
      response.body.replace(at, value.size(), "[REDACTED]");
    }
  }
  return response;
}

Result<Response> TokenTransport::send(const Request& request) {
  RC_ASSIGN(Secret token, tokens_.token());
  RC_ASSIGN(Response response, send_with(request, token));
  if (response.status != 401) return response;
  log_.info(system_ + ": " + std::string(to_string(request.method)) + " " + loggable_target(request.url) +
            ": HTTP 401 with the current access token; renewing it once");
  RC_ASSIGN(Secret renewed, tokens_.renew(token));
  return send_with(request, renewed);
}

}  // namespace rollcall::http
