#include "connectors/ldap/ldap_connection.hpp"

#include <ldap.h>
#include <sys/time.h>

#include <array>
#include <utility>
#include <vector>

#include "connectors/ldap/ldap_values.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::ldap {
namespace {

struct MessageFree {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
using Message = std::unique_ptr<LDAPMessage, MessageFree>;

struct ControlsFree {
  void operator()(LDAPControl** c) const { ldap_controls_free(c); }
};

// The paged-results cookie: opaque bytes from the server, owned by libldap's allocator.
struct Cookie {
  berval bv{0, nullptr};
  Cookie() = default;
  Cookie(const Cookie&) = delete;
  Cookie& operator=(const Cookie&) = delete;
  ~Cookie() { ber_memfree(bv.bv_val); }
  void replace(berval next) {
    ber_memfree(bv.bv_val);
    bv = next;
  }
};

timeval seconds(std::int64_t s) { return timeval{static_cast<time_t>(s), 0}; }

std::string one_line(std::string_view s) {
  std::string out(trim(s));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

// Calls fn(attribute description, values) for each attribute of the entry `msg`.
template <class Fn>
Result<void> for_each_attribute(LDAP* ld, LDAPMessage* msg, Fn&& fn) {
  BerElement* ber = nullptr;
  Result<void> result;
  for (char* a = ldap_first_attribute(ld, msg, &ber); a != nullptr;
       a = ldap_next_attribute(ld, msg, ber)) {
    std::vector<std::string> values;
    if (berval** vals = ldap_get_values_len(ld, msg, a)) {
      for (berval** v = vals; *v != nullptr; ++v) values.emplace_back((*v)->bv_val, (*v)->bv_len);
      ldap_value_free_len(vals);
    }
    if (result.ok()) result = fn(std::string_view(a), std::move(values));
    ldap_memfree(a);
  }
  if (ber != nullptr) ber_free(ber, 0);
  return result;
}

}  // namespace

LdapConnection::~LdapConnection() { ldap_unbind_ext_s(ld_, nullptr, nullptr); }

Result<std::unique_ptr<LdapConnection>> LdapConnection::open(const LdapOptions& options) {
  LDAP* ld = nullptr;
  int rc = ldap_initialize(&ld, options.url.c_str());
  if (rc != LDAP_SUCCESS || ld == nullptr) {
    return fail(quote(options.url) + " is not a valid LDAP URL: " + ldap_err2string(rc));
  }
  const bool tls = options.starttls || starts_with(to_lower(options.url), "ldaps://");
  std::unique_ptr<LdapConnection> conn(new LdapConnection(ld, options.url, options.timeout_s, tls));
  int version = LDAP_VERSION3;
  timeval tv = seconds(options.timeout_s);
  if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS) {
    return fail(options.url + ": cannot set LDAP session options");
  }
  if (tls) {
    // Per-session TLS settings take effect when the session gets its own TLS context.
    int demand = LDAP_OPT_X_TLS_DEMAND;
    int client = 0;
    if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != LDAP_OPT_SUCCESS ||
        (!options.ca_file.empty() &&
         ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, options.ca_file.c_str()) != LDAP_OPT_SUCCESS) ||
        ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &client) != LDAP_OPT_SUCCESS) {
      return fail(options.url + ": cannot set up TLS" +
                  (options.ca_file.empty() ? "" : " with CA file " + quote(options.ca_file)));
    }
  }
  if (options.starttls) {
    rc = ldap_start_tls_s(ld, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) return fail(options.url + ": StartTLS: " + conn->describe(rc));
  }
  return conn;
}

std::string LdapConnection::describe(int rc) const {
  std::string msg = ldap_err2string(rc);
  char* diag = nullptr;
  if (ldap_get_option(ld_, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag) == LDAP_OPT_SUCCESS && diag) {
    std::string d = one_line(diag);
    if (!d.empty() && d != msg && d != "(unknown error code)") msg += " (" + d + ")";
    ldap_memfree(diag);
  }
  // libldap does not say why a TLS handshake failed; name the usual causes.
  if (tls_ && (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR)) {
    msg += " (or the TLS handshake failed: does ca_file hold the CA that signed the server's "
           "certificate, and is the certificate issued for the URL's host?)";
  }
  return msg;
}

Result<void> LdapConnection::bind(const std::string& dn, const Secret& password) {
  berval cred{0, nullptr};
  cred.bv_val = const_cast<char*>(password.reveal().data());
  cred.bv_len = password.reveal().size();
  int rc = ldap_sasl_bind_s(ld_, dn.empty() ? nullptr : dn.c_str(), LDAP_SASL_SIMPLE, &cred,
                            nullptr, nullptr, nullptr);
  if (rc != LDAP_SUCCESS) {
    std::string who = dn.empty() ? "anonymously" : "as " + quote(dn);
    return fail("bind to " + url_ + " " + who + ": " + describe(rc));
  }
  return {};
}

