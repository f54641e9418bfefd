// Typed, checked reads of JSON API payloads, written once for every HTTP connector. Each
// reader fails with a short message naming the member ("\"login\" is missing", "\"id\" is not
// a string"); the pagination layer adds the request, page and item.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::http {

using Json = nlohmann::json;

// Fails unless `value` is an object ("expected an object, got an array").
Result<void> expect_object(const Json& value);
// The member `key` of an object, or nullptr when absent or null.
const Json* member(const Json& object, std::string_view key);
// A required non-empty string member.
Result<std::string> string_member(const Json& object, std::string_view key);
// A required id: a non-empty string, or an integer written as decimal text.
Result<std::string> id_member(const Json& object, std::string_view key);
// An optional string member: nullopt when absent or null; fails for another type.
Result<std::optional<std::string>> optional_string(const Json& object, std::string_view key);
// An optional boolean member, `fallback` when absent or null; fails for another type.
Result<bool> bool_member(const Json& object, std::string_view key, bool fallback);
// An optional ISO 8601 timestamp member.
Result<std::optional<UnixTime>> time_member(const Json& object, std::string_view key);
// The array at a JSON pointer ("" = the document itself, "/members"); fails when absent or not
// an array, naming the pointer.
Result<const Json*> array_at(const Json& document, const std::string& pointer);
// The type name for messages: "an object", "a string", "null", ...
std::string type_name(const Json& value);

}  // namespace rollcall::http
