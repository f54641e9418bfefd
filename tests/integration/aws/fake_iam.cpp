#include "tests/integration/aws/fake_iam.hpp"

#include <algorithm>
#include <functional>
#include <regex>

namespace rollcall::testing {
namespace {

using Params = std::multimap<std::string, std::string>;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string form_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::string url_encode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Params parse_form(const std::string& body) {
  Params out;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t amp = body.find('&', start);
    std::string part = body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!part.empty()) {
      auto eq = part.find('=');
      out.emplace(form_decode(part.substr(0, eq)), eq == std::string::npos ? "" : form_decode(part.substr(eq + 1)));
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

std::string param(const Params& p, const std::string& name) {
  auto it = p.find(name);
  return it == p.end() ? "" : it->second;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string el(const std::string& name, const std::string& text) {
  return "<" + name + ">" + xml_escape(text) + "</" + name + ">";
}

std::string base64(const std::string& in) {
  static const char* kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  while (i + 2 < in.size()) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kChars[(n >> s) & 63];
    i += 3;
  }
  if (i + 1 == in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += kChars[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// The report's time format: "2024-01-10T09:00:00+00:00", or N/A.
std::string report_time(const std::string& iso) {
  if (iso.empty()) return "N/A";
  std::string t = iso;
  if (!t.empty() && t.back() == 'Z') t = t.substr(0, t.size() - 1) + "+00:00";
  return t;
}

void answer(httplib::Response& res, const std::string& action, const std::string& result) {
  std::string body = "<" + action + "Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">";
  if (!result.empty()) body += "<" + action + "Result>" + result + "</" + action + "Result>";
  body += "<ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></" + action +
          "Response>";
  res.status = 200;
  res.set_content(body, "text/xml");
}

void error(httplib::Response& res, int status, const std::string& code, const std::string& message) {
  res.status = status;
  res.set_content("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>" +
                      el("Code", code) + el("Message", message) +
                      "</Error><RequestId>4c4ee4b6-EXAMPLE</RequestId></ErrorResponse>",
                  "text/xml");
}

}  // namespace

void FakeIam::generate(std::size_t n, std::size_t keys_per_user, std::size_t g, std::size_t r) {
  users.clear();
  groups.clear();
  roles.clear();
  char buf[64];
  for (std::size_t i = 0; i < n; ++i) {
    User u;
    std::snprintf(buf, sizeof buf, "user%05zu", i);
    u.name = buf;
    std::snprintf(buf, sizeof buf, "AIDA%016zu", i);
    u.id = buf;
    if (i % 2 == 0) u.password = "2024-02-01T10:00:00Z";
    u.mfa = i % 3 == 0;
    if (i % 10 == 0) u.policies.push_back(aws_policy("ReadOnlyAccess"));
    if (i % 50 == 0) u.inline_policies.push_back("s3-scratch");
    for (std::size_t k = 0; k < keys_per_user; ++k) {
      Key key;
      std::snprintf(buf, sizeof buf, "AKIA%08zu%04zu", i, k);
      key.id = buf;
      std::snprintf(buf, sizeof buf, "2024-%02zu-%02zuT08:00:00Z", 1 + k % 12, 1 + i % 28);
      key.created = buf;
      if (k % 2 == 0) {
        key.last_used = "2026-11-20T12:00:00Z";
        key.service = "s3";
        key.region = "us-east-1";
      }
      if (k == 3) key.status = "Inactive";
      u.keys.push_back(key);
    }
    users.push_back(std::move(u));
  }
  for (std::size_t k = 0; k < g; ++k) {
    Group grp;
    grp.name = "group" + std::to_string(k);
    for (std::size_t i = k * n / std::max<std::size_t>(g, 1); i < (k + 1) * n / std::max<std::size_t>(g, 1); ++i) {
      grp.members.push_back(users[i].name);
    }
    grp.policies.push_back(k == 0 ? aws_policy("AdministratorAccess") : customer_policy("team-" + std::to_string(k)));
    groups.push_back(std::move(grp));
  }
  for (std::size_t k = 0; k < r; ++k) {
    Role role;
    role.name = "role" + std::to_string(k);
    std::string user = n == 0 ? "nobody" : users[k % n].name;
    role.trust = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":")" + user_arn(user) +
                 R"(","Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
    role.policies.push_back(aws_policy(k % 100 == 0 ? "AdministratorAccess" : "ReadOnlyAccess"));
    roles.push_back(std::move(role));
  }
}

void FakeIam::install() {
  std::lock_guard<std::mutex> lock(mutex_);
  user_index_.clear();
  key_index_.clear();
  for (std::size_t i = 0; i < users.size(); ++i) {
    user_index_[users[i].name] = i;
    for (std::size_t k = 0; k < users[i].keys.size(); ++k) key_index_[users[i].keys[k].id] = {i, k};
  }
  server_.route("POST", "/", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
}

FakeIam::User* FakeIam::find_user(const std::string& name) {
  auto it = user_index_.find(name);
  return it == user_index_.end() ? nullptr : &users[it->second];
}

FakeIam::Group* FakeIam::find_group(const std::string& name) {
  for (auto& g : groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

void FakeIam::throttle(const std::string& action, int times) {
  std::lock_guard<std::mutex> lock(mutex_);
  throttle_[action] = times;
}

void FakeIam::truncate(const std::string& action) {
  std::lock_guard<std::mutex> lock(mutex_);
  truncate_[action] = true;
}

int FakeIam::requests(const std::string& action) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (action.empty()) return total_requests_;
  auto it = requests_.find(action);
  return it == requests_.end() ? 0 : it->second;
}

int FakeIam::bad_signatures() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bad_signatures_;
}

std::vector<std::string> FakeIam::writes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return writes_;
}

std::string FakeIam::key_status(const std::string& user, const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = user_index_.find(user);
  if (it == user_index_.end()) return "no such user";
  for (const auto& k : users[it->second].keys) {
    if (k.id == key) return k.status;
  }
  return "no such key";
}

bool FakeIam::has_login_profile(const std::string& user) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = user_index_.find(user);
  return it != user_index_.end() && users[it->second].password.has_value();
}

std::vector<std::string> FakeIam::members(const std::string& group) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& g : groups) {
    if (g.name == group) return g.members;
  }
  return {};
}

std::vector<std::string> FakeIam::user_policies(const std::string& user) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out;
  auto it = user_index_.find(user);
  if (it == user_index_.end()) return out;
  for (const auto& p : users[it->second].policies) out.push_back(p.name);
  return out;
}

