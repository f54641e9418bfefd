// Shared set-up of the okta tests: a small org on FakeOkta in which every status, entitlement
// source and look-alike the connector must tell apart occurs once, an RSA key pair for the
// OAuth tests, and the [[system]] configs.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <string>
#include <utility>

#include "connectors/http/transport_factory.hpp"
#include "tests/integration/okta/fake_okta.hpp"
#include "tests/unit/http/support.hpp"

namespace rollcall::testing {

constexpr const char* kOktaToken = "00PLANTEDoktaSSWStoken9f2c";
constexpr const char* kClientId = "0oaRollcallService";

// A fresh 2048-bit RSA key: {private PEM (PKCS#8), public PEM (SubjectPublicKeyInfo)}.
inline std::pair<std::string, std::string> rsa_key_pair() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  auto pem = [&](bool priv) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (priv) {
      PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    } else {
      PEM_write_bio_PUBKEY(bio, key);
    }
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
  };
  auto out = std::make_pair(pem(true), pem(false));
  EVP_PKEY_free(key);
  return out;
}

// The org of the connector tests:
//   users   ada ACTIVE, bob PASSWORD_EXPIRED, cyd LOCKED_OUT, dee RECOVERY, eve STAGED,
//           fay PROVISIONED, gus SUSPENDED, hal DEPROVISIONED, the integration user
//           okta-sync@acme.com and its look-alike okta-sync.fan@acme.com
//   groups  Engineering (ada bob cyd dee), GitHub Users (ada eve; assigned to GitHub), Admins
//           (cyd; holds ORG_ADMIN), Everyone (BUILT_IN), Salesforce Users (APP_GROUP: dee)
//   apps    GitHub: ada direct and through GitHub Users, eve through it, bob direct;
//           Okta Dashboard (first-party, everyone); Old Wiki (INACTIVE, bob)
//   roles   ada SUPER_ADMIN directly; cyd ORG_ADMIN through Admins
//   factors ada push ACTIVE; bob sms PENDING_ACTIVATION
inline void small_org(FakeOkta& okta) {
  auto user = [](std::string id, std::string login, std::string status, std::string employee = "") {
    FakeOkta::User u;
    u.id = std::move(id);
    u.login = std::move(login);
    u.status = std::move(status);
    u.first = u.login.substr(0, u.login.find('@'));
    u.last = "Example";
    u.employee_number = std::move(employee);
    return u;
  };
  okta.users = {user("00uada", "ada@acme.com", "ACTIVE", "E100"), user("00ubob", "bob@acme.com", "PASSWORD_EXPIRED"),
                user("00ucyd", "cyd@acme.com", "LOCKED_OUT"),     user("00udee", "dee@acme.com", "RECOVERY"),
                user("00ueve", "eve@acme.com", "STAGED"),         user("00ufay", "fay@acme.com", "PROVISIONED"),
                user("00ugus", "gus@acme.com", "SUSPENDED"),      user("00uhal", "hal@acme.com", "DEPROVISIONED"),
                user("00usync", "okta-sync@acme.com", "ACTIVE"),  user("00ufan", "okta-sync.fan@acme.com", "ACTIVE")};
  okta.users[0].last_login = "2026-11-30T08:15:00.000Z";
  std::vector<std::string> everyone;
  for (const auto& u : okta.users) {
    if (u.status != "DEPROVISIONED") everyone.push_back(u.id);
  }
  okta.groups = {{"00geng", "Engineering", "OKTA_GROUP", {"00uada", "00ubob", "00ucyd", "00udee"}, {}},
                 {"00ggh", "GitHub Users", "OKTA_GROUP", {"00uada", "00ueve"}, {}},
                 {"00gadm", "Admins", "OKTA_GROUP", {"00ucyd"}, {"ORG_ADMIN"}},
                 {"00gall", "Everyone", "BUILT_IN", everyone, {}},
                 {"00gsf", "Salesforce Users", "APP_GROUP", {"00udee"}, {}}};
  FakeOkta::App github{"0oagh", "github_enterprise", "GitHub", "ACTIVE", {}, {"00ggh"}};
  github.users = {{"00uada", "USER", "ada-gh"}, {"00ueve", "GROUP", "eve-gh"}, {"00ubob", "USER", "bob-gh"}};
  FakeOkta::App dashboard{"0oadash", "okta_enduser", "Okta Dashboard", "ACTIVE", {}, {"00gall"}};
  for (const auto& id : everyone) dashboard.users.push_back({id, "GROUP", id});
  FakeOkta::App wiki{"0oawiki", "wiki", "Old Wiki", "INACTIVE", {{"00ubob", "USER", "bob"}}, {}};
  okta.apps = {github, dashboard, wiki};
  okta.user_roles = {{"00uada", {"SUPER_ADMIN"}}};
  okta.factors = {{"00uada", {{"push", "ACTIVE"}}}, {"00ubob", {{"sms", "PENDING_ACTIVATION"}}}};
}

// The [[system]] of the tests: API token (SSWS) unless `oauth`; extra keys appended.
inline config::SystemConfig okta_system(const FakeOkta& okta, bool oauth,
                                        std::vector<std::pair<std::string, config::Value>> extra = {},
                                        std::int64_t timeout_s = 10) {
  std::vector<std::pair<std::string, config::Value>> keys = {{"base_url", okta.base_url()}};
  if (oauth) {
    keys.emplace_back("client_id", std::string(kClientId));
    keys.emplace_back("private_key_env", std::string("OKTA_KEY"));
  } else {
    keys.emplace_back("token_env", std::string("OKTA_TOKEN"));
  }
  for (auto& k : extra) keys.push_back(std::move(k));
  return system_config("okta", "okta", keys, timeout_s);
}

}  // namespace rollcall::testing
