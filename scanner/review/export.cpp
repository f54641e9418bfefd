// review export: the sheets per manager, from the latest scan.
#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "reports/common/text.hpp"
#include "scanner/core/csv.hpp"
#include "scanner/core/digest.hpp"
#include "scanner/core/model.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/drift/identity.hpp"
#include "scanner/review/review.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::review {
namespace {

constexpr char kSep = '\x1f';

// The [match] mapping file, when configured, as the scan reads it.
Result<std::vector<drift::MappingEntry>> mapping_of(const config::WorkspaceConfig& cfg) {
  auto section = cfg.sections.find("match");
  if (section == cfg.sections.end()) return std::vector<drift::MappingEntry>{};
  auto file = section->second.string("mapping");
  if (!file) return std::vector<drift::MappingEntry>{};
  std::filesystem::path path = *file;
  if (path.is_relative()) path = cfg.dir / path;
  auto entries = drift::load_mapping(path);
  if (!entries) return entries.context(section->second.where("mapping"));
  return entries;
}

// system -> snapshot id, for the systems the scan judged complete.
Result<std::map<std::string, std::int64_t>> complete_snapshots(const store::ScanRecord& scan) {
  std::map<std::string, std::int64_t> out;
  try {
    for (const auto& s : nlohmann::json::parse(scan.snapshots_json)) {
      if (s.value("status", "") == "complete" && s.contains("snapshot_id"))
        out[s.at("system").get<std::string>()] = s.at("snapshot_id").get<std::int64_t>();
    }
  } catch (const nlohmann::json::exception& e) {
    return fail("scan #" + std::to_string(scan.id) + ": malformed snapshot list: " + e.what());
  }
  return out;
}

std::string key(std::string_view system, std::string_view account, std::string_view entitlement) {
  std::string k(system);
  k += kSep;
  k += account;
  k += kSep;
  k += entitlement;
  return k;
}

using FindingIndex = std::unordered_map<std::string, std::vector<const store::FindingRecord*>>;

// The finding a row is marked with: an open one before an excepted one; nullptr when none.
const store::FindingRecord* pick(const FindingIndex& index, const std::string& k) {
  auto it = index.find(k);
  if (it == index.end()) return nullptr;
  for (const auto* f : it->second)
    if (f->status != "excepted") return f;
  return it->second.front();
}

std::string finding_reason(const store::FindingRecord& f) {
  return f.status == "excepted" ? f.kind + " (excepted)" : f.kind;
}

struct GrantCell {
  std::string level;
  bool direct = false;
};

constexpr std::string_view kStyle =
    "body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}"
    "th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f4f4f4}"
    "tr.finding td{background:#fff4f0}tr.account td{font-weight:600}td.empty{background:#fafafa}";

std::string csp_hash(std::string_view text) {
  return "'sha256-" + reports::base64(reports::hex_to_bytes(sha256_hex(text))) + "'";
}

}  // namespace

std::string row_id(std::string_view system, std::string_view account_id, std::string_view entitlement_id) {
  return sha256_hex(key(system, account_id, entitlement_id)).substr(0, 16);
}

std::string row_digest(const Row& r) {
  const std::string joined = join({r.row_id, r.manager, r.person, r.person_name, r.system, r.account_id,
                                   r.account_login, r.entitlement_id, r.level, r.status, r.reason},
                                  std::string(1, kSep));
  return sha256_hex(joined).substr(0, 16);
}

std::string sheet_name(std::string_view manager) {
  std::string out;
  for (char c : manager) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '@' ||
                    c == '.' || c == '-' || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
  return out;
}