void FakeIam::handle(const httplib::Request& req, httplib::Response& res) {
  static const std::regex kAuth(
      "AWS4-HMAC-SHA256 Credential=[A-Z0-9]+/[0-9]{8}/[a-z0-9-]+/iam/aws4_request, "
      "SignedHeaders=([a-z0-9-]+;)*host;([a-z0-9-]+;)*x-amz-date(;[a-z0-9-]+)*, Signature=[0-9a-f]{64}");
  const Params p = parse_form(req.body);
  const std::string action = param(p, "Action");
  std::lock_guard<std::mutex> lock(mutex_);
  ++total_requests_;
  ++requests_[action];
  if (!std::regex_match(req.get_header_value("Authorization"), kAuth) || !req.has_header("X-Amz-Date")) {
    ++bad_signatures_;
    return error(res, 403, "IncompleteSignature", "Authorization header requires a SigV4 signature");
  }
  if (param(p, "Version") != "2010-05-08") return error(res, 400, "InvalidParameterValue", "bad Version");
  if (auto t = throttle_.find(action); t != throttle_.end() && t->second > 0) {
    --t->second;
    return error(res, 400, "Throttling", "Rate exceeded");
  }

  // A page of `total` items: MaxItems (capped at max_page), the marker is the next index.
  auto list = [&](const std::string& name, std::size_t total, const std::function<std::string(std::size_t)>& item,
                  const std::string& before = "") {
    std::size_t limit = max_page;
    if (auto m = param(p, "MaxItems"); !m.empty()) limit = std::min<std::size_t>(limit, std::stoul(m));
    std::size_t start = 0;
    if (auto m = param(p, "Marker"); !m.empty()) start = std::stoul(m.substr(7));
    std::size_t end = std::min(total, start + limit);
    std::string out = before + "<" + name + ">";
    for (std::size_t i = start; i < end; ++i) out += "<member>" + item(i) + "</member>";
    out += "</" + name + ">";
    const bool more = end < total || truncate_[action];
    out += el("IsTruncated", more ? "true" : "false");
    if (end < total && !truncate_[action]) out += el("Marker", "marker-" + std::to_string(end));
    answer(res, action, out);
  };
  auto policies = [&](const std::vector<Policy>& list_of) {
    list("AttachedPolicies", list_of.size(),
         [&](std::size_t i) { return el("PolicyName", list_of[i].name) + el("PolicyArn", list_of[i].arn); });
  };
  auto names = [&](const std::vector<std::string>& list_of) {
    list("PolicyNames", list_of.size(), [&](std::size_t i) { return xml_escape(list_of[i]); });
  };
  auto user_xml = [&](const User& u) {
    return el("Path", "/") + el("UserName", u.name) + el("UserId", u.id) + el("Arn", user_arn(u.name)) +
           el("CreateDate", u.created) + (u.password_last_used.empty() ? "" : el("PasswordLastUsed", u.password_last_used));
  };
  auto no_user = [&](const std::string& name) {
    error(res, 404, "NoSuchEntity", "The user with name " + name + " cannot be found.");
  };
  auto record_write = [&] {
    std::string line = action;
    for (const auto& [k, v] : p) {
      if (k != "Action" && k != "Version") line += " " + k + "=" + v;
    }
    writes_.push_back(line);
  };

  const std::string user_name = param(p, "UserName");
  if (action == "ListUsers") {
    return list("Users", users.size(), [&](std::size_t i) { return user_xml(users[i]); });
  }
  if (action == "ListGroups") {
    return list("Groups", groups.size(), [&](std::size_t i) {
      return el("Path", "/") + el("GroupName", groups[i].name) + el("GroupId", "AGPA" + std::to_string(i)) +
             el("Arn", "arn:aws:iam::" + std::string(kAccount) + ":group/" + groups[i].name) +
             el("CreateDate", "2024-01-01T00:00:00Z");
    });
  }
  if (action == "ListRoles") {
    return list("Roles", roles.size(), [&](std::size_t i) {
      return el("Path", "/") + el("RoleName", roles[i].name) + el("RoleId", "AROA" + std::to_string(i)) +
             el("Arn", "arn:aws:iam::" + std::string(kAccount) + ":role/" + roles[i].name) +
             el("CreateDate", "2024-01-01T00:00:00Z") + el("AssumeRolePolicyDocument", url_encode(roles[i].trust));
    });
  }
  if (action == "ListAttachedRolePolicies") {
    for (const auto& r : roles) {
      if (r.name == param(p, "RoleName")) return policies(r.policies);
    }
    return error(res, 404, "NoSuchEntity", "no role");
  }
  if (action == "GetGroup" || action == "ListAttachedGroupPolicies" || action == "ListGroupPolicies") {
    Group* g = find_group(param(p, "GroupName"));
    if (g == nullptr) return error(res, 404, "NoSuchEntity", "The group with name " + param(p, "GroupName") + " cannot be found.");
    if (action == "ListAttachedGroupPolicies") return policies(g->policies);
    if (action == "ListGroupPolicies") return names(g->inline_policies);
    const std::string group_xml = "<Group>" + el("GroupName", g->name) + "</Group>";
    return list("Users", g->members.size(), [&](std::size_t i) {
      const User* u = find_user(g->members[i]);
      return u != nullptr ? user_xml(*u) : el("UserName", g->members[i]);
    }, group_xml);
  }
  if (action == "GenerateCredentialReport") {
    report_csv_ =
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
        "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
        "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
        "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
        "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
        "<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,N/A,not_supported,"
        "not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
    for (const User& u : users) {
      std::string row = u.name + "," + user_arn(u.name) + "," + report_time(u.created) + "," +
                        (u.password ? "true" : "false") + "," + report_time(u.password_last_used) + "," +
                        (u.password ? report_time(*u.password) : "N/A") + ",N/A," + (u.mfa ? "true" : "false");
      for (std::size_t k = 0; k < 2; ++k) {
        if (k < u.keys.size()) {
          const Key& key = u.keys[k];
          row += std::string(",") + (key.status == "Active" ? "true" : "false") + "," + report_time(key.created) + "," +
                 report_time(key.last_used) + "," + key.region + "," + key.service;
        } else {
          row += ",false,N/A,N/A,N/A,N/A";
        }
      }
      report_csv_ += row + ",false,N/A,false,N/A\n";
    }
    return answer(res, action, el("State", "COMPLETE") + el("Description", "No report exists. Starting a new report generation task"));
  }
  if (action == "GetCredentialReport") {
    if (report_csv_.empty()) return error(res, 410, "ReportNotPresent", "Credential report not present");
    return answer(res, action, el("Content", base64(report_csv_)) + el("ReportFormat", "text/csv") +
                                   el("GeneratedTime", "2026-12-01T00:00:00Z"));
  }
  if (action == "GetAccessKeyLastUsed") {
    const std::string id = param(p, "AccessKeyId");
    auto used = [&](const User& u, const Key& k) {
      answer(res, action, el("UserName", u.name) + "<AccessKeyLastUsed>" +
                              (k.last_used.empty() ? "" : el("LastUsedDate", k.last_used)) +
                              el("ServiceName", k.service) + el("Region", k.region) + "</AccessKeyLastUsed>");
    };
    if (auto it = key_index_.find(id); it != key_index_.end()) {
      return used(users[it->second.first], users[it->second.first].keys[it->second.second]);
    }
    for (const User& u : users) {  // a key added after install()
      for (const Key& k : u.keys) {
        if (k.id == id) return used(u, k);
      }
    }
    return error(res, 404, "NoSuchEntity", "no key " + id);
  }

  // Everything below is about one user.
  User* u = find_user(user_name);
  if (u == nullptr) return no_user(user_name);
  if (action == "GetUser") return answer(res, action, "<User>" + user_xml(*u) + "</User>");
  if (action == "GetLoginProfile") {
    if (!u->password) return error(res, 404, "NoSuchEntity", "Login Profile for User " + u->name + " cannot be found.");
    return answer(res, action, "<LoginProfile>" + el("UserName", u->name) + el("CreateDate", *u->password) +
                                   el("PasswordResetRequired", "false") + "</LoginProfile>");
  }
  if (action == "ListMFADevices") {
    return list("MFADevices", u->mfa ? 1 : 0, [&](std::size_t) {
      return el("UserName", u->name) + el("SerialNumber", "arn:aws:iam::123456789012:mfa/" + u->name) +
             el("EnableDate", "2024-01-11T09:00:00Z");
    });
  }
  if (action == "ListAttachedUserPolicies") return policies(u->policies);
  if (action == "ListUserPolicies") return names(u->inline_policies);
  if (action == "ListUserTags") {
    return list("Tags", u->tags.size(), [&](std::size_t i) { return el("Key", u->tags[i].first) + el("Value", u->tags[i].second); });
  }
  if (action == "ListAccessKeys") {
    return list("AccessKeyMetadata", u->keys.size(), [&](std::size_t i) {
      return el("UserName", u->name) + el("AccessKeyId", u->keys[i].id) + el("Status", u->keys[i].status) +
             el("CreateDate", u->keys[i].created);
    });
  }
  if (action == "ListGroupsForUser") {
    std::vector<std::string> mine;
    for (const Group& g : groups) {
      if (std::find(g.members.begin(), g.members.end(), u->name) != g.members.end()) mine.push_back(g.name);
    }
    return list("Groups", mine.size(), [&](std::size_t i) { return el("GroupName", mine[i]); });
  }
  if (action == "UpdateAccessKey") {
    record_write();
    for (Key& k : u->keys) {
      if (k.id != param(p, "AccessKeyId")) continue;
      k.status = param(p, "Status");
      return answer(res, action, "");
    }
    return error(res, 404, "NoSuchEntity", "The Access Key with id " + param(p, "AccessKeyId") + " cannot be found.");
  }
  if (action == "DeleteLoginProfile") {
    record_write();
    if (!u->password) return error(res, 404, "NoSuchEntity", "Login Profile for User " + u->name + " cannot be found.");
    u->password.reset();
    return answer(res, action, "");
  }
  if (action == "RemoveUserFromGroup") {
    record_write();
    Group* g = find_group(param(p, "GroupName"));
    if (g == nullptr) return error(res, 404, "NoSuchEntity", "no group");
    g->members.erase(std::remove(g->members.begin(), g->members.end(), u->name), g->members.end());
    return answer(res, action, "");
  }
  if (action == "DetachUserPolicy") {
    record_write();
    auto& ps = u->policies;
    auto it = std::find_if(ps.begin(), ps.end(), [&](const Policy& x) { return x.arn == param(p, "PolicyArn"); });
    if (it == ps.end()) return error(res, 404, "NoSuchEntity", "Policy " + param(p, "PolicyArn") + " was not found.");
    ps.erase(it);
    return answer(res, action, "");
  }
  error(res, 400, "InvalidAction", "Could not find operation " + action + " for version 2010-05-08");
}

}  // namespace rollcall::testing
