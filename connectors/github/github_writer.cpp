#include "connectors/github/github_writer.hpp"

#include <set>

#include "connectors/github/github_api.hpp"
#include "connectors/http/paginate.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::github {
namespace {

using http::Json;
using http::Method;

constexpr std::string_view kType = "github";

Error unsupported_because(const Change& c, const std::string& why) {
  return Error(unsupported(c, kType).message() + " (" + why + ")");
}

// Where a login stands in the organization, for disable_account.
enum class Presence { member, outside_collaborator, none };

class GithubWriter final : public Writer {
 public:
  explicit GithubWriter(GithubApi api) : api_(std::move(api)), org_path_("/orgs/" + http::percent_encode(api_.org)) {}

  Result<LiveState> read(const Change& c) override {
    if (c.type == ChangeType::create_account) return read_invitation(c.account_id);
    if (c.type == ChangeType::disable_account) {
      RC_ASSIGN(Presence p, presence(login_of(c)));
      LiveState s;
      s.account_exists = true;  // a GitHub account outlives its organizations
      s.account_active = p != Presence::none;
      return s;
    }
    RC_ASSIGN(Target t, target(c));
    RC_ASSIGN(auto body, api_.client.get_unless(t.membership, {}, {404}));
    LiveState s;
    if (!body) {
      RC_TRY(require_visible(t.container, t.container_name));
      return s;
    }
    auto role = http::string_member(*body, "role");
    if (!role) return fail(api_.client.label(t.membership) + ": " + role.error().message());
    s.account_exists = s.account_active = true;
    s.level = *role;  // "pending" memberships included: see github_writer.hpp
    return s;
  }

  Result<void> write(const Change& c) override {
    switch (c.type) {
      case ChangeType::deactivate_credential: return fail(unsupported(c, "github"));
      case ChangeType::create_account:
        return invite(c.account_id);
      case ChangeType::disable_account:
        return remove_from_org(login_of(c));
      case ChangeType::revoke: {
        RC_ASSIGN(Target t, target(c));
        return send(Method::del, t.membership);
      }
      case ChangeType::grant:
      case ChangeType::set_level:
        break;
    }
    RC_ASSIGN(Target t, target(c));
    if (t.levels.count(c.level) == 0) {
      return fail(c.entitlement_id + ": level " + quote(c.level) + " is not one of " +
                  join(std::vector<std::string>(t.levels.begin(), t.levels.end()), ", "));
    }
    return send(Method::put, t.membership, Json{{"role", c.level}}.dump(-1, ' ', false, Json::error_handler_t::replace));
  }

 private:
  // The membership resource a grant change is about, and what contains it.
  struct Target {
    std::string membership;      // path of the user's membership
    std::string container;       // path of the team or organization
    std::string container_name;  // for messages: team "eng" of acme
    std::set<std::string> levels;
  };

  static std::string login_of(const Change& c) { return c.account_login.empty() ? c.account_id : c.account_login; }

  Result<Target> target(const Change& c) const {
    const std::string& id = c.entitlement_id;
    const std::string login = http::percent_encode(login_of(c));
    if (starts_with(id, "team:") && id.size() > 5) {
      const std::string slug = id.substr(5);
      Target t;
      t.container = org_path_ + "/teams/" + http::percent_encode(slug);
      t.membership = t.container + "/memberships/" + login;
      t.container_name = "team " + quote(slug) + " of " + api_.org;
      t.levels = {"member", "maintainer"};
      return t;
    }
    if (starts_with(id, "org:")) {
      if (to_lower(id.substr(4)) != to_lower(api_.org)) {
        return fail(quote(id) + " is not this system's organization " + quote(api_.org));
      }
      return Target{
          org_path_ + "/memberships/" + login, org_path_, "organization " + quote(api_.org), {"member", "admin"}};
    }
    if (starts_with(id, "repo:")) {
      return unsupported_because(c, id + ": GitHub's API reports only a user's highest permission on a repository, "
                                         "from any source (direct, team, organization), so the direct collaborator "
                                         "grant cannot be read before or after a change");
    }
    return fail(quote(id) + " is not a GitHub entitlement (team:<slug>, org:<org>, repo:<name>)");
  }

  // A 404 on a membership means "not a member" only if its team or organization is visible:
  // otherwise the token simply cannot see it. Checked once per container and run.
  Result<void> require_visible(const std::string& path, const std::string& name) {
    if (visible_.count(path) != 0) return {};
    RC_ASSIGN(auto found, api_.client.get_unless(path, {}, {404}));
    if (!found) {
      return fail(api_.client.label(path) + ": " + name +
                  " does not exist or is not visible to the token, so its memberships cannot be read");
    }
    visible_.insert(path);
    return {};
  }

  Result<void> send(Method method, const std::string& path, const std::string& body = "") {
    RC_ASSIGN(auto response, api_.client.send(method, path, body));
    (void)response;
    return {};
  }

  Result<Presence> presence(const std::string& login) {
    RC_ASSIGN(auto membership,
              api_.client.get_unless(org_path_ + "/memberships/" + http::percent_encode(login), {}, {404}));
    if (membership) return Presence::member;  // active or pending: either is a way in
    RC_TRY(require_visible(org_path_, "organization " + quote(api_.org)));
    bool outside = false;
    RC_TRY(http::for_each_item(api_.client, org_path_ + "/outside_collaborators", {}, http::LinkPaging{},
                               [&](const Json& item) -> Result<void> {
                                 RC_TRY(http::expect_object(item));
                                 RC_ASSIGN(std::string l, http::string_member(item, "login"));
                                 if (to_lower(l) == to_lower(login)) outside = true;
                                 return {};
                               }));
    return outside ? Presence::outside_collaborator : Presence::none;
  }

  Result<void> remove_from_org(const std::string& login) {
    RC_ASSIGN(Presence p, presence(login));
    switch (p) {
      case Presence::member:
        return send(Method::del, org_path_ + "/memberships/" + http::percent_encode(login));
      case Presence::outside_collaborator:
        return send(Method::del, org_path_ + "/outside_collaborators/" + http::percent_encode(login));
      case Presence::none:
        break;
    }
    return {};  // removed meanwhile: apply's next read says so
  }

  Result<LiveState> read_invitation(const std::string& email) {
    bool pending = false;
    RC_TRY(http::for_each_item(api_.client, org_path_ + "/invitations", {}, http::LinkPaging{},
                               [&](const Json& item) -> Result<void> {
                                 RC_TRY(http::expect_object(item));
                                 RC_ASSIGN(auto invited, http::optional_string(item, "email"));
                                 if (invited && to_lower(*invited) == to_lower(email)) pending = true;
                                 return {};
                               }));
    LiveState s;
    s.account_exists = s.account_active = pending;
    return s;
  }

  Result<void> invite(const std::string& email) {
    if (email.find('@') == std::string::npos) {
      return fail("create_account: " + quote(email) + " is not an email address; GitHub invites people by email");
    }
    return send(Method::post, org_path_ + "/invitations", Json{{"email", email}, {"role", "direct_member"}}.dump(-1, ' ', false, Json::error_handler_t::replace));
  }

  GithubApi api_;
  const std::string org_path_;
  std::set<std::string> visible_;  // team and organization paths known to exist
};

}  // namespace

Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& sys, const ConnectorEnv& env) {
  RC_ASSIGN(GithubApi api, open_api(sys, env));
  return std::unique_ptr<Writer>(new GithubWriter(std::move(api)));
}

}  // namespace rollcall::connectors::github
