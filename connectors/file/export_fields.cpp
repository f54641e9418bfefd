#include "connectors/file/export_fields.hpp"

#include "scanner/core/record_sink.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::file {
namespace {

Result<bool> parse_bool(std::string_view v) {
  std::string s = to_lower(trim(v));
  if (s == "true" || s == "1" || s == "yes") return true;
  if (s == "false" || s == "0" || s == "no" || s.empty()) return false;
  return fail("expected true or false, found " + quote(v));
}

Result<std::optional<UnixTime>> parse_time(std::string_view v) {
  if (trim(v).empty() || v == "null") return std::optional<UnixTime>();
  RC_ASSIGN(UnixTime t, parse_iso8601(v));
  return std::optional<UnixTime>(t);
}

Failure unknown(Section section, std::string_view field) {
  std::string msg = "unknown field " + quote(field);
  std::string guess = closest_match(field, field_names(section));
  if (!guess.empty()) msg += " (did you mean " + quote(guess) + "?)";
  return fail(msg);
}

}  // namespace

const std::vector<std::string>& field_names(Section section) {
  static const std::vector<std::string> accounts = {
      "id", "login", "email", "display_name", "kind", "status", "last_login", "created_at",
      "external_id", "attrs"};
  static const std::vector<std::string> entitlements = {"id", "type", "name", "privileged", "attrs"};
  static const std::vector<std::string> grants = {"account", "entitlement", "level", "via"};
  static const std::vector<std::string> credentials = {
      "account", "id", "kind", "status", "created_at", "last_used_at", "last_used_where", "use_recorded",
      "expires_at", "attrs"};
  switch (section) {
    case Section::accounts: return accounts;
    case Section::entitlements: return entitlements;
    case Section::grants: return grants;
    case Section::credentials: return credentials;
  }
  return grants;
}

void reset(PendingRecord& r) {
  r.account = Account{};
  r.entitlement = Entitlement{};
  r.grant = Grant{};
  r.credential = Credential{};
  r.has_id = false;
  r.has_entitlement = false;
  r.has_kind = false;
}

Result<void> set_field(Section section, PendingRecord& r, std::string_view field, std::string_view value) {
  auto field_error = [&](const Error& e) { return fail("field " + quote(field) + ": " + e.message()); };
  switch (section) {
    case Section::accounts: {
      Account& a = r.account;
      if (field == "id") { a.id = value; r.has_id = !trim(value).empty(); }
      else if (field == "login") a.login = value;
      else if (field == "email") a.email = value;
      else if (field == "display_name") a.display_name = value;
      else if (field == "external_id") a.external_id = value;
      else if (field == "attrs") a.attrs_json = value.empty() ? "{}" : std::string(value);
      else if (field == "kind") {
        if (value.empty()) return {};
        auto k = parse_account_kind(value);
        if (!k) return field_error(k.error());
        a.kind = *k;
      } else if (field == "status") {
        if (value.empty()) return {};
        auto s = parse_account_status(value);
        if (!s) return field_error(s.error());
        a.status = *s;
      } else if (field == "last_login" || field == "created_at") {
        auto t = parse_time(value);
        if (!t) return field_error(t.error());
        (field == "last_login" ? a.last_login : a.created_at) = *t;
      } else {
        return unknown(section, field);
      }
      return {};
    }
    case Section::entitlements: {
      Entitlement& e = r.entitlement;
      if (field == "id") { e.id = value; r.has_id = !trim(value).empty(); }
      else if (field == "type") e.type = value;
      else if (field == "name") e.name = value;
      else if (field == "attrs") e.attrs_json = value.empty() ? "{}" : std::string(value);
      else if (field == "privileged") {
        auto b = parse_bool(value);
        if (!b) return field_error(b.error());
        e.privileged = *b;
      } else {
        return unknown(section, field);
      }
      return {};
    }
    case Section::grants: {
      Grant& g = r.grant;
      if (field == "account") { g.account_id = value; r.has_id = !trim(value).empty(); }
      else if (field == "entitlement") { g.entitlement_id = value; r.has_entitlement = !trim(value).empty(); }
      else if (field == "level") { if (!value.empty()) g.level = value; }
      else if (field == "via") { if (!value.empty()) g.via = value; }
      else return unknown(section, field);
      return {};
    }
    case Section::credentials: {
      Credential& c = r.credential;
      if (field == "account") { c.account_id = value; r.has_entitlement = !trim(value).empty(); }
      else if (field == "id") { c.id = value; r.has_id = !trim(value).empty(); }
      else if (field == "last_used_where") c.last_used_where = value;
      else if (field == "attrs") c.attrs_json = value.empty() ? "{}" : std::string(value);
      else if (field == "kind") {
        auto k = parse_credential_kind(value);
        if (!k) return field_error(k.error());
        c.kind = *k;
        r.has_kind = true;
      } else if (field == "status") {
        if (value.empty()) return {};
        auto s = parse_credential_status(value);
        if (!s) return field_error(s.error());
        c.status = *s;
      } else if (field == "use_recorded") {
        if (trim(value).empty()) return {};
        auto b = parse_bool(value);
        if (!b) return field_error(b.error());
        c.use_recorded = *b;
      } else if (field == "created_at" || field == "last_used_at" || field == "expires_at") {
        auto t = parse_time(value);
        if (!t) return field_error(t.error());
        (field == "created_at" ? c.created_at : field == "last_used_at" ? c.last_used_at : c.expires_at) = *t;
      } else {
        return unknown(section, field);
      }
      return {};
    }
  }
  return {};
}

Result<void> check_required(Section section, const PendingRecord& r) {
  if (section == Section::grants) {
    if (!r.has_id) return fail("missing required field \"account\"");
    if (!r.has_entitlement) return fail("missing required field \"entitlement\"");
    return {};
  }
  if (section == Section::credentials) {
    if (!r.has_entitlement) return fail("missing required field \"account\"");
    if (!r.has_id) return fail("missing required field \"id\"");
    if (!r.has_kind) return fail("missing required field \"kind\"");
    return {};
  }
  if (!r.has_id) return fail("missing required field \"id\"");
  return {};
}

Result<void> emit(Section section, const PendingRecord& r, RecordSink& sink) {
  switch (section) {
    case Section::accounts: return sink.account(r.account);
    case Section::entitlements: return sink.entitlement(r.entitlement);
    case Section::grants: return sink.grant(r.grant);
    case Section::credentials: return sink.credential(r.credential);
  }
  return {};
}

}  // namespace rollcall::connectors::file
