#include "connectors/ldap/ldap_writer.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "connectors/ldap/ldap_settings.hpp"
#include "connectors/ldap/ldap_values.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::ldap {
namespace {

constexpr std::string_view kType = "ldap";
constexpr std::string_view kGroupPrefix = "group:";
constexpr const char* kUserAccountControl = "userAccountControl";
constexpr std::int64_t kAccountDisable = 0x2;

using Modification = LdapConnection::Modification;

struct Group {
  std::string dn;
  std::string member_attr;  // member, uniqueMember or memberUid
  bool by_login = false;    // memberUid holds logins, the others DNs
};

// The member attribute of a group, by its object classes (any case).
std::optional<Group> member_attribute(const LdapEntry& e) {
  std::vector<std::string> classes;
  for (const auto& c : e.values("objectClass")) classes.push_back(to_lower(c));
  auto has = [&](std::string_view c) { return std::find(classes.begin(), classes.end(), c) != classes.end(); };
  if (has("groupofnames") || has("group")) return Group{e.dn, "member", false};
  if (has("groupofuniquenames")) return Group{e.dn, "uniqueMember", false};
  if (has("posixgroup")) return Group{e.dn, "memberUid", true};
  return std::nullopt;
}

std::string parenthesized(const std::string& filter) {
  std::string_view f = trim(filter);
  return starts_with(f, "(") ? std::string(f) : "(" + std::string(f) + ")";
}

class LdapWriter final : public Writer {
 public:
  LdapWriter(LdapSettings settings, std::unique_ptr<LdapConnection> conn)
      : s_(std::move(settings)), conn_(std::move(conn)) {}

  Result<LiveState> read(const Change& c) override {
    RC_TRY(check_supported(c));
    RC_ASSIGN(LdapConnection * conn, session());
    auto read = conn->read_entry(c.account_id, account_attrs());
    if (!read) return lost(read.error());
    const std::optional<LdapEntry>& account = *read;
    LiveState state;
    state.account_exists = account.has_value();
    if (account) {
      state.account_active = true;
      if (!s_.read.attrs.disabled.empty() && !account->values(s_.read.attrs.disabled).empty()) {
        auto disabled = is_disabled(s_.read.attrs.disabled, account->first(s_.read.attrs.disabled));
        if (!disabled) return fail("entry " + quote(c.account_id) + ": " + disabled.error().message());
        state.account_active = !*disabled;
      }
    }
    if (c.type == ChangeType::disable_account || c.type == ChangeType::enable_account) return state;
    RC_ASSIGN(Group group, find_group(c));
    RC_ASSIGN(std::string value, member_value(group, c, account));
    RC_ASSIGN(std::vector<std::string> held, held_values(*conn, group, value));
    if (!held.empty()) state.level = "member";
    return state;
  }

  Result<void> write(const Change& c) override {
    RC_TRY(check_supported(c));
    RC_ASSIGN(LdapConnection * conn, session());
    auto account = conn->read_entry(c.account_id, account_attrs());
    if (!account) return lost(account.error());
    if (c.type == ChangeType::disable_account || c.type == ChangeType::enable_account) {
      return set_disabled(*conn, c, *account, c.type == ChangeType::disable_account);
    }
    if (c.type == ChangeType::grant && !*account) {
      return fail("cannot add " + quote(c.account_id) + " to " + quote(c.entitlement_id) +
                  ": the account's entry does not exist");
    }
    RC_ASSIGN(Group group, find_group(c));
    RC_ASSIGN(std::string value, member_value(group, c, *account));
    std::vector<Modification> mods;
    if (c.type == ChangeType::grant) {
      mods.push_back({Modification::Op::add, group.member_attr, value});
    } else {
      RC_ASSIGN(std::vector<std::string> held, held_values(*conn, group, value));
      for (auto& v : held) mods.push_back({Modification::Op::remove, group.member_attr, std::move(v)});
      if (mods.empty()) return {};
    }
    auto done = conn->modify(group.dn, mods);
    if (!done) return lost(done.error());
    // Already a member (on add) or already not one (on delete): the change holds; apply's
    // read confirms it.
    return {};
  }

 private:
  Result<void> check_supported(const Change& c) const {
    switch (c.type) {
      case ChangeType::deactivate_credential: return fail(unsupported(c, "ldap"));
      case ChangeType::grant:
      case ChangeType::revoke:
        if (!starts_with(c.entitlement_id, kGroupPrefix) || c.entitlement_id.size() == kGroupPrefix.size()) {
          return fail(unsupported(c, kType).message() + " (only group:<name> memberships are written; " +
                      quote(c.entitlement_id) + " is not one)");
        }
        return {};
      case ChangeType::disable_account:
      case ChangeType::enable_account:
        if (to_lower(s_.read.attrs.disabled) != to_lower(kUserAccountControl)) {
          return fail(unsupported(c, kType).message() + " (only Active Directory's userAccountControl is "
                      "written; this system's disabled attribute is " + quote(s_.read.attrs.disabled) + ")");
        }
        return {};
      case ChangeType::set_level:
      case ChangeType::create_account: break;
    }
    return fail(unsupported(c, kType));
  }

  std::vector<std::string> account_attrs() const {
    std::vector<std::string> out = {"objectClass"};
    for (const std::string* a : {&s_.read.attrs.login, &s_.read.attrs.disabled}) {
      if (!a->empty()) out.push_back(*a);
    }
    return out;
  }

