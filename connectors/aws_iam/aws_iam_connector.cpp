#include "connectors/aws_iam/aws_iam_connector.hpp"

#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include "connectors/aws_iam/aws_api.hpp"
#include "connectors/aws_iam/aws_iam_writer.hpp"
#include "connectors/http/json_fields.hpp"
#include "connectors/http/parallel.hpp"
#include "connectors/http/url.hpp"
#include "scanner/core/redact.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::aws_iam {
namespace {

using http::Json;
using pugi::xml_node;

// How long the credential report may take to generate: polls, and the wait between them.
constexpr int kReportPolls = 60;
constexpr std::chrono::seconds kReportPollWait{2};

struct User {
  std::string name;
  std::string id;
  std::string arn;
  std::string path;
  std::optional<UnixTime> created;
  std::optional<UnixTime> password_last_used;
};

struct Policy {
  std::string name;
  std::string arn;
};

struct Key {
  std::string id;
  bool active = true;
  std::optional<UnixTime> created;
  std::optional<UnixTime> last_used;
  std::string where;
  bool usage_known = false;  // from the credential report
};

struct UserDetail {
  std::vector<Policy> policies;
  std::vector<std::string> inline_policies;
  std::vector<Key> keys;
  bool console_password = false;
  std::optional<UnixTime> password_created;
  bool password_reset_required = false;
  bool mfa = false;
  bool service_tagged = false;
};

struct Group {
  std::string name;
  std::string arn;
  std::vector<std::string> members;  // user names
  std::vector<Policy> policies;
  std::vector<std::string> inline_policies;
};

struct Role {
  std::string name;
  std::string arn;
  std::string trust_document;  // URL-encoded JSON as IAM sends it
  std::vector<Policy> policies;
};

// One credential report row (the fields rollcall uses).
struct ReportKey {
  bool active = false;
  std::optional<UnixTime> rotated;
  std::optional<UnixTime> last_used;
  std::string region;
  std::string service;
};
struct ReportRow {
  bool password_enabled = false;
  std::optional<UnixTime> password_changed;
  bool mfa = false;
  ReportKey keys[2];
};

// A report date: an ISO 8601 time, or N/A, no_information, not_supported.
Result<std::optional<UnixTime>> report_date(const std::string& text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::optional<UnixTime>();
  RC_ASSIGN(UnixTime t, parse_iso8601(text));
  return std::optional<UnixTime>(t);
}

std::string usage_where(const std::string& service, const std::string& region) {
  auto known = [](const std::string& s) { return !s.empty() && s != "N/A"; };
  std::vector<std::string> parts;
  if (known(service)) parts.push_back(service);
  if (known(region)) parts.push_back(region);
  return join(parts, " ");
}

// The credential report's CSV (AWS writes no quotes; user names may contain commas, so the
// name is everything before the field that starts with "arn:", and the ARN, which ends with
// the name, takes the remaining extra fields).
Result<std::unordered_map<std::string, ReportRow>> parse_report(const std::string& csv) {
  std::vector<std::string> lines = split(csv, '\n');
  if (lines.empty()) return fail("the credential report is empty");
  std::vector<std::string> header = split(std::string(trim(lines[0])), ',');
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (const char* required : {"user", "arn", "password_enabled", "password_last_changed", "mfa_active",
                               "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
                               "access_key_1_last_used_region", "access_key_1_last_used_service",
                               "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
                               "access_key_2_last_used_region", "access_key_2_last_used_service"}) {
    if (column.count(required) == 0) return fail("the credential report has no column " + quote(required));
  }
  std::unordered_map<std::string, ReportRow> out;
  for (std::size_t n = 1; n < lines.size(); ++n) {
    std::string line(trim(lines[n]));
    if (line.empty()) continue;
    std::vector<std::string> f = split(line, ',');
    while (f.size() > header.size() && f.size() > 1 && !starts_with(f[1], "arn:")) {
      f[0] += "," + f[1];
      f.erase(f.begin() + 1);
    }
    while (f.size() > header.size() && f.size() > 2) {  // the ARN ends with the name, commas and all
      f[1] += "," + f[2];
      f.erase(f.begin() + 2);
    }
    const std::string where = "credential report line " + std::to_string(n + 1);
    if (f.size() != header.size()) {
      return fail(where + ": " + std::to_string(f.size()) + " fields, the header has " + std::to_string(header.size()));
    }
    auto at = [&](const char* name) -> const std::string& { return f[column[name]]; };
    if (at("user") == "<root_account>") continue;
    ReportRow row;
    row.password_enabled = at("password_enabled") == "true";
    row.mfa = at("mfa_active") == "true";
    auto changed = report_date(at("password_last_changed"));
    if (!changed) return fail(where + ": password_last_changed: " + changed.error().message());
    row.password_changed = *changed;
    for (int k = 0; k < 2; ++k) {
      const std::string p = "access_key_" + std::to_string(k + 1) + "_";
      ReportKey& key = row.keys[k];
      key.active = f[column[p + "active"]] == "true";
      auto rotated = report_date(f[column[p + "last_rotated"]]);
      auto used = report_date(f[column[p + "last_used_date"]]);
      if (!rotated) return fail(where + ": " + p + "last_rotated: " + rotated.error().message());
      if (!used) return fail(where + ": " + p + "last_used_date: " + used.error().message());
      key.rotated = *rotated;
      key.last_used = *used;
      key.region = f[column[p + "last_used_region"]];
      key.service = f[column[p + "last_used_service"]];
    }
    out[at("user")] = row;
  }
  return out;
}

Result<void> each_string(const Json& value, const std::function<void(const std::string&)>& fn) {
  if (value.is_string()) {
    fn(value.get<std::string>());
  } else if (value.is_array()) {
    for (const Json& v : value) {
      if (!v.is_string()) return fail("expected strings, got " + http::type_name(v));
      fn(v.get<std::string>());
    }
  } else {
    return fail("expected a string or an array, got " + http::type_name(value));
  }
  return {};
}

bool assumes_role(const std::string& action) {
  std::string a = to_lower(action);
  return a == "*" || a == "sts:*" || starts_with(a, "sts:assumerole");
}

// The principals of a trust policy's Allow statements for sts:AssumeRole*, as "AWS:<arn>",
// "Service:<name>", "Federated:<provider>" or "*".
Result<std::vector<std::string>> trust_principals(const std::string& encoded) {
  std::string text = encoded;
  if (!starts_with(trim(text), "{")) text = http::percent_decode(text);
  Json doc = Json::parse(text, nullptr, false);
  if (!doc.is_object()) return fail("AssumeRolePolicyDocument is not a JSON object");
  const Json* statements = http::member(doc, "Statement");
  if (statements == nullptr) return fail("AssumeRolePolicyDocument has no Statement");
  std::vector<Json> list = statements->is_array() ? statements->get<std::vector<Json>>() : std::vector<Json>{*statements};
  std::vector<std::string> out;
  for (const Json& st : list) {
    if (!st.is_object()) return fail("a Statement is not an object");
    const Json* effect = http::member(st, "Effect");
    if (effect == nullptr || *effect != "Allow") continue;
    const Json* action = http::member(st, "Action");
    bool assume = false;
    if (action != nullptr) RC_TRY(each_string(*action, [&](const std::string& a) { assume = assume || assumes_role(a); }));
    if (!assume) continue;
    const Json* principal = http::member(st, "Principal");
    if (principal == nullptr) continue;
    if (principal->is_string()) {
      out.push_back(principal->get<std::string>());
      continue;
    }
    if (!principal->is_object()) return fail("a Principal is " + http::type_name(*principal));
    for (const auto& [kind, value] : principal->items()) {
      RC_TRY(each_string(value, [&, kind = kind](const std::string& p) { out.push_back(kind + ":" + p); }));
    }
  }
  return out;
}

class IamConnector final : public Connector {
 public:
  IamConnector(IamApi api, Logger& log) : api_(std::move(api)), log_(log) {}

