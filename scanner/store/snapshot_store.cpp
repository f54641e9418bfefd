#include "scanner/store/snapshot_store.hpp"

#include "scanner/core/strings.hpp"

namespace rollcall::store {
namespace {

constexpr char kSep = '\x1f';

const char* kSnapshotColumns =
    "id, system, connector_type, started_at, finished_at, status, error, digest, accounts, "
    "entitlements, grants, data_id";

Result<SnapshotInfo> read_info(Statement& s) {
  SnapshotInfo i;
  i.id = s.integer(0);
  i.system = s.text(1);
  i.connector_type = s.text(2);
  i.started_at = s.integer(3);
  i.finished_at = s.integer(4);
  RC_ASSIGN(i.status, parse_snapshot_status(s.text(5)));
  i.error = s.text(6);
  i.digest = s.text(7);
  i.accounts = s.integer(8);
  i.entitlements = s.integer(9);
  i.grants = s.integer(10);
  i.data_id = s.is_null(11) ? i.id : s.integer(11);
  return i;
}

Result<std::vector<SnapshotInfo>> query_infos(Database& db, const std::string& where,
                                              const std::function<void(Statement&)>& bind) {
  RC_ASSIGN(Statement s, db.prepare(std::string("SELECT ") + kSnapshotColumns + " FROM snapshot " + where));
  bind(s);
  std::vector<SnapshotInfo> out;
  while (true) {
    RC_ASSIGN(bool row, s.step());
    if (!row) break;
    RC_ASSIGN(SnapshotInfo info, read_info(s));
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::optional<SnapshotInfo>> first(Result<std::vector<SnapshotInfo>> rows) {
  if (!rows) return fail(rows.error());
  if (rows->empty()) return std::optional<SnapshotInfo>();
  return std::optional<SnapshotInfo>(std::move(rows->front()));
}

}  // namespace

SnapshotWriter::SnapshotWriter(Database& db, std::string system, std::string connector_type,
                               UnixTime started_at)
    : db_(db), system_(std::move(system)), connector_type_(std::move(connector_type)),
      started_at_(started_at) {}

SnapshotWriter::~SnapshotWriter() {
  insert_account_.reset();
  insert_entitlement_.reset();
  insert_grant_.reset();
  if (open_) (void)db_.exec("ROLLBACK");
}

Result<void> SnapshotWriter::start() {
  RC_TRY(db_.exec("BEGIN IMMEDIATE"));
  open_ = true;
  // The row is inserted now to reserve the id; it becomes visible only at COMMIT.
  RC_ASSIGN(Statement s, db_.prepare(
      "INSERT INTO snapshot (system, connector_type, started_at, finished_at, status) "
      "VALUES (?, ?, ?, ?, 'failed')"));
  s.bind(1, system_).bind(2, connector_type_).bind(3, started_at_).bind(4, started_at_);
  RC_TRY(s.run());
  id_ = db_.last_insert_id();
  RC_ASSIGN(Statement insert_account_stmt, db_.prepare(
      "INSERT INTO account (snapshot_id, account_id, login, email, display_name, kind, status, "
      "last_login, created_at, external_id, attrs) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
  RC_ASSIGN(Statement insert_entitlement_stmt, db_.prepare(
      "INSERT INTO entitlement (snapshot_id, entitlement_id, type, name, privileged, attrs) "
      "VALUES (?,?,?,?,?,?)"));
  RC_ASSIGN(Statement insert_grant_stmt, db_.prepare(
      "INSERT OR IGNORE INTO \"grant\" (snapshot_id, account_id, entitlement_id, via, level) "
      "VALUES (?,?,?,?,?)"));
  insert_account_.emplace(std::move(insert_account_stmt));
  insert_entitlement_.emplace(std::move(insert_entitlement_stmt));
  insert_grant_.emplace(std::move(insert_grant_stmt));
  // A big page cache keeps the bulk insert off the disk until commit.
  RC_TRY(db_.exec("PRAGMA cache_size = -262144"));
  return {};
}

Result<void> SnapshotWriter::account(const Account& a) {
  if (a.id.empty()) return fail("account with an empty id");
  if (!accounts_.insert(a.id).second) return fail("duplicate account id " + quote(a.id));
  Statement& s = *insert_account_;
  s.bind(1, id_).bind_view(2, a.id).bind_view(3, a.login).bind_view(4, a.email)
      .bind_view(5, a.display_name).bind_view(6, to_string(a.kind)).bind_view(7, to_string(a.status))
      .bind(8, a.last_login).bind(9, a.created_at).bind_view(10, a.external_id)
      .bind_view(11, a.attrs_json);
  RC_TRY(s.run());
  scratch_.clear();
  for (std::string_view f : {std::string_view("A"), std::string_view(a.id), std::string_view(a.login),
                             std::string_view(a.email), std::string_view(a.display_name),
                             to_string(a.kind), to_string(a.status), std::string_view(a.external_id),
                             std::string_view(a.attrs_json)}) {
    scratch_ += f;
    scratch_ += kSep;
  }
  scratch_ += a.last_login ? std::to_string(*a.last_login) : "-";
  scratch_ += kSep;
  scratch_ += a.created_at ? std::to_string(*a.created_at) : "-";
  digest_.add(scratch_);
  return {};
}

Result<void> SnapshotWriter::entitlement(const Entitlement& e) {
  RC_ASSIGN(EntitlementId parts, split_entitlement_id(e.id));
  if (!entitlements_.insert(e.id).second) return fail("duplicate entitlement id " + quote(e.id));
  referenced_entitlements_.erase(e.id);
  const std::string& type = e.type.empty() ? parts.type : e.type;
  const std::string& name = e.name.empty() ? parts.name : e.name;
  Statement& s = *insert_entitlement_;
  s.bind(1, id_).bind(2, e.id).bind(3, type).bind(4, name)
      .bind(5, std::int64_t{e.privileged ? 1 : 0}).bind(6, e.attrs_json);
  RC_TRY(s.run());
  scratch_ = "E";
  for (std::string_view f : {std::string_view(e.id), std::string_view(type), std::string_view(name),
                             std::string_view(e.privileged ? "1" : "0"), std::string_view(e.attrs_json)}) {
    scratch_ += kSep;
    scratch_ += f;
  }
  digest_.add(scratch_);
  return {};
}

Result<void> SnapshotWriter::grant(const Grant& g) {
  if (g.account_id.empty()) return fail("grant with an empty account id");
  if (g.entitlement_id.empty()) return fail("grant of account " + quote(g.account_id) + " has an empty entitlement id");
  if (!accounts_.count(g.account_id)) unseen_grant_accounts_.push_back(g.account_id);
  if (!entitlements_.count(g.entitlement_id)) referenced_entitlements_.insert(g.entitlement_id);
  Statement& s = *insert_grant_;
  s.bind(1, id_).bind_view(2, g.account_id).bind_view(3, g.entitlement_id).bind_view(4, g.via)
      .bind_view(5, g.level);
  RC_TRY(s.run());
  if (db_.changes() == 0) return {};  // an exact repeat of a grant already recorded
  ++grants_;
  scratch_ = "G";
  for (std::string_view f : {std::string_view(g.account_id), std::string_view(g.entitlement_id),
                             std::string_view(g.via), std::string_view(g.level)}) {
    scratch_ += kSep;
    scratch_ += f;
  }
  digest_.add(scratch_);
  return {};
}

Result<SnapshotInfo> SnapshotWriter::commit(UnixTime finished_at) {
  for (const auto& a : unseen_grant_accounts_) {
    if (!accounts_.count(a)) return fail("a grant references account " + quote(a) + ", which is not in the export");
  }
  unseen_grant_accounts_.clear();
  // Entitlements only referenced by grants are created from their ids.
  std::vector<std::string> implied(referenced_entitlements_.begin(), referenced_entitlements_.end());
  for (const auto& id : implied) {
    Entitlement e;
    e.id = id;
    RC_TRY(entitlement(e));
  }

  SnapshotInfo info;
  info.id = id_;
  info.system = system_;
  info.connector_type = connector_type_;
  info.started_at = started_at_;
  info.finished_at = finished_at;
  info.status = SnapshotStatus::complete;
  info.digest = digest_.hex();
  info.accounts = static_cast<std::int64_t>(accounts_.size());
  info.entitlements = static_cast<std::int64_t>(entitlements_.size());
  info.grants = grants_;
  info.data_id = id_;

  SnapshotStore store(db_);
  RC_ASSIGN(auto previous, store.latest_complete(system_));
  insert_account_.reset();
  insert_entitlement_.reset();
  insert_grant_.reset();
  if (previous && previous->digest == info.digest) {
    // Unchanged: drop this copy, keep only the observation pointing at the earlier data.
    open_ = false;
    RC_TRY(db_.exec("ROLLBACK"));
    RC_TRY(db_.exec("BEGIN IMMEDIATE"));
    open_ = true;
    RC_ASSIGN(Statement s, db_.prepare(
        "INSERT INTO snapshot (system, connector_type, started_at, finished_at, status, digest, "
        "accounts, entitlements, grants, data_id) VALUES (?,?,?,?,'complete',?,?,?,?,?)"));
    s.bind(1, system_).bind(2, connector_type_).bind(3, started_at_).bind(4, finished_at)
        .bind(5, info.digest).bind(6, info.accounts).bind(7, info.entitlements).bind(8, info.grants)
        .bind(9, previous->data_id);
    RC_TRY(s.run());
    info.id = db_.last_insert_id();
    info.data_id = previous->data_id;
  } else {
    RC_ASSIGN(Statement s, db_.prepare(
        "UPDATE snapshot SET finished_at=?, status='complete', digest=?, accounts=?, "
        "entitlements=?, grants=?, data_id=id WHERE id=?"));
    s.bind(1, finished_at).bind(2, info.digest).bind(3, info.accounts).bind(4, info.entitlements)
        .bind(5, info.grants).bind(6, id_);
    RC_TRY(s.run());
  }
  open_ = false;
  if (auto r = db_.exec("COMMIT"); !r) {
    (void)db_.exec("ROLLBACK");
    return fail(r.error());
  }
  return info;
}

Result<SnapshotInfo> SnapshotWriter::abort(const Error& error, UnixTime finished_at) {
  insert_account_.reset();
  insert_entitlement_.reset();
  insert_grant_.reset();
  SnapshotInfo info;
  info.system = system_;
  info.connector_type = connector_type_;
  info.started_at = started_at_;
  info.finished_at = finished_at;
  info.status = records() > 0 ? SnapshotStatus::partial : SnapshotStatus::failed;
  info.error = error.message();
  info.accounts = static_cast<std::int64_t>(accounts_.size());
  info.entitlements = static_cast<std::int64_t>(entitlements_.size());
  info.grants = grants_;
  if (open_) {
    open_ = false;
    RC_TRY(db_.exec("ROLLBACK"));
  }
  RC_TRY(db_.exec("BEGIN IMMEDIATE"));
  open_ = true;
  RC_ASSIGN(Statement s, db_.prepare(
      "INSERT INTO snapshot (system, connector_type, started_at, finished_at, status, error, "
      "accounts, entitlements, grants) VALUES (?,?,?,?,?,?,?,?,?)"));
  s.bind(1, system_).bind(2, connector_type_).bind(3, started_at_).bind(4, finished_at)
      .bind(5, to_string(info.status)).bind(6, info.error).bind(7, info.accounts)
      .bind(8, info.entitlements).bind(9, info.grants);
  RC_TRY(s.run());
  info.id = db_.last_insert_id();
  info.data_id = info.id;
  open_ = false;
  RC_TRY(db_.exec("COMMIT"));
  return info;
}

Result<std::unique_ptr<SnapshotWriter>> SnapshotStore::begin(const std::string& system,
                                                             const std::string& connector_type,
                                                             UnixTime started_at) {
  std::unique_ptr<SnapshotWriter> w(new SnapshotWriter(db_, system, connector_type, started_at));
  RC_TRY(w->start());
  return w;
}

Result<std::optional<SnapshotInfo>> SnapshotStore::latest(const std::string& system) {
  return first(query_infos(db_, "WHERE system = ? ORDER BY id DESC LIMIT 1",
                           [&](Statement& s) { s.bind(1, system); }));
}

Result<std::optional<SnapshotInfo>> SnapshotStore::latest_complete(const std::string& system) {
  return first(query_infos(db_, "WHERE system = ? AND status = 'complete' ORDER BY id DESC LIMIT 1",
                           [&](Statement& s) { s.bind(1, system); }));
}

Result<std::optional<SnapshotInfo>> SnapshotStore::get(std::int64_t snapshot_id) {
  return first(query_infos(db_, "WHERE id = ?", [&](Statement& s) { s.bind(1, snapshot_id); }));
}

Result<std::vector<SnapshotInfo>> SnapshotStore::list(const std::string& system, int limit) {
  if (system.empty()) {
    return query_infos(db_, "ORDER BY id DESC LIMIT ?",
                       [&](Statement& s) { s.bind(1, std::int64_t{limit}); });
  }
  return query_infos(db_, "WHERE system = ? ORDER BY id DESC LIMIT ?", [&](Statement& s) {
    s.bind(1, system).bind(2, std::int64_t{limit});
  });
}

Result<std::vector<Account>> SnapshotStore::accounts(const SnapshotInfo& snapshot) {
  RC_ASSIGN(Statement s, db_.prepare(
      "SELECT account_id, login, email, display_name, kind, status, last_login, created_at, "
      "external_id, attrs FROM account WHERE snapshot_id = ? ORDER BY account_id"));
  s.bind(1, snapshot.data_id);
  std::vector<Account> out;
  out.reserve(static_cast<std::size_t>(snapshot.accounts));
  while (true) {
    RC_ASSIGN(bool row, s.step());
    if (!row) break;
    Account a;
    a.id = s.text(0);
    a.login = s.text(1);
    a.email = s.text(2);
    a.display_name = s.text(3);
    RC_ASSIGN(a.kind, parse_account_kind(s.text(4)));
    RC_ASSIGN(a.status, parse_account_status(s.text(5)));
    a.last_login = s.optional_integer(6);
    a.created_at = s.optional_integer(7);
    a.external_id = s.text(8);
    a.attrs_json = s.text(9);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<Entitlement>> SnapshotStore::entitlements(const SnapshotInfo& snapshot) {
  RC_ASSIGN(Statement s, db_.prepare(
      "SELECT entitlement_id, type, name, privileged, attrs FROM entitlement "
      "WHERE snapshot_id = ? ORDER BY entitlement_id"));
  s.bind(1, snapshot.data_id);
  std::vector<Entitlement> out;
  while (true) {
    RC_ASSIGN(bool row, s.step());
    if (!row) break;
    Entitlement e;
    e.id = s.text(0);
    e.type = s.text(1);
    e.name = s.text(2);
    e.privileged = s.integer(3) != 0;
    e.attrs_json = s.text(4);
    out.push_back(std::move(e));
  }
  return out;
}

Result<void> SnapshotStore::for_each_grant(const SnapshotInfo& snapshot,
                                           const std::function<Result<void>(const Grant&)>& fn) {
  RC_ASSIGN(Statement s, db_.prepare(
      "SELECT account_id, entitlement_id, via, level FROM \"grant\" WHERE snapshot_id = ? "
      "ORDER BY account_id, entitlement_id, via"));
  s.bind(1, snapshot.data_id);
  Grant g;
  while (true) {
    RC_ASSIGN(bool row, s.step());
    if (!row) break;
    g.account_id = s.text(0);
    g.entitlement_id = s.text(1);
    g.via = s.text(2);
    g.level = s.text(3);
    RC_TRY(fn(g));
  }
  return {};
}

}  // namespace rollcall::store
