#include "scanner/plan/ticket_writer.hpp"

#include <fstream>
#include <vector>

#include <array>
#include "scanner/core/csv.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::plan {
namespace {

constexpr const char* kHeader = "key,system,action,account,login,entitlement,level\n";

// A CSV field, with report.csv's formula guard: the tickets file is opened in a spreadsheet,
// and account ids and logins come from target systems.
std::string field(const std::string& v) { return csv_safe_field(v); }

std::string key_of(const connectors::Change& c) {
  return std::string(connectors::to_string(c.type)) + "|" + c.account_id + "|" + c.entitlement_id + "|" +
         c.level;
}

}  // namespace

Result<bool> TicketWriter::filed(const std::string& key) const {
  std::ifstream in(path_);
  if (!in) return false;
  const std::string prefix = field(key) + ",";
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

Result<connectors::LiveState> TicketWriter::read(const connectors::Change& c) {
  connectors::LiveState s;
  RC_ASSIGN(bool done, filed(key_of(c)));
  store::SnapshotStore snapshots(db_);
  RC_ASSIGN(auto snap, snapshots.latest_complete(system_));
  if (!snap) return fail("system \"" + system_ + "\": no complete snapshot to read the state from");
  RC_ASSIGN(auto accounts, snapshots.accounts(*snap));
  for (const auto& a : accounts) {
    if (a.id != c.account_id) continue;
    s.account_exists = true;
    s.account_active = a.status == AccountStatus::active;
  }
  if (c.type == connectors::ChangeType::deactivate_credential) {
    RC_ASSIGN(auto credentials, snapshots.credentials(*snap));
    for (const auto& k : credentials) {
      if (k.account_id == c.account_id && k.id == c.credential_id) s.credential_active = k.status == CredentialStatus::active;
    }
  } else if (!c.entitlement_id.empty()) {
    RC_TRY(snapshots.for_each_grant(*snap, [&](const Grant& g) -> Result<void> {
      if (g.account_id == c.account_id && g.entitlement_id == c.entitlement_id && (g.via.empty() || g.via == "direct")) {
        s.level = g.level;
      }
      return {};
    }));
  }
  if (!done) return s;
  // A filed ticket counts as carried out: report the state the change asks for.
  switch (c.type) {
    case connectors::ChangeType::grant:
    case connectors::ChangeType::set_level: s.level = c.level; break;
    case connectors::ChangeType::revoke: s.level.reset(); break;
    case connectors::ChangeType::create_account: s.account_exists = s.account_active = true; break;
    case connectors::ChangeType::disable_account: s.account_active = false; break;
    case connectors::ChangeType::enable_account: s.account_active = true; break;
    case connectors::ChangeType::deactivate_credential: s.credential_active = false; break;
  }
  return s;
}

Result<void> TicketWriter::write(const connectors::Change& c) {
  std::error_code ec;
  std::filesystem::create_directories(path_.parent_path(), ec);
  const bool fresh = !std::filesystem::exists(path_);
  std::ofstream out(path_, std::ios::app | std::ios::binary);
  if (!out) return fail(path_.string() + ": cannot open for writing");
  if (fresh) out << kHeader;
  out << field(key_of(c)) << ',' << field(system_) << ',' << connectors::to_string(c.type) << ','
      << field(c.account_id) << ',' << field(c.account_login) << ',' << field(c.entitlement_id) << ','
      << field(c.level) << '\n';
  out.flush();
  if (!out) return fail(path_.string() + ": write failed");
  return {};
}

}  // namespace rollcall::plan
