#include "connectors/http/api_client.hpp"

#include <algorithm>

#include "connectors/http/retry.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::http {
namespace {

std::string reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "unexpected status";
  }
}

// One line, at most `max` characters, control characters as spaces.
std::string one_line(std::string_view text, std::size_t max) {
  std::string out;
  bool space = false;
  for (char c : trim(text)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (c == ' ') {
      if (space) continue;
      space = true;
    } else {
      space = false;
    }
    out += c;
    if (out.size() >= max) {
      out += "...";
      break;
    }
  }
  return out;
}

// nlohmann's parse_error text is "[json.exception.parse_error.101] parse error at line 1,
// column 12: syntax error while parsing value - <reason>; last read: '<bytes>'[; expected <token>]";
// keep the reason and the expected token, without the echoed bytes (which could be anything,
// secrets included). The bytes can hold a "'; " of their own, so everything from "last read" on
// is dropped and the suffix is matched from the end against nlohmann's fixed token names.
std::string json_reason(const std::string& what) {
  std::string reason = what;
  if (auto dash = reason.find(" - "); dash != std::string::npos) reason = reason.substr(dash + 3);
  auto echo = reason.find("; last read: '");
  if (echo == std::string::npos) return reason;
  static const char* const kTokens[] = {"true literal", "false literal", "null literal", "string literal",
                                        "number literal", "'['", "'{'", "']'", "'}'", "':'", "','",
                                        "end of input", "'[', '{', or a literal", "<parse error>",
                                        "<uninitialized>", "unknown token"};
  std::string suffix;
  for (const char* token : kTokens) {
    if (ends_with(reason, std::string("'; expected ") + token)) suffix = std::string("; expected ") + token;
  }
  return reason.substr(0, echo) + suffix;
}

// Parses a response body into JSON; an error is one line without the body's bytes.
Result<Json> parse_body(const std::string& body) {
  try {
    return Json::parse(body);
  } catch (const Json::parse_error& e) {
    return fail("malformed JSON at byte " + std::to_string(e.byte) + ": " + json_reason(e.what()));
  } catch (const Json::exception&) {  // out_of_range.406, the only other: 1e999
    return fail("malformed JSON: a number too large for a double");
  }
}

}  // namespace

std::string generic_error_text(const Response& response) {
  Json body = Json::parse(response.body, nullptr, false);
  if (body.is_object()) {
    for (const char* key : {"message", "detail", "error_description", "error"}) {
      const Json* v = member(body, key);
      if (v != nullptr && v->is_string() && !v->get_ref<const std::string&>().empty()) {
        return one_line(v->get_ref<const std::string&>(), 300);
      }
    }
  }
  std::string text = one_line(response.body, 200);
  return text.empty() ? reason_phrase(response.status) : text;
}

Result<ApiClient> ApiClient::create(Transport& transport, ApiOptions options, Logger& log) {
  while (ends_with(options.base_url, "/")) options.base_url.pop_back();
  RC_ASSIGN(Url base, parse_url(options.base_url));
  if (!base.query.empty()) return fail("base URL " + quote(options.base_url) + " must not have a query");
  if (base.scheme == "http" && (options.auth || options.signer) && !is_loopback_host(base.host)) {
    log.warn("credentials for " + base.host + " will travel unencrypted over plain http; use https");
  }
  if (base.path == "/") base.path.clear();
  return ApiClient(transport, std::move(options), std::move(base));
}

std::string ApiClient::url(std::string_view path, const Query& query) const {
  std::string out = base_.origin();
  out += base_.path;
  out += path;
  if (!query.empty()) {
    out += out.find('?') == std::string::npos ? '?' : '&';
    out += encode_query(query);
  }
  return out;
}

std::string ApiClient::label(std::string_view path, const Query& query, Method method) const {
  std::string out(to_string(method));
  out += ' ';
  out += base_.path;
  out += path;
  if (!query.empty()) {
    out += '?';
    out += encode_query(query);
  }
  return out;
}

bool ApiClient::same_origin(std::string_view url) const {
  auto u = parse_url(url);
  return u && u->scheme == base_.scheme && to_lower(u->host) == to_lower(base_.host);
}

std::string ApiClient::describe_failure(const Response& raw, const Request& request) const {
  // Redact before anything cuts the body to a message's length: a cut inside an echoed secret
  // would leave a prefix that no longer matches it.
  Response response = raw;
  response.body = scrub_secrets(std::move(response.body), request);
  for (auto& h : response.headers) h.value = scrub_secrets(std::move(h.value), request);
  std::string text;
  if (response.status >= 300 && response.status < 400) {
    const std::string* location = response.header("Location");
    text = "redirected to " + (location ? loggable_target(*location) : std::string("an unknown place")) +
           "; is base_url right?";
  } else {
    if (options_.describe_error) text = options_.describe_error(response);
    if (text.empty()) text = generic_error_text(response);
  }
  if (response.status == 401 && !options_.credential_source.empty()) {
    text += " (the credential from " + options_.credential_source + " was rejected)";
  }
  std::string out = "HTTP " + std::to_string(response.status) + ": " + text;
  if (response.attempts > 1) out += " (gave up after " + std::to_string(response.attempts) + " attempts)";
  return scrub_secrets(std::move(out), request);
}

