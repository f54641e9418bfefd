#include "connectors/aws_iam/aws_iam_writer.hpp"

#include <map>

#include "connectors/aws_iam/aws_api.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::aws_iam {
namespace {

using pugi::xml_node;

constexpr std::string_view kType = "aws-iam";

class IamWriter final : public Writer {
 public:
  explicit IamWriter(IamApi api) : api_(std::move(api)) {}

  Result<LiveState> read(const Change& change) override {
    RC_TRY(check_supported(change));
    const Params user = {{"UserName", change.account_id}};
    LiveState s;
    RC_ASSIGN(auto got, api_.call("GetUser", user, true, "NoSuchEntity"));
    if (!got) return s;
    s.account_exists = true;
    s.account_active = true;
    if (change.type == ChangeType::deactivate_credential) {
      if (change.credential_id == "password") {
        RC_ASSIGN(auto profile, api_.call("GetLoginProfile", user, true, "NoSuchEntity"));
        if (profile) s.credential_active = true;
        return s;
      }
      RC_TRY(api_.list("ListAccessKeys", user, "AccessKeyMetadata", [&](const xml_node& m) -> Result<void> {
        if (text_of(m, "AccessKeyId") == change.credential_id) s.credential_active = text_of(m, "Status") == "Active";
        return {};
      }));
      return s;
    }
    RC_ASSIGN(EntitlementId e, split_entitlement_id(change.entitlement_id));
    if (e.type == "group") {
      RC_TRY(api_.list("ListGroupsForUser", user, "Groups", [&](const xml_node& m) -> Result<void> {
        if (text_of(m, "GroupName") == e.name) s.level = "member";
        return {};
      }));
    } else {
      RC_TRY(api_.list("ListAttachedUserPolicies", user, "AttachedPolicies", [&](const xml_node& m) -> Result<void> {
        if (text_of(m, "PolicyName") != e.name) return {};
        s.level = "member";
        policy_arns_[{change.account_id, e.name}] = text_of(m, "PolicyArn");
        return {};
      }));
    }
    return s;
  }

  Result<void> write(const Change& change) override {
    RC_TRY(check_supported(change));
    Params p = {{"UserName", change.account_id}};
    if (change.type == ChangeType::deactivate_credential) {
      if (change.credential_id == "password") return sent(api_.call("DeleteLoginProfile", p, false));
      p.emplace_back("AccessKeyId", change.credential_id);
      p.emplace_back("Status", "Inactive");
      return sent(api_.call("UpdateAccessKey", p, false));
    }
    RC_ASSIGN(EntitlementId e, split_entitlement_id(change.entitlement_id));
    if (e.type == "group") {
      p.insert(p.begin(), {"GroupName", e.name});
      return sent(api_.call("RemoveUserFromGroup", p, false));
    }
    auto arn = policy_arns_.find({change.account_id, e.name});
    if (arn == policy_arns_.end()) {
      // apply reads before it writes; a write without that read first reads now.
      RC_ASSIGN(LiveState s, read(change));
      if (!s.level) return fail("policy " + quote(e.name) + " is not attached to user " + quote(change.account_id));
      arn = policy_arns_.find({change.account_id, e.name});
    }
    p.emplace_back("PolicyArn", arn->second);
    return sent(api_.call("DetachUserPolicy", p, false));
  }

 private:
  static Result<void> sent(const Result<std::optional<IamResult>>& r) {
    if (!r) return fail(r.error());
    return {};
  }

  static Result<void> check_supported(const Change& change) {
    if (change.type == ChangeType::deactivate_credential) {
      if (change.credential_id.empty()) return fail("deactivate_credential of " + quote(change.account_id) + " names no credential");
      return {};
    }
    if (change.type == ChangeType::revoke &&
        (starts_with(change.entitlement_id, "group:") || starts_with(change.entitlement_id, "policy:"))) {
      return {};
    }
    return fail(unsupported(change, kType));
  }

  IamApi api_;
  std::map<std::pair<std::string, std::string>, std::string> policy_arns_;  // (user, policy name) -> ARN
};

}  // namespace

Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& sys, const ConnectorEnv& env) {
  RC_ASSIGN(IamApi api, open_api(sys, env));
  return std::unique_ptr<Writer>(new IamWriter(std::move(api)));
}

}  // namespace rollcall::connectors::aws_iam
