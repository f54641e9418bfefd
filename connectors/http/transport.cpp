#include "connectors/http/transport.hpp"

#include "scanner/core/strings.hpp"

namespace rollcall::http {

std::string_view to_string(Method method) {
  switch (method) {
    case Method::get: return "GET";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::del: return "DELETE";
  }
  return "GET";
}

const std::string* Response::header(std::string_view name) const {
  std::string wanted = to_lower(name);
  for (const auto& h : headers) {
    if (h.name.size() == wanted.size() && to_lower(h.name) == wanted) return &h.value;
  }
  return nullptr;
}

}  // namespace rollcall::http
