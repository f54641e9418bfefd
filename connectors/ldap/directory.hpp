// The seam between the LDAP protocol and the ldap connector's mapping: a Directory runs subtree
// searches and hands back entries. LdapConnection (ldap_connection.hpp) implements it with
// libldap; tests implement it in memory, so the mapping rules run without a server.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/result.hpp"

namespace rollcall::connectors::ldap {

// One entry: its DN as the server spells it and its attributes, keyed by lower-cased attribute
// name (LDAP attribute names are case-insensitive), values in server order.
struct LdapEntry {
  std::string dn;
  std::map<std::string, std::vector<std::string>> attrs;

  // The values of `attr` (any case); empty when absent.
  const std::vector<std::string>& values(std::string_view attr) const;
  // The first value of `attr`, "" when absent.
  std::string first(std::string_view attr) const;
};

struct SearchRequest {
  std::string base;
  std::string filter;
  std::vector<std::string> attrs;  // attribute names to return; {"1.1"} for none
  int page_size = 500;
};

using EntryFn = std::function<Result<void>(const LdapEntry&)>;

class Directory {
 public:
  virtual ~Directory() = default;
  // Calls on_entry for every entry in the subtree under req.base that matches req.filter,
  // whatever the server's size limit (paged results). Succeeds only when every entry was
  // delivered; fails naming the base and page on any error, or with on_entry's error.
  virtual Result<void> search(const SearchRequest& req, const EntryFn& on_entry) = 0;
};

}  // namespace rollcall::connectors::ldap
