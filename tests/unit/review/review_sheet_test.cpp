// Review sheets without a workspace: what export writes, import reads back exactly, including
// values a spreadsheet would run as formulas; and which revoke decisions a plan may carry out.
#include <catch2/catch.hpp>

#include <fstream>

#include "scanner/review/review.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using namespace rollcall::review;
using rollcall::testing::TempDir;

namespace {

Row grant_row(const std::string& login, const std::string& entitlement, const std::string& status,
              const std::string& reason) {
  Row r{row_id("github", "acct-" + login, entitlement), "boss@acme.com", "p@acme.com", "P, \"the\" person", "github",
        "acct-" + login, login, entitlement, "member", status, reason, ""};
  r.digest = row_digest(r);
  return r;
}

std::unordered_map<std::string, store::ReviewRowRecord> known(const Sheet& sheet) {
  std::unordered_map<std::string, store::ReviewRowRecord> out;
  for (const auto& rec : row_records({1, {sheet}, {}}, 100)) out.emplace(rec.row_id, rec);
  return out;
}

// The sheet's CSV with `decision` written into the row of line `line` (2 = first row).
std::string decided(std::string csv, int line, const std::string& decision) {
  std::size_t at = 0;
  for (int i = 1; i < line; ++i) at = csv.find('\n', at) + 1;
  const auto end = csv.find('\n', at);
  csv.replace(end - 2, 2, "," + decision + ",ok");
  return csv;
}

}  // namespace

TEST_CASE("review sheets: a formula-like login is exported as text and read back as the same row",
          "[review]") {
  TempDir dir;
  Sheet sheet{"boss@acme.com", "Boss", {grant_row("=HYPERLINK(\"http://x\")", "team:x", "authorized", "role \"eng\"")}};
  const std::string csv = sheet_csv(sheet);
  CHECK(csv.find(",\"'=HYPERLINK(\"\"http://x\"\")\",") != std::string::npos);
  dir.write("boss.csv", decided(csv, 2, " Revoke "));
  auto decisions = read_decisions(dir.path(), known(sheet), "", 500);
  REQUIRE(decisions.ok());
  REQUIRE(decisions->size() == 1);
  CHECK(decisions->at(0).decision == "revoke");
  CHECK(decisions->at(0).reviewer == "boss@acme.com");
  CHECK(decisions->at(0).source == "boss.csv:2");
  CHECK(decisions->at(0).decided_at == 500);
}

TEST_CASE("review sheets: an edited digest, a foreign header or a repeated row is refused with file and line",
          "[review]") {
  TempDir dir;
  Sheet sheet{"boss@acme.com", "", {grant_row("a", "team:x", "authorized", "r"), grant_row("b", "team:y", "finding", "k")}};
  const std::string csv = sheet_csv(sheet);
  std::string digest_edited = csv;
  const auto d = digest_edited.find(sheet.rows[1].digest);
  digest_edited.replace(d, 16, std::string(16, '0'));
  dir.write("boss.csv", digest_edited);
  auto r = read_decisions(dir.path(), known(sheet), "", 0);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "boss.csv:3: row " + sheet.rows[1].row_id + ": grant columns changed since the export");

  dir.write("boss.csv", "id,decision\n");
  r = read_decisions(dir.path(), known(sheet), "", 0);
  CHECK(r.error().message() ==
        "boss.csv:1: not an access review sheet (the header is not that of `rollcall review export`)");

  dir.write("boss.csv", csv);
  dir.write("copy.csv", csv);
  r = read_decisions(dir.path(), known(sheet), "", 0);
  CHECK(r.error().message() == "copy.csv:2: row " + sheet.rows[0].row_id + " is also at boss.csv:2");
}

TEST_CASE("review revocations: only unauthorized grants and terminated accounts are planned; what the policy "
          "grants is a conflict; keeps select nothing",
          "[review]") {
  auto finding = [](const std::string& account, const std::string& entitlement, const std::string& kind,
                    const std::string& status = "new") {
    store::FindingRecord f;
    f.kind = kind;
    f.status = status;
    f.system = "github";
    f.account_id = account;
    f.entitlement_id = entitlement;
    f.fingerprint = account + entitlement + kind;
    return f;
  };
  auto decision = [](const std::string& account, const std::string& entitlement, const std::string& what) {
    return store::ReviewDecisionRecord{row_id("github", account, entitlement), "github", account, entitlement,
                                       "p@acme.com", what, "", "boss", 0, "boss.csv:2"};
  };
  const std::vector<store::FindingRecord> findings = {
      finding("a", "team:x", "unauthorized_access"), finding("b", "", "terminated_active"),
      finding("c", "team:x", "unauthorized_access", "excepted"), finding("d", "team:x", "privilege_mismatch"),
      finding("e", "", "dormant_account"), finding("f", "team:x", "unauthorized_access")};
  std::unordered_map<std::string, store::ReviewRowRecord> rows;
  rows[row_id("github", "g", "team:x")].status = "authorized";
  rows[row_id("github", "g", "team:x")].reason = "role \"eng\" <- policies/a.lua:3";
  rows[row_id("github", "g", "team:x")].owner = "team-eng";
  const auto r = select_revocations({decision("a", "team:x", "revoke"), decision("b", "", "revoke"),
                                     decision("c", "team:x", "revoke"), decision("d", "team:x", "revoke"),
                                     decision("e", "", "revoke"), decision("f", "team:x", "keep"),
                                     decision("g", "team:x", "revoke")},
                                    rows, findings);
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].account_id == "a");
  CHECK(r.findings[1].account_id == "b");
  REQUIRE(r.not_planned.size() == 4);
  CHECK(r.not_planned[0].why == "a policy exception allows it (unauthorized_access, excepted)");
  CHECK(r.not_planned[0].policy_conflict);
  CHECK(r.not_planned[1].why == "the policy grants it at another level (privilege_mismatch)");
  CHECK(r.not_planned[2].why == "no automatic action for dormant_account");
  CHECK_FALSE(r.not_planned[2].policy_conflict);
  CHECK(r.not_planned[3].why == "the policy grants it: role \"eng\" <- policies/a.lua:3");
  CHECK(r.not_planned[3].policy_conflict);
  CHECK(r.not_planned[3].owner == "team-eng");
}
