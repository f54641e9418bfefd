// An LDAP session through OpenLDAP's libldap, used by the ldap connector's read side and its
// write side: connect (ldap:// or ldaps://, optionally StartTLS, certificates always
// verified), simple bind, and paged subtree searches (RFC 2696) that also complete Active
// Directory's ranged attributes (member;range=0-1499). Only ldap_connection.cpp and
// ldap_values.cpp include <ldap.h>.
//
// Referrals are not chased. Errors are one line naming the URL and what was being done:
// `ldap://dc1:389: search "ou=people,dc=acme,dc=com" page 3: Can't contact LDAP server`. The
// password is passed to libldap only for the bind and never appears in an error. Not
// thread-safe: one connection per thread. The connection is closed on destruction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/ldap/directory.hpp"
#include "scanner/core/secret.hpp"

struct ldap;

namespace rollcall::connectors::ldap {

struct LdapOptions {
  std::string url;          // ldap://host[:port] or ldaps://host[:port]
  bool starttls = false;    // upgrade an ldap:// connection with StartTLS before binding
  std::string ca_file;      // PEM bundle to verify the server with; "" for the system's
  std::int64_t timeout_s = 60;  // connect timeout and time limit of each operation
};

class LdapConnection final : public Directory {
 public:
  ~LdapConnection() override;
  LdapConnection(const LdapConnection&) = delete;
  LdapConnection& operator=(const LdapConnection&) = delete;

  // Prepares a session and, with StartTLS, connects and upgrades it; otherwise the network
  // is first used by bind(). Fails on a malformed URL, a TLS setup error or a failed StartTLS.
  static Result<std::unique_ptr<LdapConnection>> open(const LdapOptions& options);

  // Simple bind as `dn` (anonymous when dn is empty). Fails with one line naming the URL and
  // DN: `bind to ldap://dc1:389 as "cn=rollcall,ou=svc,dc=acme,dc=com": Invalid credentials`.
  Result<void> bind(const std::string& dn, const Secret& password);

  Result<void> search(const SearchRequest& req, const EntryFn& on_entry) override;

  // The entry `dn` itself (base scope) with `attrs`; nullopt when there is no such entry. Fails
  // on any other error, naming the URL and the DN.
  Result<std::optional<LdapEntry>> read_entry(const std::string& dn,
                                              const std::vector<std::string>& attrs);

  // Whether the entry `dn` holds `value` in `attr`, as the server's equality rule for `attr`
  // compares (DNs whatever their case and spacing). An entry without `attr` holds no value of
  // it. Fails when the entry does not exist, or on any error.
  Result<bool> compare(const std::string& dn, const std::string& attr, const std::string& value);

  // One value added to or removed from an attribute, or made its only value (replace).
  struct Modification {
    enum class Op { add, remove, replace };
    Op op = Op::add;
    std::string attr;
    std::string value;
  };
  // What a modify did: applied, or refused because a value to add is already there
  // (typeOrValueExists) or a value to remove is not (noSuchAttribute).
  enum class ModifyOutcome { applied, value_exists, no_such_value };
  // Applies `mods` to the entry `dn` as one modify operation (all or nothing). Fails on any
  // other refusal or error, naming the URL, the DN and the server's reason.
  Result<ModifyOutcome> modify(const std::string& dn, const std::vector<Modification>& mods);

  const std::string& url() const { return url_; }

 private:
  LdapConnection(::ldap* ld, std::string url, std::int64_t timeout_s, bool tls)
      : ld_(ld), url_(std::move(url)), timeout_s_(timeout_s), tls_(tls) {}
  // libldap's text for `rc`, plus the server's diagnostic message when it sent one.
  std::string describe(int rc) const;
  // Fetches the remaining ranges of `attr` (next range starting at `start`) into `entry`.
  Result<void> complete_range(LdapEntry& entry, const std::string& attr, std::size_t start);

  ::ldap* ld_;
  std::string url_;
  std::int64_t timeout_s_;
  bool tls_;
};

}  // namespace rollcall::connectors::ldap
