#include "tests/integration/entra/fake_graph.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

namespace rollcall::testing {
namespace {

using Json = nlohmann::json;

std::string str(const std::string& s) { return Json(s).dump(); }

// Graph's content type. (httplib would brotli-compress a plain "application/json" for a curl
// client, at a cost that would dominate every measurement; Graph answers uncompressed unless asked.)
constexpr const char* kGraphJson =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

void reply(httplib::Response& res, const std::string& body, int status = 200) {
  reply_json(res, body, status, kGraphJson);
}

std::string graph_error(const std::string& code, const std::string& message) {
  return Json{{"error", {{"code", code}, {"message", message}, {"innerError", {{"request-id", "0000"}}}}}}.dump();
}

std::string numbered(const char* prefix, std::size_t i) {
  // GUID-shaped ids, distinct per prefix (8 hex digits) and number.
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-0000-4000-8000-%012zx", prefix, i);
  return buf;
}

std::string base64url_decode(const std::string& in) {
  std::string s = in;
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4 != 0) s += '=';
  std::string out(s.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return "";
  out.resize(static_cast<std::size_t>(n));
  std::size_t pad = 0;
  while (!s.empty() && s[s.size() - 1 - pad] == '=') ++pad;
  out.resize(out.size() - pad);
  return out;
}

std::string base64url_encode(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

// Verifies an RS256 client assertion as Entra does; "" when valid, else the reason.
std::string verify_assertion(const std::string& jwt, const std::string& cert_pem, const std::string& token_url,
                             const std::string& client_id, std::pair<std::string, std::string>& decoded) {
  const auto dot1 = jwt.find('.');
  const auto dot2 = jwt.find('.', dot1 == std::string::npos ? 0 : dot1 + 1);
  if (dot1 == std::string::npos || dot2 == std::string::npos) return "not a JWT";
  decoded = {base64url_decode(jwt.substr(0, dot1)), base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1))};
  Json header = Json::parse(decoded.first, nullptr, false);
  Json claims = Json::parse(decoded.second, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return "malformed JWT";
  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return "no certificate";
  unsigned char* der = nullptr;
  int der_size = i2d_X509(cert, &der);
  unsigned char sha1[EVP_MAX_MD_SIZE];
  unsigned int sha1_size = 0;
  EVP_Digest(der, static_cast<std::size_t>(der_size), sha1, &sha1_size, EVP_sha1(), nullptr);
  OPENSSL_free(der);
  EVP_PKEY* key = X509_get_pubkey(cert);
  X509_free(cert);
  std::string reason;
  const std::string signature = base64url_decode(jwt.substr(dot2 + 1));
  const std::string input = jwt.substr(0, dot2);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool signed_ok =
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  const std::int64_t now = std::time(nullptr);
  if (header.value("alg", "") != "RS256")
    reason = "AADSTS5002730: alg is not RS256";
  else if (header.value("x5t", "") != base64url_encode(sha1, sha1_size))
    reason = "AADSTS700027: x5t names no registered certificate";
  else if (!signed_ok)
    reason = "AADSTS700027: the signature does not verify";
  else if (claims.value("aud", "") != token_url)
    reason = "AADSTS700016: wrong audience";
  else if (claims.value("iss", "") != client_id || claims.value("sub", "") != client_id)
    reason = "AADSTS700016: wrong issuer";
  else if (claims.value("exp", std::int64_t{0}) <= now || claims.value("nbf", now + 1) > now + 60)
    reason = "AADSTS700024: the assertion is not within its valid time range";
  else if (claims.value("jti", "").size() < 16)
    reason = "AADSTS700024: no jti";
  return reason;
}

}  // namespace

void FakeGraph::generate(std::size_t n, std::size_t g, std::size_t memberships, std::size_t apps) {
  users.clear();
  groups.clear();
  principals.clear();
  applications.clear();
  for (std::size_t i = 1; i <= n; ++i) {
    User u;
    u.id = numbered("aaaaaaaa", i);
    char name[64];
    std::snprintf(name, sizeof name, "user%06zu", i);
    u.upn = std::string(name) + "@contoso.com";
    u.mail = u.upn;
    u.name = name;
    u.employee_id = "E" + std::to_string(i);
    u.enabled = i % 20 != 0;
    u.last_sign_in = "2026-0" + std::to_string(1 + i % 9) + "-01T08:00:00Z";
    users.push_back(std::move(u));
  }
  const std::size_t per_group = g == 0 ? 0 : memberships / g;
  for (std::size_t k = 1; k <= g; ++k) {
    Group group{numbered("bbbbbbbb", k), "Group " + std::to_string(k), {}, false};
    for (std::size_t j = 0; j < per_group && n > 0; ++j) group.members.push_back(users[(k * 7919 + j * 13) % n].id);
    if (k % 10 == 0) groups.back().members.push_back(group.id);  // nested in the group before
    groups.push_back(std::move(group));
  }
  for (std::size_t k = 1; k <= apps; ++k) {
    ServicePrincipal sp;
    sp.id = numbered("cccccccc", k);
    sp.app_id = numbered("dddddddd", k);
    sp.name = "App " + std::to_string(k);
    sp.owner_org = "11111111-2222-3333-4444-555555555555";
    sp.roles = {{numbered("eeeeeeee", k), "Admin", "Administrator"}};
    if (n > 0) sp.owners = {users[k % n].id};
    if (g > 0) sp.assigned.push_back({groups[k % g].id, "Group"});
    for (std::size_t j = 0; j < 20 && n > 0; ++j) {
      sp.assigned.push_back(
          {users[(k * 31 + j) % n].id, "User", j == 0 ? sp.roles[0].id : "00000000-0000-0000-0000-000000000000"});
    }
    Application app{numbered("ffffffff", k),
                    sp.app_id,
                    sp.name,
                    sp.owners,
                    {{numbered("99999999", k), "ci", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"}},
                    {}};
    principals.push_back(std::move(sp));
    applications.push_back(std::move(app));
  }
}

void FakeGraph::expire_tokens() {
  std::lock_guard<std::mutex> lock(mutex_);
  valid_tokens_.clear();
}

std::pair<std::string, std::string> FakeGraph::last_assertion() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_assertion_;
}

void FakeGraph::set_answer_writes_after(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mutex_);
  answer_writes_after_ = delay;
}

bool FakeGraph::enabled(const std::string& user) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& u : users) {
    if (u.id == user) return u.enabled;
  }
  return false;
}

