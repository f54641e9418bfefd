#include "connectors/http/json_fields.hpp"

#include "scanner/core/strings.hpp"

namespace rollcall::http {
namespace {

std::string name_of(std::string_view key) { return quote(key); }

}  // namespace

std::string type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    case Json::value_t::null: return "null";
    default: return "an unexpected value";
  }
}

Result<void> expect_object(const Json& value) {
  if (!value.is_object()) return fail("expected an object, got " + type_name(value));
  return {};
}

const Json* member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::string> string_member(const Json& object, std::string_view key) {
  const Json* v = member(object, key);
  if (v == nullptr) return fail(name_of(key) + " is missing");
  if (!v->is_string()) return fail(name_of(key) + " is " + type_name(*v) + ", not a string");
  const auto& s = v->get_ref<const std::string&>();
  if (s.empty()) return fail(name_of(key) + " is empty");
  return s;
}

Result<std::string> id_member(const Json& object, std::string_view key) {
  const Json* v = member(object, key);
  if (v != nullptr && v->is_number_integer()) return v->dump();
  return string_member(object, key);
}

Result<std::optional<std::string>> optional_string(const Json& object, std::string_view key) {
  const Json* v = member(object, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return fail(name_of(key) + " is " + type_name(*v) + ", not a string");
  return std::optional<std::string>(v->get<std::string>());
}

Result<bool> bool_member(const Json& object, std::string_view key, bool fallback) {
  const Json* v = member(object, key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) return fail(name_of(key) + " is " + type_name(*v) + ", not true or false");
  return v->get<bool>();
}

Result<std::optional<UnixTime>> time_member(const Json& object, std::string_view key) {
  RC_ASSIGN(auto text, optional_string(object, key));
  if (!text || text->empty()) return std::optional<UnixTime>();
  auto t = parse_iso8601(*text);
  if (!t) return fail(name_of(key) + ": " + t.error().message());
  return std::optional<UnixTime>(*t);
}

Result<const Json*> array_at(const Json& document, const std::string& pointer) {
  const Json* v = &document;
  if (!pointer.empty()) {
    try {
      Json::json_pointer p(pointer);
      if (!document.contains(p)) return fail(name_of(pointer) + " is missing");
      v = &document.at(p);
    } catch (const Json::exception&) {
      return fail(name_of(pointer) + " is missing");
    }
  }
  if (!v->is_array()) {
    return fail((pointer.empty() ? std::string("the body") : name_of(pointer)) + " is " + type_name(*v) +
                ", not an array");
  }
  return v;
}

}  // namespace rollcall::http