  Result<void> fetch(RecordSink& sink) override {
    // Each part is emitted once read, so a failure later leaves a partial snapshot.
    RC_TRY(read_users());
    if (api_.settings.credential_report) RC_TRY(read_report());
    RC_TRY(read_user_details());
    RC_TRY(emit_users(sink));
    RC_TRY(read_groups());
    RC_TRY(emit_groups(sink));
    RC_TRY(read_roles());
    RC_TRY(emit_roles(sink));
    std::size_t keys = 0;
    for (const auto& d : details_) keys += d.keys.size();
    log_.info("aws-iam: " + std::to_string(users_.size()) + " users, " + std::to_string(keys) + " access keys, " +
              std::to_string(groups_.size()) + " groups, " + std::to_string(roles_.size()) + " roles read");
    return {};
  }

 private:
  Result<void> read_users() {
    return api_.list("ListUsers", {}, "Users", [&](const xml_node& m) -> Result<void> {
      User u;
      u.name = text_of(m, "UserName");
      if (u.name.empty()) return fail("no <UserName>");
      u.id = text_of(m, "UserId");
      u.arn = text_of(m, "Arn");
      u.path = text_of(m, "Path");
      RC_ASSIGN(u.created, date_of(m, "CreateDate"));
      RC_ASSIGN(u.password_last_used, date_of(m, "PasswordLastUsed"));
      if (!user_index_.emplace(u.name, users_.size()).second) return {};  // listed twice across pages
      users_.push_back(std::move(u));
      return {};
    });
  }

