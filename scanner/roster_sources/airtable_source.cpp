#include "scanner/roster_sources/airtable_source.hpp"

#include "connectors/api/credentials.hpp"
#include "connectors/http/api_client.hpp"
#include "connectors/http/http_config.hpp"
#include "connectors/http/paginate.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/roster_sources/roster_sources.hpp"

namespace rollcall::roster_sources {
namespace {

using http::Json;

// Airtable allows 5 requests per second per base; a little under it, so that a slow first
// request and a fast sixth still fall in different seconds at the server.
constexpr std::chrono::milliseconds kRequestInterval{220};
constexpr std::chrono::milliseconds kRateLimitWait{30'000};  // Airtable: "wait 30 seconds"

// Airtable's errors: {"error": {"type": "NOT_FOUND", "message": "..."}} or {"error": "NOT_FOUND"}.
std::string describe_error(const http::Response& response) {
  Json body = Json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("error")) return "";
  const Json& e = body["error"];
  if (e.is_string()) return e.get<std::string>();
  if (!e.is_object()) return "";
  std::string type = e.contains("type") && e["type"].is_string() ? e["type"].get<std::string>() : "";
  std::string message = e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
  if (type.empty()) return message;
  return message.empty() ? type : type + ": " + message;
}

// One scalar of a field value as text; nullopt for an object or array.
std::optional<std::string> scalar_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) return v.dump();
  // A collaborator: {"id": "usr...", "email": "...", "name": "..."}.
  if (v.is_object() && v.contains("email") && v["email"].is_string()) return v["email"].get<std::string>();
  return std::nullopt;
}

std::string shape(const Json& v) {
  if (v.is_object()) return "an object (an attachment, a button or another structured value)";
  if (v.is_array()) return "a nested list";
  return "a " + std::string(v.type_name());
}

Result<roster::FieldValue> field_value(const Json& v) {
  roster::FieldValue out;
  if (v.is_array()) {
    out.is_list = true;
    for (const Json& el : v) {
      auto text = scalar_text(el);
      if (!text) return fail("a list holding " + shape(el) + ", which a roster field cannot hold");
      out.list.push_back(std::move(*text));
    }
    return out;
  }
  auto text = scalar_text(v);
  if (!text) return fail(shape(v) + ", which a roster field cannot hold (leave it out with the fields key)");
  out.text = std::move(*text);
  return out;
}

Result<roster::SourceRecord> to_record(const Json& item, const std::string& source, std::size_t index) {
  const std::string at = source + " record #" + std::to_string(index);
  if (!item.is_object()) return fail(at + ": expected an object, not " + http::type_name(item));
  auto id = item.find("id");
  if (id == item.end() || !id->is_string() || id->get<std::string>().empty()) {
    return fail(at + ": the record has no \"id\"");
  }
  roster::SourceRecord rec;
  rec.id = id->get<std::string>();
  const std::string where = source + " record " + rec.id;
  auto fields = item.find("fields");
  if (fields == item.end() || !fields->is_object()) return fail(where + ": the record has no \"fields\" object");
  for (const auto& [name, value] : fields->items()) {
    if (value.is_null()) continue;
    auto v = field_value(value);
    if (!v) return fail(where + ": field " + quote(name) + ": " + v.error().message());
    rec.fields.emplace_back(name, std::move(v).value());
  }
  return rec;
}

}  // namespace

Result<roster::Roster> read_airtable(const config::RosterConfig& config, const connectors::ConnectorEnv& env) {
  RC_ASSIGN(config::SystemConfig sys, as_system(config));
  const config::Table& k = config.keys;
  const std::string base = *k.string("base");
  const std::string table = *k.string("table");
  const std::string source = "airtable " + base + "/" + table;

  RC_ASSIGN(auto credential, connectors::read_credential(sys, "token", env));
  if (!credential) {
    return fail(config.where + ": [roster] type \"airtable\" needs token_env or token_file (a personal access "
                "token with the data.records:read scope)");
  }
  RC_ASSIGN(http::HttpSettings settings, http::read_settings(sys, env, 1));
  settings.transport.retry.min_interval = kRequestInterval;
  settings.transport.retry.rate_limit_wait = kRateLimitWait;
  RC_ASSIGN(auto transport, http::make_transport(settings, env));

  http::ApiOptions options;
  options.base_url = k.string("base_url").value_or("https://api.airtable.com");
  options.headers = {{"Accept", "application/json"}};
  options.auth = http::SecretHeader{"Authorization", http::bearer(credential->secret)};
  options.credential_source = credential->source;
  options.describe_error = describe_error;
  auto client = http::ApiClient::create(*transport, std::move(options), env.log);
  if (!client) return fail(k.where("base_url") + ": base_url: " + client.error().message());

  http::Query query;
  if (auto view = k.string("view")) query.emplace_back("view", *view);
  for (const std::string& f : k.list("fields").value_or(std::vector<std::string>{})) query.emplace_back("fields[]", f);
  http::CursorPaging paging;
  paging.limit = 100;
  paging.limit_param = "pageSize";
  paging.items = "/records";
  paging.cursor_param = "offset";
  paging.next_cursor = "/offset";

  std::vector<Json> items;
  const std::string path = "/v0/" + http::percent_encode(base) + "/" + http::percent_encode(table);
  auto read = http::for_each_item(*client, path, query, paging, [&](const Json& item) -> Result<void> {
    items.push_back(item);
    return {};
  });
  if (!read) return fail("roster: " + read.error().message());

  std::vector<roster::SourceRecord> records;
  records.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    RC_ASSIGN(roster::SourceRecord rec, to_record(items[i], source, i + 1));
    records.push_back(std::move(rec));
  }
  env.log.debug("roster: " + std::to_string(records.size()) + " records from " + source);
  return roster::roster_from_records(roster::SourceKind::airtable, source, records, config.columns);
}

}  // namespace rollcall::roster_sources
