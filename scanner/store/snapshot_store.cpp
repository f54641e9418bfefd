#include "scanner/store/snapshot_store.hpp"

#include <algorithm>
#include <tuple>

#include "scanner/core/strings.hpp"

namespace rollcall::store {
namespace {

constexpr char kSep = '\x1f';
// Grants per multi-row INSERT (5 parameters each, well under SQLite's limit of 32766).
constexpr std::size_t kGrantBatch = 200;

const char* kSnapshotColumns =
    "id, system, connector_type, started_at, finished_at, status, error, digest, accounts, "
    "entitlements, grants, data_id, credentials";

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
  i.credentials = s.integer(12);
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
  insert_grants_.reset();
  insert_grant_.reset();
  if (open_) (void)db_.exec("ROLLBACK");
}

std::int64_t SnapshotWriter::IdNumbers::number(const std::string& id) {
  if (last >= 0 && *names[static_cast<std::size_t>(last)] == id) return last;
  auto [it, fresh] = index.emplace(id, static_cast<std::int64_t>(index.size()));
  if (fresh) {
    emitted.push_back(0);
    names.push_back(&it->first);
  }
  last = it->second;
  return last;
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
  RC_ASSIGN(Statement accounts, db_.prepare(
      "INSERT INTO account (snapshot_id, account_id, idx, login, email, display_name, kind, "
      "status, last_login, created_at, external_id, attrs) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"));
  RC_ASSIGN(Statement entitlements, db_.prepare(
      "INSERT INTO entitlement (snapshot_id, entitlement_id, idx, type, name, privileged, attrs) "
      "VALUES (?,?,?,?,?,?,?)"));
  std::string many = "INSERT INTO \"grant\" (snapshot_id, account_idx, entitlement_idx, via, level) VALUES ";
  for (std::size_t i = 0; i < kGrantBatch; ++i) many += i ? ",(?,?,?,?,?)" : "(?,?,?,?,?)";
  RC_ASSIGN(Statement grants, db_.prepare(many));
  RC_ASSIGN(Statement grant, db_.prepare(
      "INSERT INTO \"grant\" (snapshot_id, account_idx, entitlement_idx, via, level) "
      "VALUES (?,?,?,?,?)"));
  insert_account_.emplace(std::move(accounts));
  insert_entitlement_.emplace(std::move(entitlements));
  insert_grants_.emplace(std::move(grants));
  insert_grant_.emplace(std::move(grant));
  pending_.reserve(kGrantBatch);
  // A big page cache keeps the bulk insert off the disk until commit.
  RC_TRY(db_.exec("PRAGMA cache_size = -262144"));
  return {};
}

Result<void> SnapshotWriter::account(const Account& a) {
  if (a.id.empty()) return fail("account with an empty id");
  const std::int64_t idx = accounts_.number(a.id);
  if (accounts_.emitted[idx]) return fail("duplicate account id " + quote(a.id));
  accounts_.emitted[idx] = 1;
  ++accounts_.emitted_count;
  Statement& s = *insert_account_;
  s.bind(1, id_).bind_view(2, a.id).bind(3, idx).bind_view(4, a.login).bind_view(5, a.email)
      .bind_view(6, a.display_name).bind_view(7, to_string(a.kind)).bind_view(8, to_string(a.status))
      .bind(9, a.last_login).bind(10, a.created_at).bind_view(11, a.external_id)
      .bind_view(12, a.attrs_json);
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
  RC_TRY(split_entitlement_id(e.id));
  const std::int64_t idx = entitlements_.number(e.id);
  if (entitlements_.emitted[idx]) return fail("duplicate entitlement id " + quote(e.id));
  return insert_entitlement(e, idx);
}

Result<void> SnapshotWriter::insert_entitlement(const Entitlement& e, std::int64_t idx) {
  RC_ASSIGN(EntitlementId parts, split_entitlement_id(e.id));
  entitlements_.emitted[idx] = 1;
  ++entitlements_.emitted_count;
  const std::string& type = e.type.empty() ? parts.type : e.type;
  const std::string& name = e.name.empty() ? parts.name : e.name;
  Statement& s = *insert_entitlement_;
  s.bind(1, id_).bind_view(2, e.id).bind(3, idx).bind_view(4, type).bind_view(5, name)
      .bind(6, std::int64_t{e.privileged ? 1 : 0}).bind_view(7, e.attrs_json);
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
  // Checked now, while the connector can still say which record it was (a cheap find, not
  // split_entitlement_id's copies: this runs once per grant).
  if (const auto colon = g.entitlement_id.find(':');
      colon == std::string::npos || colon == 0 || colon + 1 == g.entitlement_id.size()) {
    auto bad = split_entitlement_id(g.entitlement_id);
    return fail("grant of account " + quote(g.account_id) + ": " +
                (bad ? std::string("bad entitlement id") : bad.error().message()));
  }
  const std::int64_t account = accounts_.number(g.account_id);
  const auto seq = static_cast<std::uint32_t>(seen_.size());
  if (!accounts_.emitted[account]) referenced_early_.emplace(account, seq);
  const std::int64_t entitlement = entitlements_.number(g.entitlement_id);
  const std::int64_t via = vias_.number(g.via);
  const std::int64_t level = levels_.number(g.level);
  // Kept as four numbers until commit, where sorting finds repeats without a hash lookup per
  // grant (random memory access dominated the ingest profile).
  seen_.push_back({static_cast<std::uint32_t>(account), static_cast<std::uint32_t>(entitlement),
                   static_cast<std::uint32_t>(via), static_cast<std::uint32_t>(level), seq});
  return {};
}

Result<void> SnapshotWriter::credential(const Credential& c) {
  if (c.account_id.empty()) return fail("credential " + quote(c.id) + " has an empty account id");
  if (c.id.empty()) return fail("credential of account " + quote(c.account_id) + " has an empty id");
  std::string key = c.account_id + kSep + c.id;
  if (!credential_keys_.emplace(std::move(key), static_cast<std::uint32_t>(credentials_.size())).second) {
    return fail("duplicate credential " + quote(c.id) + " of account " + quote(c.account_id));
  }
  credentials_.push_back(c);
  return {};
}

// Every credential's account must be in the export; written in (account, id) order so the
// digest does not depend on the order the connector emitted them.
Result<void> SnapshotWriter::write_credentials() {
  std::sort(credentials_.begin(), credentials_.end(), [](const Credential& a, const Credential& b) {
    return std::tie(a.account_id, a.id) < std::tie(b.account_id, b.id);
  });
  RC_ASSIGN(Statement s, db_.prepare(
      "INSERT INTO credential (snapshot_id, account_id, credential_id, kind, status, created_at, "
      "last_used_at, last_used_where, use_recorded, expires_at, attrs) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
  for (const Credential& c : credentials_) {
    auto account = accounts_.index.find(c.account_id);
    if (account == accounts_.index.end() || !accounts_.emitted[account->second]) {
      return fail("credential " + quote(c.id) + " belongs to account " + quote(c.account_id) +
                  ", which is not in the export");
    }
    s.bind(1, id_).bind_view(2, c.account_id).bind_view(3, c.id).bind_view(4, to_string(c.kind))
        .bind_view(5, to_string(c.status)).bind(6, c.created_at).bind(7, c.last_used_at)
        .bind_view(8, c.last_used_where).bind(9, std::int64_t{c.use_recorded ? 1 : 0}).bind(10, c.expires_at)
        .bind_view(11, c.attrs_json);
    RC_TRY(s.run());
    scratch_ = "C";
    for (std::string_view f : {std::string_view(c.account_id), std::string_view(c.id), to_string(c.kind),
                               to_string(c.status), std::string_view(c.last_used_where),
                               std::string_view(c.use_recorded ? "1" : "0"),
                               std::string_view(c.attrs_json)}) {
      scratch_ += kSep;
      scratch_ += f;
    }
    for (const auto& t : {c.created_at, c.last_used_at, c.expires_at}) {
      scratch_ += kSep;
      scratch_ += t ? std::to_string(*t) : "-";
    }
    digest_.add(scratch_);
  }
  return {};
}

Result<void> SnapshotWriter::finish(const GrantLocator& locate) {
  if (finished_) return {};
  finished_ = true;
  // Every account a grant names must be in the export. The first such grant in input order is
  // named, so the message does not depend on hash order.
  const std::pair<const std::int64_t, std::uint32_t>* dangling = nullptr;
  for (const auto& ref : referenced_early_) {
    if (!accounts_.emitted[ref.first] && (dangling == nullptr || ref.second < dangling->second)) dangling = &ref;
  }
  if (dangling != nullptr) {
    return fail(locate(dangling->second) + ": a grant references account " +
                quote(*accounts_.names[dangling->first]) + ", which is not in the export");
  }
  referenced_early_.clear();
  return write_grants(locate);
}

Result<void> SnapshotWriter::write_grants(const GrantLocator& locate) {
  std::sort(seen_.begin(), seen_.end(), [](const PendingGrant& a, const PendingGrant& b) {
    if (a.account != b.account) return a.account < b.account;
    if (a.entitlement != b.entitlement) return a.entitlement < b.entitlement;
    if (a.via != b.via) return a.via < b.via;
    return a.seq < b.seq;  // repeats in input order, so errors name the earlier record first
  });
  const PendingGrant* previous = nullptr;
  for (const PendingGrant& g : seen_) {
    if (previous && previous->account == g.account && previous->entitlement == g.entitlement &&
        previous->via == g.via) {
      if (previous->level == g.level) continue;  // an exact repeat of a grant already recorded
      const std::string& via = *vias_.names[g.via];
      return fail(locate(g.seq) + ": grant of " + quote(*entitlements_.names[g.entitlement]) + " to account " +
                  quote(*accounts_.names[g.account]) + (via == "direct" ? "" : " via " + quote(via)) +
                  " is listed twice, as " + quote(*levels_.names[previous->level]) + " (" + locate(previous->seq) +
                  ") and as " + quote(*levels_.names[g.level]));
    }
    previous = &g;
    pending_.push_back(g);
    if (pending_.size() == kGrantBatch) RC_TRY(flush_grants());
    ++grants_;
    scratch_ = "G";
    for (const std::string* f : {accounts_.names[g.account], entitlements_.names[g.entitlement],
                                 vias_.names[g.via], levels_.names[g.level]}) {
      scratch_ += kSep;
      scratch_ += *f;
    }
    digest_.add(scratch_);
  }
  RC_TRY(flush_grants());
  seen_.clear();
  seen_.shrink_to_fit();
  return {};
}

// Inserts the pending grants: full batches with one multi-row statement (far less per-row
// overhead in SQLite), a final partial batch row by row.
Result<void> SnapshotWriter::flush_grants() {
  if (pending_.empty()) return {};
  auto bind = [&](Statement& s, int base, const PendingGrant& p) {
    s.bind(base + 1, id_).bind(base + 2, p.account).bind(base + 3, p.entitlement)
        .bind_view(base + 4, *vias_.names[p.via]).bind_view(base + 5, *levels_.names[p.level]);
  };
  if (pending_.size() == kGrantBatch) {
    Statement& s = *insert_grants_;
    for (std::size_t i = 0; i < pending_.size(); ++i) bind(s, static_cast<int>(i) * 5, pending_[i]);
    RC_TRY(s.run());
  } else {
    for (const PendingGrant& p : pending_) {
      bind(*insert_grant_, 0, p);
      RC_TRY(insert_grant_->run());
    }
  }
  grant_last_ = db_.last_insert_id();
  if (grant_first_ == 0) grant_first_ = grant_last_ - static_cast<std::int64_t>(pending_.size()) + 1;
  pending_.clear();
  return {};
}

Result<SnapshotInfo> SnapshotWriter::commit(UnixTime finished_at) {
  // Every account a grant names must be in the export; entitlements only referenced by grants
  // are created from their ids (in id order, so the digest does not depend on hash order).
  RC_TRY(finish([](std::uint64_t n) { return "grant record " + std::to_string(n + 1); }));
  std::vector<const std::string*> implied;
  for (const auto& [id, idx] : entitlements_.index) {
    if (!entitlements_.emitted[idx]) implied.push_back(&id);
  }
  std::sort(implied.begin(), implied.end(), [](auto* a, auto* b) { return *a < *b; });
  for (const std::string* id : implied) {
    Entitlement e;
    e.id = *id;
    auto r = insert_entitlement(e, entitlements_.index.at(*id));
    if (!r) return r.context("a grant names entitlement " + quote(*id));
  }
  RC_TRY(write_credentials());

  SnapshotInfo info;
  info.id = id_;
  info.system = system_;
  info.connector_type = connector_type_;
  info.started_at = started_at_;
  info.finished_at = finished_at;
  info.status = SnapshotStatus::complete;
  info.digest = digest_.hex();
  info.accounts = accounts_.emitted_count;
  info.entitlements = entitlements_.emitted_count;
  info.grants = grants_;
  info.credentials = static_cast<std::int64_t>(credentials_.size());
  info.data_id = id_;

  SnapshotStore store(db_);
  RC_ASSIGN(auto previous, store.latest_complete(system_));
  insert_account_.reset();
  insert_entitlement_.reset();
  insert_grants_.reset();
  insert_grant_.reset();
  if (previous && previous->digest == info.digest) {
    // Unchanged: drop this copy, keep only the observation pointing at the earlier data.
    open_ = false;
    RC_TRY(db_.exec("ROLLBACK"));
    RC_TRY(db_.exec("BEGIN IMMEDIATE"));
    open_ = true;
    RC_ASSIGN(Statement s, db_.prepare(
        "INSERT INTO snapshot (system, connector_type, started_at, finished_at, status, digest, "
        "accounts, entitlements, grants, data_id, credentials) VALUES (?,?,?,?,'complete',?,?,?,?,?,?)"));
    s.bind(1, system_).bind(2, connector_type_).bind(3, started_at_).bind(4, finished_at)
        .bind(5, info.digest).bind(6, info.accounts).bind(7, info.entitlements).bind(8, info.grants)
        .bind(9, previous->data_id).bind(10, info.credentials);
    RC_TRY(s.run());
    info.id = db_.last_insert_id();
    info.data_id = previous->data_id;
  } else {
    RC_ASSIGN(Statement s, db_.prepare(
        "UPDATE snapshot SET finished_at=?, status='complete', digest=?, accounts=?, "
        "entitlements=?, grants=?, data_id=id, grant_first=?, grant_last=?, credentials=? WHERE id=?"));
    s.bind(1, finished_at).bind(2, info.digest).bind(3, info.accounts).bind(4, info.entitlements)
        .bind(5, info.grants).bind(6, grant_first_).bind(7, grant_last_).bind(8, info.credentials)
        .bind(9, id_);
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
  insert_grants_.reset();
  insert_grant_.reset();
  SnapshotInfo info;
  info.system = system_;
  info.connector_type = connector_type_;
  info.started_at = started_at_;
  info.finished_at = finished_at;
  info.status = records() > 0 ? SnapshotStatus::partial : SnapshotStatus::failed;
  info.error = error.message();
  info.accounts = accounts_.emitted_count;
  info.entitlements = entitlements_.emitted_count;
  info.grants = static_cast<std::int64_t>(seen_.size()) + grants_;
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

namespace {

// Each idx of a snapshot's accounts (or entitlements) mapped to its rank in id order, and the
// ids by rank when asked for.
Result<std::vector<std::uint32_t>> id_ranks(Database& db, const char* table, const char* id_column,
                                            std::int64_t data_id, std::vector<std::string>* ids) {
  RC_ASSIGN(Statement s, db.prepare(std::string("SELECT idx, ") + id_column + " FROM " + table +
                                    " WHERE snapshot_id = ? ORDER BY " + id_column));
  s.bind(1, data_id);
  std::vector<std::uint32_t> rank_of_idx;
  std::uint32_t rank = 0;
  while (true) {
    RC_ASSIGN(bool row, s.step());
    if (!row) break;
    auto idx = static_cast<std::size_t>(s.integer(0));
    if (rank_of_idx.size() <= idx) rank_of_idx.resize(idx + 1, UINT32_MAX);
    rank_of_idx[idx] = rank++;
    if (ids) ids->push_back(s.text(1));
  }
  return rank_of_idx;
}

// via and level take few distinct values: a short list searched linearly beats hashing a
// string per grant.
class SmallInterner {
 public:
  std::uint32_t id(std::string_view text) {
    if (last_ < values_.size() && values_[last_] == text) return last_;
    for (std::uint32_t i = 0; i < values_.size(); ++i) {
      if (values_[i] == text) return last_ = i;
    }
    values_.emplace_back(text);
    return last_ = static_cast<std::uint32_t>(values_.size() - 1);
  }
  const std::vector<std::string>& values() const { return values_; }

 private:
  std::vector<std::string> values_;
  std::uint32_t last_ = 0;
};

}  // namespace

Result<void> SnapshotStore::for_each_grant_ref(const SnapshotInfo& snapshot,
                                               const std::function<Result<void>(const GrantRef&)>& fn) {
  RC_ASSIGN(auto account_rank, id_ranks(db_, "account", "account_id", snapshot.data_id, nullptr));
  RC_ASSIGN(auto entitlement_rank, id_ranks(db_, "entitlement", "entitlement_id", snapshot.data_id, nullptr));
  struct Row {
    std::uint32_t account, entitlement, via, level;
  };
  SmallInterner vias, levels;
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(snapshot.grants));
  RC_ASSIGN(Statement s, db_.prepare(
      "SELECT g.account_idx, g.entitlement_idx, g.via, g.level FROM snapshot s JOIN \"grant\" g "
      "ON g.rowid BETWEEN s.grant_first AND s.grant_last WHERE s.id = ?"));
  s.bind(1, snapshot.data_id);
  const auto inconsistent = [&] {
    return fail("snapshot #" + std::to_string(snapshot.id) +
                " is inconsistent: a grant refers to a missing account or entitlement");
  };
  while (true) {
    RC_ASSIGN(bool row, s.step());
    if (!row) break;
    auto a = static_cast<std::size_t>(s.integer(0));
    auto e = static_cast<std::size_t>(s.integer(1));
    if (a >= account_rank.size() || e >= entitlement_rank.size() || account_rank[a] == UINT32_MAX ||
        entitlement_rank[e] == UINT32_MAX) {
      return inconsistent();
    }
    rows.push_back({account_rank[a], entitlement_rank[e], vias.id(s.text_view(2)), levels.id(s.text_view(3))});
  }
  // Rank the vias by their text, so rows compare by integers only.
  std::vector<std::uint32_t> via_order(vias.values().size());
  for (std::uint32_t i = 0; i < via_order.size(); ++i) via_order[i] = i;
  std::sort(via_order.begin(), via_order.end(),
            [&](auto x, auto y) { return vias.values()[x] < vias.values()[y]; });
  std::vector<std::uint32_t> via_rank(via_order.size());
  for (std::uint32_t i = 0; i < via_order.size(); ++i) via_rank[via_order[i]] = i;

  // The writer stores a snapshot's grants grouped by account: find each account's run and walk
  // the runs in account order, sorting only within a run (tens of grants), instead of sorting
  // millions of rows. Rows of one account in several runs (not written by this writer) fall
  // back to one sort of everything.
  const std::size_t accounts = account_rank.size();
  constexpr std::size_t kNoRun = SIZE_MAX;
  std::vector<std::pair<std::size_t, std::size_t>> runs(accounts, {kNoRun, 0});  // by rank: [begin, end)
  bool grouped = true;
  for (std::size_t i = 0; i < rows.size() && grouped;) {
    std::size_t j = i + 1;
    while (j < rows.size() && rows[j].account == rows[i].account) ++j;
    auto& run = runs[rows[i].account];
    if (run.first != kNoRun) grouped = false;
    run = {i, j};
    i = j;
  }
  auto by_entitlement_then_via = [&](const Row& x, const Row& y) {
    if (x.account != y.account) return x.account < y.account;
    if (x.entitlement != y.entitlement) return x.entitlement < y.entitlement;
    return via_rank[x.via] < via_rank[y.via];
  };
  GrantRef g;
  auto emit = [&](const Row& r) {
    g.account = r.account;
    g.entitlement = r.entitlement;
    g.via = &vias.values()[r.via];
    g.level = &levels.values()[r.level];
    return fn(g);
  };
  if (!grouped) {
    std::sort(rows.begin(), rows.end(), by_entitlement_then_via);
    for (const Row& r : rows) RC_TRY(emit(r));
    return {};
  }
  for (const auto& [begin, end] : runs) {
    if (begin == kNoRun) continue;
    std::sort(rows.begin() + static_cast<std::ptrdiff_t>(begin), rows.begin() + static_cast<std::ptrdiff_t>(end),
              by_entitlement_then_via);
    for (std::size_t i = begin; i < end; ++i) RC_TRY(emit(rows[i]));
  }
  return {};
}

Result<std::vector<Credential>> SnapshotStore::credentials(const SnapshotInfo& snapshot) {
  RC_ASSIGN(Statement s, db_.prepare(
      "SELECT account_id, credential_id, kind, status, created_at, last_used_at, last_used_where, "
      "use_recorded, expires_at, attrs FROM credential WHERE snapshot_id = ? ORDER BY account_id, credential_id"));
  s.bind(1, snapshot.data_id);
  std::vector<Credential> out;
  while (true) {
    RC_ASSIGN(bool row, s.step());
    if (!row) break;
    Credential c;
    c.account_id = s.text(0);
    c.id = s.text(1);
    RC_ASSIGN(c.kind, parse_credential_kind(s.text(2)));
    RC_ASSIGN(c.status, parse_credential_status(s.text(3)));
    c.created_at = s.optional_integer(4);
    c.last_used_at = s.optional_integer(5);
    c.last_used_where = s.text(6);
    c.use_recorded = s.integer(7) != 0;
    c.expires_at = s.optional_integer(8);
    c.attrs_json = s.text(9);
    out.push_back(std::move(c));
  }
  return out;
}

Result<void> SnapshotStore::for_each_grant(const SnapshotInfo& snapshot,
                                           const std::function<Result<void>(const Grant&)>& fn) {
  std::vector<std::string> account_ids, entitlement_ids;
  RC_TRY(id_ranks(db_, "account", "account_id", snapshot.data_id, &account_ids));
  RC_TRY(id_ranks(db_, "entitlement", "entitlement_id", snapshot.data_id, &entitlement_ids));
  Grant grant;
  return for_each_grant_ref(snapshot, [&](const GrantRef& g) -> Result<void> {
    grant.account_id = account_ids[g.account];
    grant.entitlement_id = entitlement_ids[g.entitlement];
    grant.via = *g.via;
    grant.level = *g.level;
    return fn(grant);
  });
}

}  // namespace rollcall::store