Result<Response> ApiClient::exchange(Request& request) const {
  if (options_.auth) request.secret_headers.push_back(*options_.auth);
  if (options_.signer) RC_TRY(options_.signer->sign(request));
  RC_ASSIGN(Response response, transport_->send(request));
  if (response.status != 401 || !options_.signer || !options_.signer->renew(request)) return response;
  request.secret_headers.clear();
  RC_TRY(options_.signer->sign(request));
  return transport_->send(request);
}

Result<std::optional<JsonResponse>> ApiClient::fetch(const std::string& url, const std::string& where,
                                                     std::initializer_list<int> absent) const {
  Request request;
  request.url = url;
  request.headers = options_.headers;

  auto sent = exchange(request);
  if (!sent) return fail(where + ": " + scrub_secrets(sent.error().message(), request));
  JsonResponse out;
  out.response = std::move(sent).value();
  for (int status : absent) {
    if (out.response.status == status) return std::optional<JsonResponse>();
  }
  if (out.response.status < 200 || out.response.status >= 300) {
    return fail(where + ": " + describe_failure(out.response, request));
  }
  if (trim(out.response.body).empty()) return fail(where + ": empty response body");
  auto parsed = parse_body(out.response.body);
  if (!parsed) return fail(where + ": " + parsed.error().message());
  out.json = std::move(parsed).value();
  out.response.body.clear();
  out.response.body.shrink_to_fit();
  if (options_.body_error) {
    if (auto error = options_.body_error(out.json)) return fail(where + ": " + scrub_secrets(*error, request));
  }
  return std::optional<JsonResponse>(std::move(out));
}

Result<JsonResponse> ApiClient::get_json(const std::string& url, const std::string& label,
                                         int page) const {
  const std::string where = page > 0 ? label + " page " + std::to_string(page) : label;
  RC_ASSIGN(auto r, fetch(url, where, {}));
  return std::move(*r);
}

Result<Json> ApiClient::get(std::string_view path, const Query& query) const {
  RC_ASSIGN(auto r, fetch(url(path, query), label(path, query), {}));
  return std::move(r->json);
}

Result<std::optional<Json>> ApiClient::get_unless(std::string_view path, const Query& query,
                                                  std::initializer_list<int> absent) const {
  RC_ASSIGN(auto r, fetch(url(path, query), label(path, query), absent));
  if (!r) return std::optional<Json>();
  return std::optional<Json>(std::move(r->json));
}

Result<JsonResponse> ApiClient::send(Method method, std::string_view path, const std::string& body,
                                     const Query& query, std::initializer_list<int> accept,
                                     std::string_view content_type) const {
  Request request;
  request.method = method;
  request.url = url(path, query);
  request.headers = options_.headers;
  if (!body.empty()) request.headers.push_back({"Content-Type", std::string(content_type)});
  request.body = body;
  const std::string where = label(path, query, method);

  auto sent = exchange(request);
  if (!sent) return fail(where + ": " + scrub_secrets(sent.error().message(), request));
  JsonResponse out;
  out.response = std::move(sent).value();
  const int status = out.response.status;
  const bool accepted = std::find(accept.begin(), accept.end(), status) != accept.end();
  if (!accepted && (status < 200 || status >= 300)) return fail(where + ": " + describe_failure(out.response, request));
  if (trim(out.response.body).empty()) return out;
  auto parsed = parse_body(out.response.body);
  if (!parsed) {
    if (accepted) return out;  // an error page in HTML, say: the status is what counts
    return fail(where + ": " + parsed.error().message());
  }
  out.json = std::move(parsed).value();
  if (!accepted && options_.body_error) {
    if (auto error = options_.body_error(out.json)) return fail(where + ": " + scrub_secrets(*error, request));
  }
  return out;
}

Result<Response> ApiClient::send_raw(const RawRequest& raw, std::initializer_list<int> accept) const {
  Request request;
  request.method = raw.method;
  request.url = url(raw.path, raw.query);
  request.headers = options_.headers;
  if (!raw.body.empty()) request.headers.push_back({"Content-Type", raw.content_type});
  request.body = raw.body;
  request.read_only = raw.read_only;
  request.log_target = raw.label;
  const std::string where = raw.label.empty() ? label(raw.path, raw.query, raw.method) : raw.label;

  auto sent = exchange(request);
  if (!sent) return fail(where + ": " + scrub_secrets(sent.error().message(), request));
  const int status = sent->status;
  if (std::find(accept.begin(), accept.end(), status) != accept.end()) return sent;
  if (status < 200 || status >= 300) return fail(where + ": " + describe_failure(*sent, request));
  return sent;
}

}  // namespace rollcall::http