std::vector<std::string> FakeGraph::members(const std::string& group) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& g : groups) {
    if (g.id == group) return g.members;
  }
  return {};
}

bool FakeGraph::authorized(const httplib::Request& req, httplib::Response& res) const {
  const std::string auth = req.get_header_value("Authorization");
  const int n = ++graph_requests_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (n == expire_at_.load()) valid_tokens_.clear();
    if (auth.rfind("Bearer ", 0) == 0 && valid_tokens_.count(auth.substr(7)) != 0) return true;
  }
  res.set_header("WWW-Authenticate",
                 "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\"");
  reply(res, graph_error("InvalidAuthenticationToken", "Access token has expired or is not yet valid."), 401);
  return false;
}

void FakeGraph::token(const httplib::Request& req, httplib::Response& res) {
  httplib::Params form;
  httplib::detail::parse_query_text(req.body, form);
  auto get = [&](const std::string& k) {
    auto it = form.find(k);
    return it == form.end() ? std::string() : it->second;
  };
  auto deny = [&](int status, const std::string& error, const std::string& description) {
    reply(res, Json{{"error", error}, {"error_description", description}, {"error_codes", {7000215}}}.dump(), status);
  };
  if (get("grant_type") != "client_credentials") return deny(400, "unsupported_grant_type", "AADSTS70003: grant_type");
  if (get("client_id") != client_id_) {
    return deny(400, "unauthorized_client",
                "AADSTS700016: Application with identifier '" + get("client_id") + "' was not found in the directory.");
  }
  if (get("scope") != graph_url() + "/.default")
    return deny(400, "invalid_scope", "AADSTS1002012: scope " + get("scope"));
  if (certificate_pem.empty()) {
    if (get("client_secret") != secret_) {
      return deny(401, "invalid_client",
                  "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent "
                  "in the request is the client secret value, not the client secret ID.");
    }
  } else {
    if (get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
      return deny(401, "invalid_client", "AADSTS7000218: The request body must contain client_assertion");
    }
    std::pair<std::string, std::string> decoded;
    const std::string reason =
        verify_assertion(get("client_assertion"), certificate_pem, authority() + token_path(), client_id_, decoded);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      last_assertion_ = decoded;
    }
    if (!reason.empty()) return deny(401, "invalid_client", reason);
  }
  const std::string access = "eyJ0eXAiOiJKV1Qi.fake-graph-token-" + std::to_string(++tokens_issued_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    valid_tokens_.insert(access);
  }
  reply(res, Json{{"token_type", "Bearer"},
                  {"expires_in", token_lifetime},
                  {"ext_expires_in", token_lifetime},
                  {"access_token", access}}
                 .dump());
}

