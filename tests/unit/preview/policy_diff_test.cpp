// The policy diff's pure parts: comparing findings by fingerprint, and the Markdown rendering
// (escaping of hostile values, the cap).
#include <catch2/catch.hpp>

#include "scanner/preview/policy_diff.hpp"

using namespace rollcall;
using namespace rollcall::preview;

namespace {

reports::Finding finding(const std::string& fingerprint, reports::FindingStatus status = reports::FindingStatus::new_) {
  reports::Finding f;
  f.fingerprint = fingerprint;
  f.kind = "unauthorized_access";
  f.system = "github";
  f.account_id = fingerprint;
  f.status = status;
  f.message = "message " + fingerprint;
  return f;
}

AccessChange gained(const std::string& who, const std::string& entitlement) {
  return {AccessChangeKind::gained, who, "", "github", entitlement, std::nullopt,
          GrantSide{"member", false, {"role \"eng\" <- policies/a.lua:3"}}};
}

}  // namespace

TEST_CASE("policy diff: findings appear, disappear and change exception status by fingerprint; "
          "unchanged ones are not listed",
          "[policy_diff]") {
  const std::vector<reports::Finding> base = {finding("a"), finding("b"), finding("c"),
                                              finding("d", reports::FindingStatus::excepted)};
  const std::vector<reports::Finding> head = {finding("a"), finding("c", reports::FindingStatus::excepted),
                                              finding("d"), finding("e")};
  const auto changes = diff_findings(base, head);
  REQUIRE(changes.size() == 4);
  CHECK(changes[0].kind == FindingChangeKind::appears);
  CHECK(changes[0].finding.fingerprint == "e");
  CHECK(changes[1].kind == FindingChangeKind::disappears);
  CHECK(changes[1].finding.fingerprint == "b");
  CHECK(changes[2].kind == FindingChangeKind::now_excepted);
  CHECK(changes[2].finding.fingerprint == "c");
  CHECK(changes[3].kind == FindingChangeKind::no_longer_excepted);
  CHECK(changes[3].finding.fingerprint == "d");
}

TEST_CASE("policy diff: markdown escapes table breaks, markup and HTML in every value", "[policy_diff]") {
  PolicyDiff d;
  d.base_label = "main`|x";
  d.head_label = "working tree";
  d.base_digest = std::string(64, 'a');
  d.head_digest = std::string(64, 'b');
  d.people = 1;
  d.access = {gained("eve|<img src=x onerror=alert(1)>@acme.com", "repo:*bold*_[link](http://x)\nnext")};
  d.findings_note = "no snapshot taken yet";
  const std::string md = to_markdown(d, 0);
  CHECK(md.find("<img") == std::string::npos);
  CHECK(md.find("| + | eve\\|&lt;img src=x onerror=alert(1)&gt;@acme.com | github | "
                "repo:\\*bold\\*\\_\\[link\\](http://x) next | member |  | role \"eng\" &lt;- policies/a.lua:3 |\n") !=
        std::string::npos);
  CHECK(md.find("Base `main\\`\\|x`") != std::string::npos);
  CHECK(md.find("\nFindings not compared: no snapshot taken yet\n") != std::string::npos);
}

TEST_CASE("policy diff: markdown and text are capped with the number left off; json is whole", "[policy_diff]") {
  PolicyDiff d;
  d.base_label = "HEAD";
  d.head_label = "working tree";
  d.people = 3;
  for (const char* who : {"a@x", "b@x", "c@x"}) d.access.push_back(gained(who, "team:t"));
  const std::string md = to_markdown(d, 2);
  CHECK(md.find("| + | b@x |") != std::string::npos);
  CHECK(md.find("| + | c@x |") == std::string::npos);
  CHECK(md.find("\n… and 1 more changes\n") != std::string::npos);
  CHECK(to_text(d, 4).find("\n… and 8 more lines (--max-lines 0 shows all)\n") != std::string::npos);
  const std::string json = to_json(d);
  CHECK(json.find("\"subject\": \"c@x\"") != std::string::npos);
  CHECK(json.find("\"changed\": true") != std::string::npos);
}
