#include "connectors/ldap/directory.hpp"

#include "scanner/core/strings.hpp"

namespace rollcall::connectors::ldap {

const std::vector<std::string>& LdapEntry::values(std::string_view attr) const {
  static const std::vector<std::string> kNone;
  auto it = attrs.find(to_lower(attr));
  return it == attrs.end() ? kNone : it->second;
}

std::string LdapEntry::first(std::string_view attr) const {
  const auto& v = values(attr);
  return v.empty() ? "" : v.front();
}

}  // namespace rollcall::connectors::ldap
