// The directory the Entra tests read and write, on a FakeGraph, with the connector set up as
// `rollcall snapshot` sets it up (the real CurlTransportFactory, retry waits recorded instead of
// slept), and a throwaway RSA certificate for certificate sign-in. Header-only.
//
//   users   u1 jane (member of Engineering and one "Shared"; Global Administrator directly)
//           u2 bob (disabled; in the role-assignable "Tenant Admins", which holds Global Administrator)
//           u3 guest from partner.com (Payroll default access directly; the other "Shared")
//           u4 carl (never signed in; in Backend, which is nested in Engineering; Global Reader)
//           u5 dana (only in "Engineering Alumni": the look-alike of Engineering)
//   apps    Payroll (app role Payroll.Admin assigned to Engineering; owned by jane; a client
//           secret on the principal, a certificate on its registration), Microsoft Graph
//           (first party; grants Payroll the app permission User.Read.All), Wiki (no one assigned),
//           and the registration "Old Tool" with no service principal.
#pragma once

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "connectors/entra/entra_connector.hpp"
#include "connectors/http/transport_factory.hpp"
#include "tests/integration/entra/fake_graph.hpp"
#include "tests/unit/http/support.hpp"

namespace rollcall::testing {

inline constexpr const char* kTenant = "contoso.onmicrosoft.com";
inline constexpr const char* kClientId = "5f0e6c1a-0000-4000-8000-00000000c11e";
inline constexpr const char* kSecret = "entra~PLANTED0client0secret0value";

inline std::string gid(const char* n) { return std::string("bbbbbbbb-0000-4000-8000-0000000000") + n; }
inline std::string uid(int n) { return "aaaaaaaa-0000-4000-8000-00000000000" + std::to_string(n); }

// A fresh RSA key and a self-signed certificate for it, both PEM.
struct TestCertificate {
  std::string key_pem;
  std::string cert_pem;

  static TestCertificate make(const std::string& cn) {
    TestCertificate out;
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long size = BIO_get_mem_data(b, &data);
    out.key_pem.assign(data, static_cast<std::size_t>(size));
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, cert);
    size = BIO_get_mem_data(b, &data);
    out.cert_pem.assign(data, static_cast<std::size_t>(size));
    BIO_free(b);
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
  }
};

inline void fill_directory(FakeGraph& g) {
  using U = FakeGraph::User;
  g.users = {
      U{uid(1), "jane@contoso.com", "jane.doe@contoso.com", "Jane Doe", "E1", "Member", true, "2024-01-15T09:00:00Z",
        "2026-06-01T08:30:00Z"},
      U{uid(2), "bob@contoso.com", "bob@contoso.com", "Bob Roe", "E2", "Member", false, "2023-03-01T00:00:00Z",
        "2025-11-20T10:00:00Z"},
      U{uid(3), "ext_partner.com#EXT#@contoso.onmicrosoft.com", "ext@partner.com", "Ext Partner", "", "Guest", true,
        "2025-02-01T00:00:00Z", "2026-05-30T12:00:00Z"},
      U{uid(4), "carl@contoso.com", "", "Carl Poe", "E4", "Member", true, "2026-05-01T00:00:00Z", ""},
      U{uid(5), "dana@contoso.com", "dana@contoso.com", "Dana Loe", "E5", "Member", true, "2022-01-01T00:00:00Z",
        "2026-06-02T00:00:00Z"},
  };
  g.groups = {
      {gid("01"), "Engineering", {uid(1), gid("02")}, false},
      {gid("02"), "Backend", {uid(4)}, false},
      {gid("03"), "Tenant Admins", {uid(2)}, true},
      {gid("04"), "Engineering Alumni", {uid(5), "99999999-0000-4000-8000-00000000dev1"}, false},
      {gid("05"), "Shared", {uid(1)}, false},
      {gid("06"), "Shared", {uid(3)}, false},
  };
  g.roles = {
      {"62e90394-69f5-4237-9190-012177145e10", "Global Administrator", {uid(1), gid("03")}},
      {"f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader", {uid(4)}},
  };
  const std::string payroll = "cccccccc-0000-4000-8000-000000000001";
  g.principals = {
      {payroll,
       "dddddddd-0000-4000-8000-000000000001",
       "Payroll",
       "11111111-2222-3333-4444-555555555555",
       "Application",
       true,
       {{"eeeeeeee-0000-4000-8000-000000000001", "Payroll.Admin", "Payroll administrator"}},
       {uid(1)},
       {{uid(3), "User"}, {gid("01"), "Group", "eeeeeeee-0000-4000-8000-000000000001"}},
       {{"77777777-0000-4000-8000-000000000001", "sync job", "2026-01-01T00:00:00Z", "2026-12-31T00:00:00Z"}}},
      {"cccccccc-0000-4000-8000-000000000002",
       "00000003-0000-0000-c000-000000000000",
       "Microsoft Graph",
       "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
       "Application",
       true,
       {{"df021288-bdef-4463-88db-98f22de89214", "User.Read.All", "Read all users' full profiles"}},
       {},
       {{payroll, "ServicePrincipal", "df021288-bdef-4463-88db-98f22de89214"}},
       {}},
      {"cccccccc-0000-4000-8000-000000000003",
       "dddddddd-0000-4000-8000-000000000003",
       "Wiki",
       "11111111-2222-3333-4444-555555555555",
       "Application",
       false,
       {},
       {uid(5)},
       {},
       {}},
  };
  g.applications = {
      {"ffffffff-0000-4000-8000-000000000001",
       "dddddddd-0000-4000-8000-000000000001",
       "Payroll",
       {uid(4)},
       {},
       {{"88888888-0000-4000-8000-000000000001", "CN=payroll", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"}}},
      {"ffffffff-0000-4000-8000-000000000009", "dddddddd-0000-4000-8000-000000000009", "Old Tool", {}, {}, {}},
  };
}

// A fake Graph with the directory above, a transport factory as the CLI's, and config builders.
struct EntraWorld {
  FakeServer server;
  FakeGraph graph{server, kTenant, kClientId, kSecret};
  RecordingSleeper sleeper;
  http::CurlTransportFactory factory{sleeper, [] { return 0.5; }};
  ConnectorFixture fx{factory, {{"ENTRA_SECRET", kSecret}}};

  explicit EntraWorld(bool fill = true) {
    if (fill) fill_directory(graph);
  }
  void install() { graph.install(); }

  config::SystemConfig system(std::vector<std::pair<std::string, config::Value>> extra = {},
                              std::int64_t timeout_s = 10) const {
    std::vector<std::pair<std::string, config::Value>> keys = {
        {"tenant", std::string(kTenant)},
        {"client_id", std::string(kClientId)},
        {"authority", graph.authority()},
        {"graph_url", graph.graph_url()},
    };
    bool credential = false;
    for (const auto& [k, v] : extra)
      credential =
          credential || k.rfind("client_secret", 0) == 0 || k.rfind("private_key", 0) == 0 || k == "certificate_file";
    if (!credential) keys.emplace_back("client_secret_env", std::string("ENTRA_SECRET"));
    for (auto& kv : extra) keys.push_back(std::move(kv));
    return system_config("entra", "entra", keys, timeout_s);
  }
};

}  // namespace rollcall::testing