  Result<void> read_report() {
    for (int poll = 1;; ++poll) {
      RC_ASSIGN(auto generated, api_.call("GenerateCredentialReport", {}, true));
      const std::string state = text_of(generated->result, "State");
      if (state == "COMPLETE") break;
      if (poll >= kReportPolls) {
        return fail("GenerateCredentialReport: the report is still " + quote(state) + " after " +
                    std::to_string(kReportPolls) + " polls");
      }
      std::this_thread::sleep_for(kReportPollWait);
    }
    RC_ASSIGN(auto got, api_.call("GetCredentialReport", {}, true));
    const std::string content = text_of(got->result, "Content");
    const std::string format = text_of(got->result, "ReportFormat");
    if (!format.empty() && format != "text/csv") return fail("GetCredentialReport: unexpected ReportFormat " + quote(format));
    std::string csv = base64_decode(trim(content));
    if (csv.empty()) return fail("GetCredentialReport: <Content> is empty or not base64");
    auto rows = parse_report(csv);
    if (!rows) return fail("GetCredentialReport: " + rows.error().message());
    report_ = std::move(rows).value();
    report_read_ = true;
    return {};
  }

  Result<std::vector<Policy>> attached(const std::string& action, const Params& params) const {
    std::vector<Policy> out;
    RC_TRY(api_.list(action, params, "AttachedPolicies", [&](const xml_node& m) -> Result<void> {
      Policy p{text_of(m, "PolicyName"), text_of(m, "PolicyArn")};
      if (p.name.empty()) return fail("no <PolicyName>");
      out.push_back(std::move(p));
      return {};
    }));
    return out;
  }

  Result<std::vector<std::string>> inline_names(const std::string& action, const Params& params) const {
    std::vector<std::string> out;
    RC_TRY(api_.list(action, params, "PolicyNames", [&](const xml_node& m) -> Result<void> {
      out.emplace_back(m.text().as_string());
      return {};
    }));
    return out;
  }