Result<void> LdapConnection::search(const SearchRequest& req, const EntryFn& on_entry) {
  std::vector<std::string> names = req.attrs;
  std::vector<char*> attrs;
  for (auto& a : names) attrs.push_back(a.data());
  attrs.push_back(nullptr);

  // Entries whose ranged attributes still have values to fetch: completed after the search,
  // so the paged search is not interleaved with other searches on the connection.
  std::vector<std::pair<LdapEntry, std::vector<std::pair<std::string, std::size_t>>>> pending;
  Cookie cookie;
  for (int page = 1;; ++page) {
    const std::string where = url_ + ": search " + quote(req.base) + " page " + std::to_string(page);
    LDAPControl* control = nullptr;
    int rc = ldap_create_page_control(ld_, req.page_size, page == 1 ? nullptr : &cookie.bv, 1, &control);
    if (rc != LDAP_SUCCESS) return fail(where + ": " + ldap_err2string(rc));
    LDAPControl* server_controls[] = {control, nullptr};
    LDAPMessage* raw = nullptr;
    timeval tv = seconds(timeout_s_);
    rc = ldap_search_ext_s(ld_, req.base.c_str(), LDAP_SCOPE_SUBTREE, req.filter.c_str(),
                           attrs.data(), 0, server_controls, nullptr, &tv, LDAP_NO_LIMIT, &raw);
    ldap_control_free(control);
    Message result(raw);
    if (rc != LDAP_SUCCESS) {
      return fail(where + ": " + describe(rc) +
                  (rc == LDAP_FILTER_ERROR ? " in filter " + quote(req.filter) : ""));
    }

    for (LDAPMessage* e = ldap_first_entry(ld_, result.get()); e != nullptr;
         e = ldap_next_entry(ld_, e)) {
      LdapEntry entry;
      char* dn = ldap_get_dn(ld_, e);
      if (dn == nullptr) return fail(where + ": entry without a DN");
      entry.dn = dn;
      ldap_memfree(dn);
      std::vector<std::pair<std::string, std::size_t>> ranges;
      auto collect = [&](std::string_view desc, std::vector<std::string> values) -> Result<void> {
        auto attr = parse_attribute_range(desc);
        if (!attr) return attr.context("entry " + quote(entry.dn));
        auto& dest = entry.attrs[attr->name];
        dest.insert(dest.end(), std::make_move_iterator(values.begin()),
                    std::make_move_iterator(values.end()));
        if (attr->next_start) ranges.emplace_back(attr->name, *attr->next_start);
        return {};
      };
      if (auto r = for_each_attribute(ld_, e, collect); !r) return r.context(where);
      if (ranges.empty()) {
        RC_TRY(on_entry(entry));
      } else {
        pending.emplace_back(std::move(entry), std::move(ranges));
      }
    }

    int code = LDAP_SUCCESS;
    LDAPControl** controls = nullptr;
    rc = ldap_parse_result(ld_, result.get(), &code, nullptr, nullptr, nullptr, &controls, 0);
    std::unique_ptr<LDAPControl*, ControlsFree> controls_guard(controls);
    if (rc != LDAP_SUCCESS) return fail(where + ": " + describe(rc));
    if (code != LDAP_SUCCESS) return fail(where + ": " + describe(code));
    LDAPControl* response =
        controls ? ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controls, nullptr) : nullptr;
    if (response == nullptr) break;  // the server sent everything in one answer
    ber_int_t estimate = 0;
    berval next{0, nullptr};
    rc = ldap_parse_pageresponse_control(ld_, response, &estimate, &next);
    if (rc != LDAP_SUCCESS) return fail(where + ": bad paged results response: " + ldap_err2string(rc));
    cookie.replace(next);
    if (cookie.bv.bv_len == 0) break;
  }

  for (auto& [entry, ranges] : pending) {
    for (const auto& [attr, start] : ranges) RC_TRY(complete_range(entry, attr, start));
    RC_TRY(on_entry(entry));
  }
  return {};
}

Result<void> LdapConnection::complete_range(LdapEntry& entry, const std::string& attr,
                                            std::size_t start) {
  auto& dest = entry.attrs[attr];
  for (;;) {
    const std::string where = url_ + ": read " + attr + " values from " + std::to_string(start) +
                              " of " + quote(entry.dn);
    std::string desc = attr + ";range=" + std::to_string(start) + "-*";
    char* attrs[] = {desc.data(), nullptr};
    LDAPMessage* raw = nullptr;
    timeval tv = seconds(timeout_s_);
    int rc = ldap_search_ext_s(ld_, entry.dn.c_str(), LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0,
                               nullptr, nullptr, &tv, LDAP_NO_LIMIT, &raw);
    Message result(raw);
    if (rc != LDAP_SUCCESS) return fail(where + ": " + describe(rc));
    LDAPMessage* e = ldap_first_entry(ld_, result.get());
    if (e == nullptr) return fail(where + ": the entry is gone");
    std::optional<std::size_t> next;
    auto collect = [&](std::string_view d, std::vector<std::string> values) -> Result<void> {
      RC_ASSIGN(RangedAttribute ra, parse_attribute_range(d));
      if (ra.name != attr) return {};
      dest.insert(dest.end(), std::make_move_iterator(values.begin()),
                  std::make_move_iterator(values.end()));
      next = ra.next_start;
      return {};
    };
    if (auto r = for_each_attribute(ld_, e, collect); !r) return r.context(where);
    if (!next) return {};
    start = *next;
  }
}

