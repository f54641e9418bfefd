#include "connectors/ldap/directory_reader.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

#include "connectors/api/membership_graph.hpp"
#include "connectors/ldap/ldap_values.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::ldap {
namespace {

using Json = nlohmann::json;

struct Group {
  std::string dn;
  std::string name;
  bool privileged = false;
  std::vector<std::string> object_classes;
  std::vector<std::string> member_dns;  // member and uniqueMember
  std::vector<std::string> member_uids;
};

std::string parenthesized(const std::string& filter) {
  std::string_view f = trim(filter);
  return starts_with(f, "(") ? std::string(f) : "(" + std::string(f) + ")";
}

std::vector<std::string> requested(std::initializer_list<const std::string*> attrs,
                                   std::vector<std::string> always) {
  for (const std::string* a : attrs) {
    if (!a->empty()) always.push_back(*a);
  }
  return always;
}

// Reads one time attribute of an account; absent leaves the field unset.
Result<void> read_time(const LdapEntry& e, const std::string& attr, std::optional<UnixTime>& out) {
  if (attr.empty() || e.values(attr).empty()) return {};
  auto t = parse_ldap_time(e.first(attr));
  if (!t) return fail(attr + ": " + t.error().message());
  out = *t;
  return {};
}

Result<Account> to_account(const LdapEntry& e, const AttributeMap& m, bool service) {
  auto get = [&](const std::string& attr) { return attr.empty() ? std::string() : e.first(attr); };
  Account a;
  a.id = e.dn;
  a.login = get(m.login);
  a.email = get(m.email);
  a.display_name = get(m.name);
  a.external_id = get(m.employee_id);
  a.kind = service ? AccountKind::service : AccountKind::human;
  Json attrs = {{"object_classes", e.values("objectClass")}};
  if (!m.disabled.empty() && !e.values(m.disabled).empty()) {
    std::string value = e.first(m.disabled);
    auto disabled = is_disabled(m.disabled, value);
    if (!disabled) return fail(disabled.error());
    if (*disabled) a.status = AccountStatus::disabled;
    attrs[m.disabled] = value;
  }
  RC_TRY(read_time(e, m.last_login, a.last_login));
  RC_TRY(read_time(e, m.created, a.created_at));
  a.attrs_json = attrs.dump(-1, ' ', false, Json::error_handler_t::replace);
  return a;
}

// One read of a directory: the steps of read_directory() and what they share.
class Reader {
 public:
  Reader(Directory& directory, const ReadSettings& s, Logger& log, RecordSink& sink)
      : dir_(directory), s_(s), log_(log), sink_(sink), user_filter_(parenthesized(s.user_filter)) {}

  Result<void> run() {
    RC_TRY(read_services());
    RC_TRY(read_accounts());
    RC_TRY(read_groups());
    MembershipGraph graph = link_members();
    return emit(graph);
  }

 private:
  Result<void> read_services() {
    if (s_.service_filter.empty()) return {};
    const std::string filter = "(&" + user_filter_ + parenthesized(s_.service_filter) + ")";
    for (const auto& base : s_.user_bases) {
      RC_TRY(dir_.search({base, filter, {"1.1"}, s_.page_size}, [&](const LdapEntry& e) -> Result<void> {
        if (auto n = normalize_dn(e.dn)) services_.insert(*n);
        return {};
      }));
    }
    return {};
  }

  Result<void> read_accounts() {
    const AttributeMap& m = s_.attrs;
    const auto attrs = requested(
        {&m.login, &m.email, &m.name, &m.employee_id, &m.last_login, &m.disabled, &m.created, &m.password_changed},
        {"objectClass"});
    for (const auto& base : s_.user_bases) {
      RC_TRY(dir_.search({base, user_filter_, attrs, s_.page_size}, [&](const LdapEntry& e) -> Result<void> {
        auto normalized = normalize_dn(e.dn);
        if (!normalized) return fail("entry " + quote(e.dn) + ": not a valid DN");
        if (accounts_.count(*normalized)) return {};  // overlapping user bases
        auto account = to_account(e, m, services_.count(*normalized) != 0);
        if (!account) return account.context("entry " + quote(e.dn));
        RC_TRY(sink_.account(*account));
        if (auto r = emit_password(e, account->id); !r) return r.context("entry " + quote(e.dn));
        accounts_.emplace(*normalized, e.dn);
        if (!account->login.empty()) by_login_.emplace(account->login, *normalized);
        return {};
      }));
    }
    return {};
  }

  // The account's password as a credential, dated by when it was last set. Binds are not
  // tied to the password (the lastbind overlay, where enabled, is the account's last login), so
  // its use is not recorded.
  Result<void> emit_password(const LdapEntry& e, const std::string& account_id) {
    Credential c;
    RC_TRY(read_time(e, s_.attrs.password_changed, c.created_at));
    if (!c.created_at) return {};
    c.account_id = account_id;
    c.id = "password";
    c.kind = CredentialKind::password;
    c.use_recorded = false;
    return sink_.credential(c);
  }