  Result<UserDetail> read_user(const User& u) const {
    const Params p = {{"UserName", u.name}};
    UserDetail d;
    RC_ASSIGN(d.policies, attached("ListAttachedUserPolicies", p));
    RC_ASSIGN(d.inline_policies, inline_names("ListUserPolicies", p));
    RC_TRY(api_.list("ListAccessKeys", p, "AccessKeyMetadata", [&](const xml_node& m) -> Result<void> {
      Key k;
      k.id = text_of(m, "AccessKeyId");
      if (k.id.empty()) return fail("no <AccessKeyId>");
      const std::string status = text_of(m, "Status");
      if (status != "Active" && status != "Inactive") return fail("key " + k.id + ": unknown <Status> " + quote(status));
      k.active = status == "Active";
      RC_ASSIGN(k.created, date_of(m, "CreateDate"));
      d.keys.push_back(std::move(k));
      return {};
    }));

    auto row = report_read_ ? report_.find(u.name) : report_.end();
    if (row != report_.end()) {
      // The report knows each of the user's (at most two) keys by creation time, not by id.
      d.console_password = row->second.password_enabled;
      d.password_created = row->second.password_changed;
      d.mfa = row->second.mfa;
      for (Key& k : d.keys) {
        for (const ReportKey& r : row->second.keys) {
          if (!k.created || r.rotated != k.created) continue;
          k.last_used = r.last_used;
          k.where = usage_where(r.service, r.region);
          k.usage_known = true;
        }
      }
    } else {
      RC_ASSIGN(auto profile, api_.call("GetLoginProfile", p, true, "NoSuchEntity"));
      if (profile) {
        xml_node lp = profile->result.child("LoginProfile");
        d.console_password = true;
        auto created = date_of(lp, "CreateDate");
        if (!created) return fail(IamApi::label("GetLoginProfile", p) + ": " + created.error().message());
        d.password_created = *created;
        d.password_reset_required = text_of(lp, "PasswordResetRequired") == "true";
      }
      RC_TRY(api_.list("ListMFADevices", p, "MFADevices", [&](const xml_node&) -> Result<void> {
        d.mfa = true;
        return {};
      }));
    }
    for (Key& k : d.keys) {
      if (k.usage_known) continue;
      const Params kp = {{"AccessKeyId", k.id}};
      RC_ASSIGN(auto used, api_.call("GetAccessKeyLastUsed", kp, true));
      xml_node last = used->result.child("AccessKeyLastUsed");
      auto date = date_of(last, "LastUsedDate");
      if (!date) return fail(IamApi::label("GetAccessKeyLastUsed", kp) + ": " + date.error().message());
      k.last_used = *date;
      k.where = usage_where(text_of(last, "ServiceName"), text_of(last, "Region"));
    }
    if (!api_.settings.service_tag_key.empty()) {
      RC_TRY(api_.list("ListUserTags", p, "Tags", [&](const xml_node& m) -> Result<void> {
        if (text_of(m, "Key") != api_.settings.service_tag_key) return {};
        d.service_tagged = d.service_tagged || api_.settings.service_tag_value.empty() ||
                           text_of(m, "Value") == api_.settings.service_tag_value;
        return {};
      }));
    }
    return d;
  }

  Result<void> read_user_details() {
    details_.resize(users_.size());
    return http::ordered_parallel<UserDetail>(
        users_.size(), api_.concurrency, [&](std::size_t i) { return read_user(users_[i]); },
        [&](std::size_t i, UserDetail&& d) -> Result<void> {
          details_[i] = std::move(d);
          return {};
        });
  }

  Result<void> read_groups() {
    RC_TRY(api_.list("ListGroups", {}, "Groups", [&](const xml_node& m) -> Result<void> {
      Group g;
      g.name = text_of(m, "GroupName");
      if (g.name.empty()) return fail("no <GroupName>");
      g.arn = text_of(m, "Arn");
      groups_.push_back(std::move(g));
      return {};
    }));
    return http::ordered_parallel<Group>(
        groups_.size(), api_.concurrency,
        [&](std::size_t i) -> Result<Group> {
          Group g = groups_[i];
          const Params p = {{"GroupName", g.name}};
          RC_TRY(api_.list("GetGroup", p, "Users", [&](const xml_node& m) -> Result<void> {
            g.members.push_back(text_of(m, "UserName"));
            return {};
          }));
          RC_ASSIGN(g.policies, attached("ListAttachedGroupPolicies", p));
          RC_ASSIGN(g.inline_policies, inline_names("ListGroupPolicies", p));
          return g;
        },
        [&](std::size_t i, Group&& g) -> Result<void> {
          groups_[i] = std::move(g);
          return {};
        });
  }