void FakeGraph::page(const httplib::Request& req, httplib::Response& res, const std::vector<std::string>& items) const {
  page(req, res, items.size(), [&](std::size_t i, std::string& out) { out += items[i]; });
}

void FakeGraph::page(const httplib::Request& req, httplib::Response& res, std::size_t total,
                     const std::function<void(std::size_t, std::string&)>& render) const {
  std::size_t top = static_cast<std::size_t>(std::max<long long>(1, int_param(req, "$top", 100)));
  top = std::min(top, page_cap);
  const std::size_t skip = static_cast<std::size_t>(std::max<long long>(0, int_param(req, "$skiptoken", 0)));
  std::string body = "{\"@odata.context\":\"" + graph_url() + "/v1.0/$metadata#directoryObjects\",\"value\":[";
  for (std::size_t i = skip; i < std::min(total, skip + top); ++i) {
    if (i > skip) body += ',';
    render(i, body);
  }
  body += ']';
  if (skip + top < total) {
    // As Graph does: the request's own parameters plus a $skiptoken, on an absolute URL.
    std::string query =
        req.target.substr(req.target.find('?') == std::string::npos ? req.target.size() : req.target.find('?') + 1);
    if (auto at = query.find("&$skiptoken="); at != std::string::npos) query.erase(at);
    body += ",\"@odata.nextLink\":" +
            str(graph_url() + req.path + "?" + query + "&$skiptoken=" + std::to_string(skip + top));
  }
  body += '}';
  reply(res, body);
}

std::string FakeGraph::object_json(const std::string& id) const {
  auto it = types_.find(id);
  const std::string type = it == types_.end() ? "device" : it->second;
  return "{\"@odata.type\":\"#microsoft.graph." + type + "\",\"id\":" + str(id) + "}";
}

void FakeGraph::finish_write() {
  ++writes_;
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    delay = answer_writes_after_;
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
}