  Result<void> read_groups() {
    const auto attrs = requested(
        {&s_.attrs.group_name}, {"objectClass", "member", "uniqueMember", "memberUid", "adminCount"});
    std::map<std::string, std::string> by_name;  // group name -> DN
    for (const auto& base : s_.group_bases) {
      RC_TRY(dir_.search({base, parenthesized(s_.group_filter), attrs, s_.page_size},
                         [&](const LdapEntry& e) -> Result<void> {
        auto normalized = normalize_dn(e.dn);
        if (!normalized) return fail("entry " + quote(e.dn) + ": not a valid DN");
        if (groups_.count(*normalized)) return {};  // overlapping group bases
        Group g;
        g.dn = e.dn;
        g.name = e.first(s_.attrs.group_name);
        if (g.name.empty()) return fail("group " + quote(e.dn) + " has no " + s_.attrs.group_name);
        auto [it, fresh] = by_name.emplace(g.name, e.dn);
        if (!fresh) {
          return fail("groups " + quote(it->second) + " and " + quote(e.dn) + " are both named " +
                      quote(g.name) + ": narrow group_base or group_filter, or set "
                      "attrs.group_name to an attribute that is unique");
        }
        g.privileged = s_.privileged_groups.matches(g.name) || e.first("adminCount") == "1";
        g.object_classes = e.values("objectClass");
        for (const char* attr : {"member", "uniqueMember"}) {
          const auto& v = e.values(attr);
          g.member_dns.insert(g.member_dns.end(), v.begin(), v.end());
        }
        g.member_uids = e.values("memberUid");
        groups_.emplace(*normalized, std::move(g));
        return {};
      }));
    }
    return {};
  }

  // Resolves every member value to an account or group that was read; counts the others.
  MembershipGraph link_members() {
    MembershipGraph graph;
    std::size_t skipped = 0;
    for (const auto& [dn, g] : groups_) {
      for (const auto& raw : g.member_dns) {
        auto member = normalize_dn(strip_unique_id(raw));
        if (member && *member == dn) continue;  // a group listing itself adds nothing
        if (member && (groups_.count(*member) || accounts_.count(*member))) {
          graph.add(*member, dn);
        } else {
          ++skipped;
          log_.debug(s_.system + ": group " + quote(g.dn) + ": member " + quote(raw) +
                     " is not read; skipped");
        }
      }
      for (const auto& uid : g.member_uids) {
        auto [lo, hi] = by_login_.equal_range(uid);
        if (lo == hi) {
          ++skipped;
          log_.debug(s_.system + ": group " + quote(g.dn) + ": memberUid " + quote(uid) +
                     " is no account; skipped");
        }
        for (auto it = lo; it != hi; ++it) graph.add(it->second, dn);
      }
    }
    if (skipped > 0) {
      log_.info(s_.system + ": skipped " + std::to_string(skipped) +
                " group members that are neither accounts nor groups read (outside the bases or "
                "filters)");
    }
    return graph;
  }

  Result<void> emit(const MembershipGraph& graph) {
    for (const auto& [dn, g] : groups_) {
      Entitlement e;
      e.type = "group";
      e.name = g.name;
      e.id = "group:" + g.name;
      e.privileged = g.privileged;
      e.attrs_json = Json{{"dn", g.dn}, {"object_classes", g.object_classes}}.dump(
          -1, ' ', false, Json::error_handler_t::replace);
      RC_TRY(sink_.entitlement(e));
    }
    for (const auto& [dn, id] : accounts_) {
      for (const MembershipGraph::Edge* edge : graph.memberships(dn)) {
        Grant grant;
        grant.account_id = id;
        grant.entitlement_id = "group:" + groups_.at(edge->group).name;
        grant.via = edge->member == dn ? "direct" : "group:" + groups_.at(edge->member).name;
        RC_TRY(sink_.grant(grant));
      }
    }
    return {};
  }

  Directory& dir_;
  const ReadSettings& s_;
  Logger& log_;
  RecordSink& sink_;
  const std::string user_filter_;
  std::set<std::string> services_;                  // normalized DNs
  std::map<std::string, std::string> accounts_;      // normalized DN -> account id (the DN)
  std::multimap<std::string, std::string> by_login_; // login -> normalized DN
  std::map<std::string, Group> groups_;              // normalized DN -> group
};

}  // namespace

Result<void> read_directory(Directory& directory, const ReadSettings& settings, Logger& log,
                            RecordSink& sink) {
  return Reader(directory, settings, log, sink).run();
}

}  // namespace rollcall::connectors::ldap
