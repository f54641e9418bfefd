// Field-by-field construction of records from an export, shared by the JSON and CSV readers so
// both layouts accept exactly the same names and values.
#pragma once

#include <string_view>
#include <vector>

#include "scanner/core/model.hpp"
#include "scanner/core/record_sink.hpp"
#include "scanner/core/result.hpp"

namespace rollcall::connectors::file {

enum class Section { accounts, entitlements, grants, credentials };

const std::vector<std::string>& field_names(Section section);

// A record being assembled: one of the four, chosen by the section.
struct PendingRecord {
  Account account;
  Entitlement entitlement;
  Grant grant;
  Credential credential;
  bool has_id = false;  // the required fields were seen
  bool has_entitlement = false;  // grants: entitlement; credentials: account
  bool has_kind = false;         // credentials
};

void reset(PendingRecord& r);
// Sets one field from its text; `attrs` takes a JSON object text. Fails naming the field
// ("unknown field \"lastlogin\" (did you mean \"last_login\"?)", "bad last_login ...").
Result<void> set_field(Section section, PendingRecord& r, std::string_view field, std::string_view value);
// Fails naming the first missing required field.
Result<void> check_required(Section section, const PendingRecord& r);
Result<void> emit(Section section, const PendingRecord& r, RecordSink& sink);

}  // namespace rollcall::connectors::file