void FakeGraph::install() {
  types_.clear();
  for (const auto& u : users) types_[u.id] = "user";
  for (const auto& g : groups) types_[g.id] = "group";
  for (const auto& p : principals) types_[p.id] = "servicePrincipal";
  const std::string v1 = "/v1.0";

  server_.route("POST", token_path(), [this](const httplib::Request& req, httplib::Response& res) { token(req, res); });

  server_.get(v1 + "/users", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    const std::string select = param(req, "$select");
    const bool sign_ins = select.find("signInActivity") != std::string::npos;
    if (sign_ins && !audit_log_permission) {
      return reply(
          res, graph_error("Authorization_RequestDenied", "Insufficient privileges to complete the operation."), 403);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    page(req, res, users.size(), [&](std::size_t i, std::string& s) {
      const User& u = users[i];
      s += "{\"id\":" + str(u.id) + ",\"displayName\":" + str(u.name) + ",\"userPrincipalName\":" + str(u.upn) +
           ",\"mail\":" + (u.mail.empty() ? "null" : str(u.mail)) +
           ",\"employeeId\":" + (u.employee_id.empty() ? "null" : str(u.employee_id)) +
           ",\"userType\":" + str(u.user_type) + ",\"accountEnabled\":" + (u.enabled ? "true" : "false") +
           ",\"createdDateTime\":" + str(u.created) +
           ",\"externalUserState\":" + (u.user_type == "Guest" ? "\"Accepted\"" : "null");
      if (sign_ins) {
        s += ",\"signInActivity\":{\"lastSignInDateTime\":" + (u.last_sign_in.empty() ? "null" : str(u.last_sign_in)) +
             ",\"lastNonInteractiveSignInDateTime\":null}";
      }
      s += "}";
    });
  });

  server_.get(v1 + "/groups", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    const std::string filter = param(req, "$filter");
    std::string wanted;
    if (!filter.empty()) {
      // displayName eq 'x' (a quote doubled), case-insensitive like Graph.
      const std::string prefix = "displayName eq '";
      if (filter.rfind(prefix, 0) != 0 || filter.back() != '\'') {
        return reply(res, graph_error("Request_UnsupportedQuery", "Unsupported query."), 400);
      }
      for (std::size_t i = prefix.size(); i + 1 < filter.size(); ++i) {
        wanted += static_cast<char>(std::tolower(static_cast<unsigned char>(filter[i])));
        if (filter[i] == '\'') ++i;
      }
    }
    std::vector<std::string> items;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& g : groups) {
      std::string lower;
      for (char c : g.name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!filter.empty() && lower != wanted) continue;
      items.push_back("{\"id\":" + str(g.id) + ",\"displayName\":" + str(g.name) +
                      ",\"securityEnabled\":true,\"mailEnabled\":false,\"groupTypes\":[],\"isAssignableToRole\":" +
                      (g.role_assignable ? "true" : "false") + "}");
    }
    page(req, res, items);
  });

  for (const auto& u : users) {
    if (!write_routes) break;
    const std::string id = u.id;
    server_.get(v1 + "/users/" + id, [this, id](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& x : users) {
        if (x.id == id) {
          return reply(res, "{\"id\":" + str(x.id) + ",\"accountEnabled\":" + (x.enabled ? "true" : "false") + "}");
        }
      }
      reply(res, graph_error("Request_ResourceNotFound", "Resource '" + id + "' does not exist."), 404);
    });
    server_.route("PATCH", v1 + "/users/" + id, [this, id](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      Json body = Json::parse(req.body, nullptr, false);
      if (!body.is_object() || !body.contains("accountEnabled") || !body["accountEnabled"].is_boolean()) {
        return reply(res, graph_error("Request_BadRequest", "Invalid request body."), 400);
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& x : users) {
          if (x.id == id) x.enabled = body["accountEnabled"].get<bool>();
        }
      }
      finish_write();
      res.status = 204;
    });
  }

  for (const auto& g : groups) {
    const std::string gid = g.id;
    server_.get(v1 + "/groups/" + gid, [this, gid](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& x : groups) {
        if (x.id == gid) return reply(res, "{\"id\":" + str(x.id) + ",\"displayName\":" + str(x.name) + "}");
      }
      reply(res, graph_error("Request_ResourceNotFound", "Resource '" + gid + "' does not exist."), 404);
    });
    server_.get(v1 + "/groups/" + gid + "/members", [this, gid](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      std::vector<std::string> items;
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& x : groups) {
        if (x.id != gid) continue;
        items.reserve(x.members.size());
        for (const auto& m : x.members) items.push_back(object_json(m));
      }
      page(req, res, items);
    });
    server_.route("POST", v1 + "/groups/" + gid + "/members/$ref",
                  [this, gid](const httplib::Request& req, httplib::Response& res) {
                    if (!authorized(req, res)) return;
                    Json body = Json::parse(req.body, nullptr, false);
                    const std::string prefix = graph_url() + "/v1.0/directoryObjects/";
                    const std::string ref = body.is_object() ? body.value("@odata.id", "") : "";
                    if (ref.rfind(prefix, 0) != 0)
                      return reply(res, graph_error("Request_BadRequest", "Invalid object identifier."), 400);
                    const std::string member = ref.substr(prefix.size());
                    {
                      std::lock_guard<std::mutex> lock(mutex_);
                      for (auto& x : groups) {
                        if (x.id != gid) continue;
                        if (std::find(x.members.begin(), x.members.end(), member) != x.members.end()) {
                          return reply(res,
                                       graph_error("Request_BadRequest",
                                                   "One or more added object references already exist "
                                                   "for the following modified properties: 'members'."),
                                       400);
                        }
                        x.members.push_back(member);
                      }
                    }
                    finish_write();
                    res.status = 204;
                  });
    for (const auto& u : users) {
      if (!write_routes) break;
      const std::string uid = u.id;
      server_.route("DELETE", v1 + "/groups/" + gid + "/members/" + uid + "/$ref",
                    [this, gid, uid](const httplib::Request& req, httplib::Response& res) {
                      if (!authorized(req, res)) return;
                      {
                        std::lock_guard<std::mutex> lock(mutex_);
                        for (auto& x : groups) {
                          if (x.id != gid) continue;
                          auto it = std::find(x.members.begin(), x.members.end(), uid);
                          if (it == x.members.end()) {
                            return reply(res, graph_error("Request_ResourceNotFound", "Resource does not exist."), 404);
                          }
                          x.members.erase(it);
                        }
                      }
                      finish_write();
                      res.status = 204;
                    });
    }
  }

  server_.get(v1 + "/directoryRoles", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& r : roles) {
      items.push_back("{\"id\":" + str(r.id) + ",\"displayName\":" + str(r.name) + ",\"roleTemplateId\":" + str(r.id) +
                      "}");
    }
    page(req, res, items);
  });
  for (const auto& r : roles) {
    const std::string rid = r.id;
    server_.get(v1 + "/directoryRoles/" + rid + "/members",
                [this, rid](const httplib::Request& req, httplib::Response& res) {
                  if (!authorized(req, res)) return;
                  std::vector<std::string> items;
                  std::lock_guard<std::mutex> lock(mutex_);
                  for (const auto& x : roles) {
                    if (x.id != rid) continue;
                    for (const auto& m : x.members) items.push_back(object_json(m));
                  }
                  page(req, res, items);
                });
  }

  auto credentials = [](const std::vector<Credential>& list, bool certificate) {
    std::string out = "[";
    for (const auto& c : list) {
      if (out.size() > 1) out += ',';
      out += "{\"keyId\":" + str(c.key_id) + ",\"displayName\":" + str(c.name) + ",\"startDateTime\":" + str(c.start) +
             ",\"endDateTime\":" + str(c.end);
      out += certificate ? ",\"type\":\"AsymmetricX509Cert\",\"usage\":\"Verify\",\"key\":null}"
                         : ",\"hint\":\"abc\",\"secretText\":null}";
    }
    return out + "]";
  };
  server_.get(v1 + "/servicePrincipals", [this, credentials](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& p : principals) {
      std::string roles_json = "[";
      for (const auto& r : p.roles) {
        if (roles_json.size() > 1) roles_json += ',';
        roles_json += "{\"id\":" + str(r.id) + ",\"value\":" + (r.value.empty() ? "null" : str(r.value)) +
                      ",\"displayName\":" + str(r.name) + ",\"allowedMemberTypes\":[\"User\"],\"isEnabled\":true}";
      }
      roles_json += "]";
      items.push_back("{\"id\":" + str(p.id) + ",\"appId\":" + str(p.app_id) + ",\"displayName\":" + str(p.name) +
                      ",\"servicePrincipalType\":" + str(p.type) +
                      ",\"accountEnabled\":" + (p.enabled ? "true" : "false") + ",\"appOwnerOrganizationId\":" +
                      (p.owner_org.empty() ? "null" : str(p.owner_org)) + ",\"appRoles\":" + roles_json +
                      ",\"passwordCredentials\":" + credentials(p.secrets, false) + ",\"keyCredentials\":[]}");
    }
    page(req, res, items);
  });
  server_.get(v1 + "/applications", [this, credentials](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::vector<std::string> items;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& a : applications) {
      items.push_back("{\"id\":" + str(a.id) + ",\"appId\":" + str(a.app_id) + ",\"displayName\":" + str(a.name) +
                      ",\"passwordCredentials\":" + credentials(a.secrets, false) +
                      ",\"keyCredentials\":" + credentials(a.certificates, true) + "}");
    }
    page(req, res, items);
  });
  auto owner_list = [this](const httplib::Request& req, httplib::Response& res,
                           const std::vector<std::string>& owners) {
    std::vector<std::string> items;
    for (const auto& o : owners) {
      for (const auto& u : users) {
        if (u.id == o) {
          items.push_back("{\"@odata.type\":\"#microsoft.graph.user\",\"id\":" + str(u.id) +
                          ",\"displayName\":" + str(u.name) + ",\"userPrincipalName\":" + str(u.upn) + "}");
        }
      }
    }
    page(req, res, items);
  };
  for (const auto& p : principals) {
    const std::string pid = p.id;
    server_.get(v1 + "/servicePrincipals/" + pid + "/owners",
                [this, pid, owner_list](const httplib::Request& req, httplib::Response& res) {
                  if (!authorized(req, res)) return;
                  std::lock_guard<std::mutex> lock(mutex_);
                  for (const auto& x : principals) {
                    if (x.id == pid) owner_list(req, res, x.owners);
                  }
                });
    server_.get(v1 + "/servicePrincipals/" + pid + "/appRoleAssignedTo", [this, pid](const httplib::Request& req,
                                                                                     httplib::Response& res) {
      if (!authorized(req, res)) return;
      std::vector<std::string> items;
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& x : principals) {
        if (x.id != pid) continue;
        std::size_t k = 0;
        for (const auto& a : x.assigned) {
          items.push_back("{\"id\":" + str(pid + "-" + std::to_string(++k)) + ",\"appRoleId\":" + str(a.role) +
                          ",\"principalId\":" + str(a.principal) + ",\"principalType\":" + str(a.type) +
                          ",\"principalDisplayName\":\"x\",\"resourceId\":" + str(pid) +
                          ",\"resourceDisplayName\":" + str(x.name) + ",\"createdDateTime\":\"2025-01-01T00:00:00Z\"}");
        }
      }
      page(req, res, items);
    });
  }
  for (const auto& a : applications) {
    const std::string aid = a.id;
    server_.get(v1 + "/applications/" + aid + "/owners",
                [this, aid, owner_list](const httplib::Request& req, httplib::Response& res) {
                  if (!authorized(req, res)) return;
                  std::lock_guard<std::mutex> lock(mutex_);
                  for (const auto& x : applications) {
                    if (x.id == aid) owner_list(req, res, x.owners);
                  }
                });
  }
}

}  // namespace rollcall::testing
