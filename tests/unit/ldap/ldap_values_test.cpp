#include <catch2/catch.hpp>

#include "connectors/ldap/ldap_values.hpp"

using namespace rollcall;
using namespace rollcall::connectors::ldap;

TEST_CASE("ldap values: DNs compare equal whatever their case and spacing", "[connector][ldap]") {
  CHECK(normalize_dn("CN=SRE, OU=Groups, DC=Example, DC=Test") ==
        std::optional<std::string>("cn=sre,ou=groups,dc=example,dc=test"));
  CHECK(normalize_dn("cn=sre,ou=groups,dc=example,dc=test") ==
        normalize_dn(" cn = sre , ou=groups,dc=example,dc=test "));
  CHECK(normalize_dn("cn=Smith\\, John,ou=people,dc=x") == normalize_dn("CN=smith\\2C john,OU=People,DC=X"));
  CHECK_FALSE(normalize_dn("not a dn").has_value());
}

TEST_CASE("ldap values: filter values escape the characters that would change the filter",
          "[connector][ldap]") {
  CHECK(escape_filter_value("platform") == "platform");
  CHECK(escape_filter_value("*") == "\\2a");
  CHECK(escape_filter_value("a)(cn=*") == "a\\29\\28cn=\\2a");
  CHECK(escape_filter_value("back\\slash") == "back\\5cslash");
  CHECK(escape_filter_value(std::string("nul\0byte", 8)) == "nul\\00byte");
  CHECK(escape_filter_value("Zürich") == "Zürich");
}

TEST_CASE("ldap values: uniqueMember loses only a trailing bit-string uid", "[connector][ldap]") {
  CHECK(strip_unique_id("uid=carol,ou=people,dc=x#'0101'B") == "uid=carol,ou=people,dc=x");
  CHECK(strip_unique_id("uid=carol,ou=people,dc=x") == "uid=carol,ou=people,dc=x");
  CHECK(strip_unique_id("cn=#04024869,dc=x") == "cn=#04024869,dc=x");
  CHECK(strip_unique_id("uid=a#'xy'B") == "uid=a#'xy'B");
}

TEST_CASE("ldap values: GeneralizedTime and FILETIME become Unix time", "[connector][ldap]") {
  auto t = [](const char* s) {
    auto r = parse_ldap_time(s);
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(t("20261001120000Z") == std::optional<UnixTime>(1790856000));
  CHECK(t("20261001120000.0Z") == std::optional<UnixTime>(1790856000));
  CHECK(t("20261001140000+0200") == std::optional<UnixTime>(1790856000));
  CHECK(t("202610011200Z") == std::optional<UnixTime>(1790856000));
  CHECK(t("2026100112Z") == std::optional<UnixTime>(1790856000));
  CHECK(t("134353296000000000") == std::optional<UnixTime>(1790856000));  // AD FILETIME
  CHECK(t("0") == std::nullopt);                    // AD: never
  CHECK(t("9223372036854775807") == std::nullopt);  // AD: never
  auto bad = parse_ldap_time("yesterday");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message() ==
        "invalid time \"yesterday\" (expected LDAP GeneralizedTime or a FILETIME)");
  CHECK_FALSE(parse_ldap_time("20261301120000Z").ok());
  CHECK_FALSE(parse_ldap_time("20261001120000").ok());  // no time zone
}

TEST_CASE("ldap values: disabled by userAccountControl's bit or by a lock attribute",
          "[connector][ldap]") {
  auto d = [](const char* attr, const char* value) {
    auto r = is_disabled(attr, value);
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(d("userAccountControl", "514"));
  CHECK_FALSE(d("userAccountControl", "512"));
  CHECK_FALSE(d("useraccountcontrol", "66048"));
  CHECK(d("userAccountControl", "66050"));
  CHECK(d("pwdAccountLockedTime", "000001010000Z"));
  CHECK(d("nsAccountLock", "TRUE"));
  CHECK_FALSE(d("nsAccountLock", "false"));
  CHECK_FALSE(d("nsAccountLock", "0"));
  auto bad = is_disabled("userAccountControl", "disabled");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message() == "userAccountControl \"disabled\" is not a number");
}

TEST_CASE("ldap values: AD ranged attributes tell where the next range starts",
          "[connector][ldap]") {
  auto r = parse_attribute_range("member;range=0-1499");
  REQUIRE(r.ok());
  CHECK(r->name == "member");
  CHECK(r->ranged);
  CHECK(r->next_start == std::optional<std::size_t>(1500));
  r = parse_attribute_range("Member;Range=1500-*");
  REQUIRE(r.ok());
  CHECK(r->name == "member");
  CHECK_FALSE(r->next_start);
  r = parse_attribute_range("mail");
  REQUIRE(r.ok());
  CHECK(r->name == "mail");
  CHECK_FALSE(r->ranged);
  auto bad = parse_attribute_range("member;range=10-2");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message() == "malformed range in attribute \"member;range=10-2\"");
}