  Result<void> read_roles() {
    RC_TRY(api_.list("ListRoles", {}, "Roles", [&](const xml_node& m) -> Result<void> {
      Role r;
      r.name = text_of(m, "RoleName");
      if (r.name.empty()) return fail("no <RoleName>");
      r.arn = text_of(m, "Arn");
      r.trust_document = text_of(m, "AssumeRolePolicyDocument");
      roles_.push_back(std::move(r));
      return {};
    }));
    return http::ordered_parallel<std::vector<Policy>>(
        roles_.size(), api_.concurrency,
        [&](std::size_t i) { return attached("ListAttachedRolePolicies", {{"RoleName", roles_[i].name}}); },
        [&](std::size_t i, std::vector<Policy>&& p) -> Result<void> {
          roles_[i].policies = std::move(p);
          return {};
        });
  }

  bool privileged(const std::string& policy) const { return api_.settings.privileged_policies.count(policy) != 0; }

  Result<void> entitlement(RecordSink& sink, const std::string& type, const std::string& name, bool priv,
                           Json attrs) {
    const std::string id = type + ":" + name;
    if (!emitted_.insert(id).second) return {};
    Entitlement e;
    e.id = id;
    e.type = type;
    e.name = name;
    e.privileged = priv;
    e.attrs_json = attrs.dump();
    return sink.entitlement(e);
  }

  Result<void> policy(RecordSink& sink, const Policy& p) {
    const bool aws_managed = p.arn.find(":iam::aws:policy/") != std::string::npos;
    return entitlement(sink, "policy", p.name, privileged(p.name), Json{{"arn", p.arn}, {"aws_managed", aws_managed}});
  }

  Result<void> grant(RecordSink& sink, const std::string& account, const std::string& entitlement,
                     const std::string& via = "direct") {
    Grant g;
    g.account_id = account;
    g.entitlement_id = entitlement;
    g.via = via;
    return sink.grant(g);
  }

  Result<void> emit_users(RecordSink& sink) {
    for (std::size_t i = 0; i < users_.size(); ++i) {
      const User& u = users_[i];
      const UserDetail& d = details_[i];
      Account a;
      a.id = u.name;
      a.login = u.name;
      a.display_name = u.name;
      a.kind = api_.settings.service_users.matches(u.name) || d.service_tagged ? AccountKind::service : AccountKind::human;
      a.status = AccountStatus::active;
      a.last_login = u.password_last_used;
      a.created_at = u.created;
      a.attrs_json = Json{{"user_id", u.id},
                          {"arn", u.arn},
                          {"path", u.path},
                          {"mfa_enrolled", d.mfa},
                          {"console_password", d.console_password}}
                         .dump();
      RC_TRY(sink.account(a));
      for (const Key& k : d.keys) {
        Credential c;
        c.account_id = u.name;
        c.id = k.id;
        c.kind = CredentialKind::access_key;
        c.status = k.active ? CredentialStatus::active : CredentialStatus::inactive;
        c.created_at = k.created;
        c.last_used_at = k.last_used;
        c.last_used_where = k.where;
        RC_TRY(sink.credential(c));
      }
      if (d.console_password) {
        Credential c;
        c.account_id = u.name;
        c.id = "password";
        c.kind = CredentialKind::password;
        c.created_at = d.password_created;
        c.last_used_at = u.password_last_used;
        c.attrs_json = Json{{"password_reset_required", d.password_reset_required}}.dump();
        RC_TRY(sink.credential(c));
      }
    }
    for (std::size_t i = 0; i < users_.size(); ++i) {
      const User& u = users_[i];
      const UserDetail& d = details_[i];
      for (const Policy& p : d.policies) {
        RC_TRY(policy(sink, p));
        RC_TRY(grant(sink, u.name, "policy:" + p.name));
      }
      for (const std::string& name : d.inline_policies) {
        RC_TRY(entitlement(sink, "inline-policy", name, false, Json{{"attached_to", "user"}}));
        RC_TRY(grant(sink, u.name, "inline-policy:" + name));
      }
    }
    return {};
  }