Result<Campaign> build_campaign(const ExportInputs& in) {
  for (const auto& s : in.systems) {
    if (!in.config.find_system(s)) return fail("--system " + quote(s) + ": no such system in rollcall.toml");
  }
  store::ScanStore scans(in.db);
  RC_ASSIGN(auto scan, scans.latest());
  if (!scan) return fail("no scan stored yet: run `rollcall scan` first");
  RC_ASSIGN(auto findings, scans.findings(scan->id));
  RC_ASSIGN(auto complete, complete_snapshots(*scan));
  RC_ASSIGN(auto mapping, mapping_of(in.config));
  RC_ASSIGN(drift::IdentityMatcher matcher, drift::IdentityMatcher::create(in.roster, in.policy, mapping, in.now));

  Campaign c;
  c.scan_id = scan->id;
  FindingIndex found;
  for (const auto& f : findings) {
    if (f.status != "resolved" && f.status != "carried")
      found[key(f.system, f.account_id, f.entitlement_id)].push_back(&f);
  }
  // Direct reports: every person with a manager.
  std::map<std::string, std::size_t> sheet_of;  // manager email (lower case) -> index
  std::vector<std::optional<std::size_t>> person_sheet(in.roster.people.size());
  for (std::size_t p = 0; p < in.roster.people.size(); ++p) {
    const auto& person = in.roster.people[p];
    if (person.manager_email.empty()) continue;
    auto [it, fresh] = sheet_of.emplace(to_lower(person.manager_email), c.sheets.size());
    if (fresh) {
      const roster::Person* m = in.roster.find_by_email(person.manager_email);
      c.sheets.push_back({m ? m->email : person.manager_email, m ? m->name : "", {}});
    }
    person_sheet[p] = it->second;
  }
  // The team that owns the role or rule a grant comes from: the owner of the file declaring it.
  std::unordered_map<std::string, std::string> role_owner, rule_owner;
  for (const auto& r : in.policy.roles()) role_owner.emplace(r.name, r.owner);
  for (const auto& r : in.policy.rules()) rule_owner.emplace(r.name, r.owner);
  auto owner_of = [&](const policy::Provenance& w) -> std::string {
    const bool role = w.kind == policy::Provenance::Kind::role;
    const auto& names = role ? role_owner : rule_owner;
    auto it = names.find(role && !w.chain.empty() ? w.chain.back() : w.name);
    return it == names.end() ? std::string() : it->second;
  };
  std::unordered_map<std::size_t, policy::PersonAccess> desired;  // evaluated on first use
  auto desired_of = [&](std::size_t p) -> Result<const policy::PersonAccess*> {
    auto it = desired.find(p);
    if (it == desired.end()) {
      RC_ASSIGN(policy::PersonAccess a, in.policy.evaluate(in.roster.people[p]));
      it = desired.emplace(p, std::move(a)).first;
    }
    return &it->second;
  };

  store::SnapshotStore snapshots(in.db);
  for (const auto& system : in.config.systems) {
    if (!in.systems.empty() && std::find(in.systems.begin(), in.systems.end(), system.name) == in.systems.end())
      continue;
    auto at = complete.find(system.name);
    if (at == complete.end()) {
      c.skipped_systems.push_back(system.name);
      continue;
    }
    RC_ASSIGN(auto info, snapshots.get(at->second));
    if (!info) return fail("scan #" + std::to_string(scan->id) + ": snapshot #" + std::to_string(at->second) + " of " + system.name + " is gone");
    RC_ASSIGN(auto accounts, snapshots.accounts(*info));
    std::unordered_map<std::string, std::pair<const Account*, std::size_t>> reviewed;  // account id -> person
    for (const auto& a : accounts) {
      RC_ASSIGN(drift::Match m, matcher.match(system.name, a));
      if (m.kind == drift::MatchKind::person && person_sheet[m.index]) reviewed.emplace(a.id, std::make_pair(&a, m.index));
    }
    std::map<std::pair<std::string, std::string>, GrantCell> grants;
    RC_TRY(snapshots.for_each_grant(*info, [&](const Grant& g) -> Result<void> {
      if (!reviewed.count(g.account_id) || g.via == kViaEveryone || g.via == kViaEveryoneDefault) return {};
      GrantCell& cell = grants[{g.account_id, g.entitlement_id}];
      if (cell.level.empty() || (g.via == "direct" && !cell.direct)) cell = {g.level, g.via == "direct"};
      return {};
    }));
    auto row = [&](const Account& a, std::size_t p, const std::string& entitlement) {
      const auto& person = in.roster.people[p];
      Row r;
      r.row_id = row_id(system.name, a.id, entitlement);
      r.manager = c.sheets[*person_sheet[p]].manager;
      r.person = person.email;
      r.person_name = person.name;
      r.system = system.name;
      r.account_id = a.id;
      r.account_login = a.login;
      r.entitlement_id = entitlement;
      return r;
    };
    for (const auto& [id, owner] : reviewed) {
      const auto [account, p] = owner;
      Row r = row(*account, p, "");
      r.level = std::string(to_string(account->status));
      if (const auto* f = pick(found, key(system.name, id, ""))) {
        r.status = "finding";
        r.reason = finding_reason(*f);
        r.owner = f->owner;
      } else {
        r.status = "authorized";
        r.reason = "account of " + in.roster.people[p].email;
      }
      c.sheets[*person_sheet[p]].rows.push_back(std::move(r));
    }
    for (const auto& [ids, cell] : grants) {
      const auto [account, p] = reviewed.at(ids.first);
      Row r = row(*account, p, ids.second);
      r.level = cell.level;
      if (const auto* f = pick(found, key(system.name, ids.first, ids.second))) {
        r.status = "finding";
        r.reason = finding_reason(*f);
        r.owner = f->owner;
      } else {
        RC_ASSIGN(const policy::PersonAccess* a, desired_of(p));
        auto g = std::find_if(a->grants.begin(), a->grants.end(), [&](const policy::DesiredGrant& d) {
          return d.system == system.name && d.entitlement_id == ids.second;
        });
        if (g != a->grants.end() && policy::level_allowed(g->level, cell.level)) {
          r.status = "authorized";
          std::vector<std::string> why;
          for (const auto& w : g->why) why.push_back(w.describe());
          r.reason = join(why, "; ");
          r.owner = owner_of(g->why.front());
        } else {
          r.status = "other";
          r.reason = "no finding in scan #" + std::to_string(scan->id) + " (baseline, nesting or exception)";
        }
      }
      c.sheets[*person_sheet[p]].rows.push_back(std::move(r));
    }
  }
  for (auto& sheet : c.sheets) {
    std::sort(sheet.rows.begin(), sheet.rows.end(), [](const Row& a, const Row& b) {
      return std::tie(a.person, a.system, a.account_id, a.entitlement_id) <
             std::tie(b.person, b.system, b.account_id, b.entitlement_id);
    });
    for (auto& r : sheet.rows) r.digest = row_digest(r);
  }
  std::sort(c.sheets.begin(), c.sheets.end(), [](const Sheet& a, const Sheet& b) { return a.manager < b.manager; });
  return c;
}

