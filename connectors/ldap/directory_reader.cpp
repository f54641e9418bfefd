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
  a.attrs_json = attrs.dump();
  return a;
}

}  // namespace

Result<void> read_directory(Directory& directory, const ReadSettings& s, Logger& log,
                            RecordSink& sink) {
  const std::string user_filter = parenthesized(s.user_filter);

  std::set<std::string> services;  // normalized DNs
  if (!s.service_filter.empty()) {
    const std::string filter = "(&" + user_filter + parenthesized(s.service_filter) + ")";
    for (const auto& base : s.user_bases) {
      RC_TRY(directory.search({base, filter, {"1.1"}, s.page_size}, [&](const LdapEntry& e) -> Result<void> {
        if (auto n = normalize_dn(e.dn)) services.insert(*n);
        return {};
      }));
    }
  }

  std::map<std::string, std::string> accounts;           // normalized DN -> account id (the DN)
  std::multimap<std::string, std::string> by_login;      // login -> normalized DN
  const AttributeMap& m = s.attrs;
  const auto user_attrs = requested(
      {&m.login, &m.email, &m.name, &m.employee_id, &m.last_login, &m.disabled, &m.created},
      {"objectClass"});
  for (const auto& base : s.user_bases) {
    RC_TRY(directory.search({base, user_filter, user_attrs, s.page_size}, [&](const LdapEntry& e) -> Result<void> {
      auto normalized = normalize_dn(e.dn);
      if (!normalized) return fail("entry " + quote(e.dn) + ": not a valid DN");
      if (accounts.count(*normalized)) return {};  // overlapping user bases
      auto account = to_account(e, m, services.count(*normalized) != 0);
      if (!account) return account.context("entry " + quote(e.dn));
      RC_TRY(sink.account(*account));
      accounts.emplace(*normalized, e.dn);
      if (!account->login.empty()) by_login.emplace(account->login, *normalized);
      return {};
    }));
  }

  std::map<std::string, Group> groups;          // normalized DN -> group
  std::map<std::string, std::string> by_name;   // group name -> DN
  const auto group_attrs = requested(
      {&m.group_name}, {"objectClass", "member", "uniqueMember", "memberUid", "adminCount"});
  for (const auto& base : s.group_bases) {
    RC_TRY(directory.search({base, parenthesized(s.group_filter), group_attrs, s.page_size},
                            [&](const LdapEntry& e) -> Result<void> {
      auto normalized = normalize_dn(e.dn);
      if (!normalized) return fail("entry " + quote(e.dn) + ": not a valid DN");
      if (groups.count(*normalized)) return {};  // overlapping group bases
      Group g;
      g.dn = e.dn;
      g.name = e.first(m.group_name);
      if (g.name.empty()) return fail("group " + quote(e.dn) + " has no " + m.group_name);
      auto [it, fresh] = by_name.emplace(g.name, e.dn);
      if (!fresh) {
        return fail("groups " + quote(it->second) + " and " + quote(e.dn) + " are both named " +
                    quote(g.name) + ": narrow group_base or group_filter, or set attrs.group_name "
                    "to an attribute that is unique");
      }
      g.privileged = s.privileged_groups.matches(g.name) || e.first("adminCount") == "1";
      g.object_classes = e.values("objectClass");
      for (const char* attr : {"member", "uniqueMember"}) {
        const auto& v = e.values(attr);
        g.member_dns.insert(g.member_dns.end(), v.begin(), v.end());
      }
      g.member_uids = e.values("memberUid");
      groups.emplace(*normalized, std::move(g));
      return {};
    }));
  }

  MembershipGraph graph;
  std::size_t skipped = 0;
  for (const auto& [dn, g] : groups) {
    for (const auto& raw : g.member_dns) {
      auto member = normalize_dn(strip_unique_id(raw));
      if (member && *member == dn) continue;  // a group listing itself adds nothing
      if (member && (groups.count(*member) || accounts.count(*member))) {
        graph.add(*member, dn);
      } else {
        ++skipped;
        log.debug(s.system + ": group " + quote(g.dn) + ": member " + quote(raw) + " is not read; skipped");
      }
    }
    for (const auto& uid : g.member_uids) {
      auto [lo, hi] = by_login.equal_range(uid);
      if (lo == hi) {
        ++skipped;
        log.debug(s.system + ": group " + quote(g.dn) + ": memberUid " + quote(uid) + " is no account; skipped");
      }
      for (auto it = lo; it != hi; ++it) graph.add(it->second, dn);
    }
  }
  if (skipped > 0) {
    log.info(s.system + ": skipped " + std::to_string(skipped) +
             " group members that are neither accounts nor groups read (outside the bases or "
             "filters)");
  }

  for (const auto& [dn, g] : groups) {
    Entitlement e;
    e.type = "group";
    e.name = g.name;
    e.id = "group:" + g.name;
    e.privileged = g.privileged;
    e.attrs_json = Json{{"dn", g.dn}, {"object_classes", g.object_classes}}.dump();
    RC_TRY(sink.entitlement(e));
  }
  for (const auto& [dn, id] : accounts) {
    for (const MembershipGraph::Edge* edge : graph.memberships(dn)) {
      Grant grant;
      grant.account_id = id;
      grant.entitlement_id = "group:" + groups.at(edge->group).name;
      grant.via = edge->member == dn ? "direct" : "group:" + groups.at(edge->member).name;
      RC_TRY(sink.grant(grant));
    }
  }
  return {};
}

}  // namespace rollcall::connectors::ldap