Result<std::optional<LdapEntry>> LdapConnection::read_entry(const std::string& dn,
                                                            const std::vector<std::string>& attrs) {
  const std::string where = url_ + ": read " + quote(dn);
  std::vector<std::string> names = attrs;
  std::vector<char*> list;
  for (auto& a : names) list.push_back(a.data());
  list.push_back(nullptr);
  LDAPMessage* raw = nullptr;
  timeval tv = seconds(timeout_s_);
  int rc = ldap_search_ext_s(ld_, dn.c_str(), LDAP_SCOPE_BASE, "(objectClass=*)", list.data(), 0,
                             nullptr, nullptr, &tv, LDAP_NO_LIMIT, &raw);
  Message result(raw);
  if (rc == LDAP_NO_SUCH_OBJECT) return std::optional<LdapEntry>();
  if (rc != LDAP_SUCCESS) return fail(where + ": " + describe(rc));
  LDAPMessage* e = ldap_first_entry(ld_, result.get());
  if (e == nullptr) return std::optional<LdapEntry>();
  LdapEntry entry;
  entry.dn = dn;
  auto collect = [&](std::string_view desc, std::vector<std::string> values) -> Result<void> {
    RC_ASSIGN(RangedAttribute ra, parse_attribute_range(desc));
    auto& dest = entry.attrs[ra.name];
    dest.insert(dest.end(), std::make_move_iterator(values.begin()), std::make_move_iterator(values.end()));
    return {};
  };
  if (auto r = for_each_attribute(ld_, e, collect); !r) return r.context(where);
  return std::optional<LdapEntry>(std::move(entry));
}

Result<bool> LdapConnection::compare(const std::string& dn, const std::string& attr,
                                     const std::string& value) {
  berval bv{static_cast<ber_len_t>(value.size()), const_cast<char*>(value.data())};
  int rc = ldap_compare_ext_s(ld_, dn.c_str(), attr.c_str(), &bv, nullptr, nullptr);
  if (rc == LDAP_COMPARE_TRUE) return true;
  if (rc == LDAP_COMPARE_FALSE || rc == LDAP_NO_SUCH_ATTRIBUTE) return false;
  return fail(url_ + ": compare " + attr + " of " + quote(dn) + ": " + describe(rc));
}

Result<LdapConnection::ModifyOutcome> LdapConnection::modify(const std::string& dn,
                                                             const std::vector<Modification>& mods) {
  // libldap wants mutable arrays: values and LDAPMod records live here until the call returns.
  std::vector<std::string> attrs, values;
  attrs.reserve(mods.size());
  values.reserve(mods.size());
  std::vector<berval> bvs(mods.size());
  std::vector<std::array<berval*, 2>> bv_lists(mods.size());
  std::vector<LDAPMod> records(mods.size());
  std::vector<LDAPMod*> list;
  std::string what;
  for (std::size_t i = 0; i < mods.size(); ++i) {
    const Modification& m = mods[i];
    attrs.push_back(m.attr);
    values.push_back(m.value);
    bvs[i] = berval{static_cast<ber_len_t>(values[i].size()), values[i].data()};
    bv_lists[i] = {&bvs[i], nullptr};
    const int op = m.op == Modification::Op::add      ? LDAP_MOD_ADD
                   : m.op == Modification::Op::remove ? LDAP_MOD_DELETE
                                                      : LDAP_MOD_REPLACE;
    records[i].mod_op = op | LDAP_MOD_BVALUES;
    records[i].mod_type = attrs[i].data();
    records[i].mod_bvalues = bv_lists[i].data();
    list.push_back(&records[i]);
    what += (what.empty() ? "" : ", ") +
            std::string(op == LDAP_MOD_ADD ? "add " : op == LDAP_MOD_DELETE ? "delete " : "replace ") + m.attr +
            " " + quote(m.value);
  }
  list.push_back(nullptr);
  int rc = ldap_modify_ext_s(ld_, dn.c_str(), list.data(), nullptr, nullptr);
  if (rc == LDAP_SUCCESS) return ModifyOutcome::applied;
  if (rc == LDAP_TYPE_OR_VALUE_EXISTS) return ModifyOutcome::value_exists;
  if (rc == LDAP_NO_SUCH_ATTRIBUTE) return ModifyOutcome::no_such_value;
  return fail(url_ + ": modify " + quote(dn) + " (" + what + "): " + describe(rc));
}

}  // namespace rollcall::connectors::ldap