  // The group an entitlement names, looked up once per writer.
  Result<Group> find_group(const Change& c) {
    const std::string name = c.entitlement_id.substr(kGroupPrefix.size());
    if (auto it = groups_.find(name); it != groups_.end()) return it->second;
    const std::string filter = "(&" + parenthesized(s_.read.group_filter) + "(" + s_.read.attrs.group_name +
                               "=" + escape_filter_value(name) + "))";
    std::vector<LdapEntry> found;
    for (const std::string& base : s_.read.group_bases) {
      auto r = conn_->search(SearchRequest{base, filter, {"objectClass"}, s_.read.page_size},
                             [&](const LdapEntry& e) -> Result<void> {
                               found.push_back(e);
                               return {};
                             });
      if (!r) return lost(r.error());
    }
    if (found.empty()) {
      return fail("group " + quote(name) + " not found under " + join(s_.read.group_bases, "; ") +
                  " (filter " + filter + ")");
    }
    if (found.size() > 1) {
      std::vector<std::string> dns;
      for (const auto& e : found) dns.push_back(quote(e.dn));
      return fail(std::to_string(found.size()) + " groups are named " + quote(name) + ": " + join(dns, ", "));
    }
    auto group = member_attribute(found.front());
    if (!group) {
      return fail("group " + quote(found.front().dn) +
                  " is no groupOfNames, groupOfUniqueNames, posixGroup or group: its member attribute is unknown");
    }
    groups_.emplace(name, *group);
    return *group;
  }

  // The value that makes the account a member: its DN, or for memberUid its login.
  Result<std::string> member_value(const Group& g, const Change& c, const std::optional<LdapEntry>& account) const {
    if (!g.by_login) return c.account_id;
    const std::string& attr = s_.read.attrs.login;
    std::string login = account && !attr.empty() ? account->first(attr) : c.account_login;
    if (login.empty()) {
      return fail("group " + quote(g.dn) + " lists logins (memberUid), and " + quote(c.account_id) +
                  " has no login" + (attr.empty() ? " (attrs.login is off)" : " attribute " + attr));
    }
    return login;
  }

  // The values of the group's member attribute that make `value` a member: the server compares
  // member and memberUid values itself (DNs whatever their case and spacing). uniqueMember
  // values may carry a "#'0101'B" uid that the server's compare does not ignore, so they are
  // read and compared as the reader compares them, and removed as they are stored.
  Result<std::vector<std::string>> held_values(LdapConnection& conn, const Group& g, const std::string& value) {
    if (g.member_attr != "uniqueMember") {
      auto member = conn.compare(g.dn, g.member_attr, value);
      if (!member) return lost(member.error());
      if (!*member) return std::vector<std::string>();
      return std::vector<std::string>{value};
    }
    auto entry = conn.read_entry(g.dn, {g.member_attr});
    if (!entry) return lost(entry.error());
    if (!*entry) return fail("group " + quote(g.dn) + " is gone");
    const auto wanted = normalize_dn(value);
    std::vector<std::string> out;
    for (const auto& v : (*entry)->values(g.member_attr)) {
      if (wanted && normalize_dn(strip_unique_id(v)) == wanted) out.push_back(v);
    }
    return out;
  }

  // userAccountControl with ACCOUNTDISABLE set, every other bit as read just before. (A delete
  // of the old value plus an add of the new one would refuse a value changed in between, but
  // needs an equality rule for the attribute, which not every schema gives userAccountControl.)
  // Sets or clears ACCOUNTDISABLE in userAccountControl, keeping every other flag: a rehire is
  // the same entry enabled again, never a new one.
  Result<void> set_disabled(LdapConnection& conn, const Change& c, const std::optional<LdapEntry>& account,
                            bool disable) {
    if (!account) {
      return fail(std::string("cannot ") + (disable ? "disable " : "enable ") + quote(c.account_id) +
                  ": the entry does not exist");
    }
    const std::string& attr = s_.read.attrs.disabled;
    const std::string current = account->first(attr);
    std::int64_t flags = 0;
    const auto [end, ec] = std::from_chars(current.data(), current.data() + current.size(), flags);
    if (current.empty() || ec != std::errc() || end != current.data() + current.size()) {
      return fail("entry " + quote(c.account_id) + ": " + attr + " is " + quote(current) + ", not a number");
    }
    const std::int64_t wanted = disable ? (flags | kAccountDisable) : (flags & ~kAccountDisable);
    if (wanted == flags) return {};
    auto done = conn.modify(c.account_id, {{Modification::Op::replace, attr, std::to_string(wanted)}});
    if (!done) return lost(done.error());
    return {};
  }

  // The bound session, opened again after a failure.
  Result<LdapConnection*> session() {
    if (!conn_) {
      RC_ASSIGN(conn_, connect(s_));
    }
    return conn_.get();
  }

  // Any failed operation closes the session: the server may be gone, and the next call binds
  // again on a fresh connection.
  Failure lost(const Error& error) {
    conn_.reset();
    return fail(error);
  }

  LdapSettings s_;
  std::unique_ptr<LdapConnection> conn_;
  std::map<std::string, Group> groups_;  // group name -> entry, found once
};

}  // namespace

Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system, const ConnectorEnv& env) {
  RC_ASSIGN(LdapSettings s, read_settings(system, env));
  RC_ASSIGN(auto conn, connect(s));
  return std::unique_ptr<Writer>(new LdapWriter(std::move(s), std::move(conn)));
}

}  // namespace rollcall::connectors::ldap
