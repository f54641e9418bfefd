// The fake Jira site both test files use: who is in it, and how the jira system is configured
// against it. Header-only.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/integration/jira/fake_jira.hpp"
#include "tests/unit/http/support.hpp"

namespace rollcall::testing {

inline constexpr const char* kApiToken = "ATATT3xPLANTEDjiratoken0042";
inline constexpr const char* kOauthToken = "oauth-jira-secret-77c1";
inline constexpr const char* kOrgKey = "org-admin-key-5e19";
inline constexpr const char* kEmail = "rollcall-bot@acme.com";

// A site with planted cases and their look-alike controls:
//   alice   visible email, site admin, ENG Administrators
//   bob     email hidden, but a managed account of the organization (email filled from there)
//   carol   email hidden and not managed: unmatched (email_hidden), ENG Developers directly
//   dave    deactivated, still in jira-software-users (only listed with includeInactiveUsers)
//   erin    a human named like Atlassian's automation app (control: stays human)
//   app-auto  "Automation for Jira", an app user Atlassian creates (builtin)
//   app-tempo "Tempo Timesheets", a Marketplace app (service)
//   app-pro   "Automation for Jira Pro" (control: a vendor's app, service)
//   cust1   a JSM portal customer holding nothing (not read)
//   cust2   a JSM portal customer in a group (read, as a guest)
inline void populate(FakeJira& jira) {
  jira.users = {
      {"acc-alice", "Alice Adams", "alice@acme.com"},
      {"acc-bob", "Bob Brown", "bob@acme.com", "atlassian", true, false},
      {"acc-carol", "Carol Chen", "carol@acme.com", "atlassian", true, false},
      {"acc-dave", "Dave Dunn", "dave@acme.com", "atlassian", false},
      {"acc-erin", "Automation for Jira", "erin@acme.com"},
      {"app-auto", "Automation for Jira", "", "app"},
      {"app-tempo", "Tempo Timesheets", "", "app"},
      {"app-pro", "Automation for Jira Pro", "", "app"},
      {"cust1", "Portal Customer", "c1@example.org", "customer"},
      {"cust2", "Helpful Customer", "c2@example.org", "customer"},
  };
  jira.groups = {
      {"jira-software-users", "g-sw", {"acc-alice", "acc-bob", "acc-dave", "app-tempo"}},
      {"jira-testers", "g-test", {"acc-erin"}},
      {"jira-servicemanagement-users", "g-jsm", {"acc-carol"}},
      {"confluence-users", "g-conf", {"acc-carol", "acc-erin"}},
      {"site-admins", "g-site", {"acc-alice"}},
      {"jira-admins-acme", "g-jadm", {"acc-bob"}},
      {"site-admins-archive", "g-arch", {"acc-erin"}},
      {"portal-helpers", "g-help", {"cust2"}},
      {"jpd-contributors", "g-jpd", {"acc-carol"}},
  };
  jira.roles = {
      {"jira-software", "Jira Software", {"jira-software-users", "jira-testers"}, {"jira-software-users"}},
      {"jira-servicedesk", "Jira Service Management", {"jira-servicemanagement-users"}, {"jira-servicemanagement-users"}},
      {"jira-product-discovery", "Jira Product Discovery", {"jpd-contributors"}, {}},
  };
  jira.project_roles = {
      {"ENG", "Administrators", "10002", {"acc-alice"}, {}},
      {"ENG", "Developers", "10001", {"acc-carol"}, {"jira-testers"}},
      {"OPS", "Administrators", "10102", {"acc-erin"}, {}},
  };
  jira.org_users = {{"acc-alice", "alice@acme.com", "2026-11-30T09:00:00Z"},
                    {"acc-bob", "bob@acme.com", "2026-11-29T09:00:00Z"},
                    {"acc-dave", "dave@acme.com", ""}};
}

// The [[system]] as rollcall.toml would hold it; `extra` adds or overrides keys, `drop` removes.
inline config::SystemConfig jira_system(const FakeJira& jira, std::vector<std::pair<std::string, config::Value>> extra = {},
                                        std::vector<std::string> drop = {}, std::int64_t timeout_s = 10) {
  std::vector<std::pair<std::string, config::Value>> keys = {
      {"base_url", jira.url()},
      {"email", std::string(kEmail)},
      {"api_token_env", std::string("JIRA_API_TOKEN")},
      {"projects", std::vector<std::string>{"ENG"}},
      {"org_id", std::string("org-1")},
      {"org_api_key_env", std::string("ATLASSIAN_ORG_KEY")},
      {"admin_base_url", jira.url()},
  };
  for (auto& [k, v] : extra) {
    auto it = std::find_if(keys.begin(), keys.end(), [&](const auto& kv) { return kv.first == k; });
    if (it != keys.end()) {
      it->second = v;
    } else {
      keys.emplace_back(k, v);
    }
  }
  std::erase_if(keys, [&](const auto& kv) { return std::find(drop.begin(), drop.end(), kv.first) != drop.end(); });
  return system_config("jira", "jira", keys, timeout_s);
}

inline std::map<std::string, std::string> jira_env() {
  return {{"JIRA_API_TOKEN", kApiToken}, {"JIRA_OAUTH_TOKEN", kOauthToken}, {"ATLASSIAN_ORG_KEY", kOrgKey}};
}

}  // namespace rollcall::testing