std::string sheet_csv(const Sheet& sheet) {
  std::vector<std::string> header;
  for (auto col : kColumns) header.emplace_back(col);
  std::string out = join(header, ",") + "\n";
  for (const auto& r : sheet.rows) {
    for (const std::string* v : {&r.row_id, &r.manager, &r.person, &r.person_name, &r.system, &r.account_id,
                                 &r.account_login, &r.entitlement_id, &r.level, &r.status, &r.reason, &r.digest}) {
      out += csv_safe_field(*v);
      out += ',';
    }
    out += ",\n";  // decision, comment
  }
  return out;
}

std::string sheet_html(const Sheet& sheet, std::int64_t scan_id, UnixTime exported_at) {
  using reports::append_html;
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src " +
      csp_hash(kStyle) +
      "; base-uri 'none'; form-action 'none'\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>Access "
      "review: ";
  append_html(out, sheet.manager);
  out += "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<h1>Access review for ";
  append_html(out, sheet.manager_name.empty() ? sheet.manager : sheet.manager_name + " <" + sheet.manager + ">");
  out += "</h1>\n<p>Your direct reports' accounts and grants as of scan " + std::to_string(scan_id) + " (exported " +
         format_iso8601(exported_at) +
         "). For each row, write <b>keep</b> or <b>revoke</b> in the decision column of the CSV file of the same "
         "name, and a comment if you like. Do not change any other column: the import refuses edited rows.</p>\n"
         "<table>\n<thead><tr><th>Person</th><th>System</th><th>Account</th><th>Entitlement</th><th>Level</th>"
         "<th>Status</th><th>Why</th><th>Row</th></tr></thead>\n<tbody>\n";
  for (const auto& r : sheet.rows) {
    out += "<tr class=\"" + std::string(r.status == "finding" ? "finding" : r.entitlement_id.empty() ? "account" : "") +
           "\"><td>";
    append_html(out, r.person_name.empty() ? r.person : r.person_name + " <" + r.person + ">");
    for (const std::string* v : {&r.system, &r.account_login, &r.entitlement_id, &r.level, &r.status, &r.reason,
                                 &r.row_id}) {
      out += "</td><td>";
      append_html(out, v == &r.account_login && v->empty() ? r.account_id
                       : v == &r.entitlement_id && v->empty() ? std::string("(the account)")
                                                              : *v);
    }
    out += "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n</body>\n</html>\n";
  return out;
}

std::vector<store::ReviewRowRecord> row_records(const Campaign& c, UnixTime exported_at) {
  std::vector<store::ReviewRowRecord> out;
  for (const auto& s : c.sheets) {
    for (const auto& r : s.rows) {
      out.push_back({r.row_id, r.manager, r.person, r.system, r.account_id, r.entitlement_id, r.status, r.reason,
                     r.owner, r.digest, c.scan_id, exported_at});
    }
  }
  return out;
}

}  // namespace rollcall::review