  Result<void> emit_groups(RecordSink& sink) {
    for (const Group& g : groups_) {
      const std::string gid = "group:" + g.name;
      RC_TRY(entitlement(sink, "group", g.name, false, Json{{"arn", g.arn}}));
      for (const Policy& p : g.policies) RC_TRY(policy(sink, p));
      for (const std::string& name : g.inline_policies) {
        RC_TRY(entitlement(sink, "inline-policy", name, false, Json{{"attached_to", "group"}}));
      }
      for (const std::string& member : g.members) {
        if (user_index_.count(member) == 0) {
          return fail("GetGroup GroupName=" + g.name + " lists user " + quote(member) +
                      ", who was not among the users read (created meanwhile?); take the snapshot again");
        }
        RC_TRY(grant(sink, member, gid));
        for (const Policy& p : g.policies) RC_TRY(grant(sink, member, "policy:" + p.name, gid));
        for (const std::string& name : g.inline_policies) RC_TRY(grant(sink, member, "inline-policy:" + name, gid));
      }
    }
    return {};
  }

  Result<void> emit_roles(RecordSink& sink) {
    std::unordered_map<std::string, std::string> by_principal;  // "AWS:<arn or user id>" -> user name
    for (const User& u : users_) {
      by_principal["AWS:" + u.arn] = u.name;
      if (!u.id.empty()) by_principal["AWS:" + u.id] = u.name;
    }
    for (const Role& r : roles_) {
      auto principals = trust_principals(r.trust_document);
      if (!principals) return fail("ListRoles: role " + quote(r.name) + ": " + principals.error().message());
      bool priv = false;
      Json policies = Json::array();
      for (const Policy& p : r.policies) {
        priv = priv || privileged(p.name);
        policies.push_back(p.name);
      }
      std::set<std::string> users;
      Json others = Json::array();
      for (const std::string& p : *principals) {
        auto it = by_principal.find(p);
        if (it != by_principal.end()) {
          users.insert(it->second);
        } else {
          others.push_back(p);
        }
      }
      RC_TRY(entitlement(sink, "role", r.name, priv,
                         Json{{"arn", r.arn}, {"policies", policies}, {"trusted_principals", others}}));
      for (const std::string& user : users) RC_TRY(grant(sink, user, "role:" + r.name, "direct"));  // the trust policy names the user itself
    }
    return {};
  }

  IamApi api_;
  Logger& log_;
  std::vector<User> users_;
  std::unordered_map<std::string, std::size_t> user_index_;
  std::vector<UserDetail> details_;
  std::vector<Group> groups_;
  std::vector<Role> roles_;
  std::unordered_map<std::string, ReportRow> report_;
  bool report_read_ = false;
  std::set<std::string> emitted_;
};

Result<std::unique_ptr<Connector>> create(const config::SystemConfig& sys, const ConnectorEnv& env) {
  RC_ASSIGN(IamApi api, open_api(sys, env));
  return std::unique_ptr<Connector>(new IamConnector(std::move(api), env.log));
}

}  // namespace

ConnectorType connector_type() {
  ConnectorType t;
  t.name = "aws-iam";
  t.summary = "an AWS account's IAM: users, groups, managed and inline policies, roles by trust policy, access keys "
              "and console passwords";
  t.keys = iam_keys();
  t.create = create;
  t.create_writer = create_writer;
  return t;
}

}  // namespace rollcall::connectors::aws_iam
