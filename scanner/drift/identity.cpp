#include "scanner/drift/identity.hpp"

#include <algorithm>
#include <fstream>
#include <map>

#include "scanner/core/csv.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::drift {
namespace {

constexpr std::string_view kViaEmail = "email";
constexpr std::string_view kViaAlias = "roster alias";
constexpr std::string_view kViaEmployeeId = "employee id";
constexpr std::string_view kViaHook = "policy match hook";

bool is_email(std::string_view s) { return s.find('@') != std::string_view::npos; }

void append_lower(std::string& out, std::string_view s) {
  for (char c : s) out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;  // b is lowercase
  }
  return true;
}

std::string make_account_key(std::string_view system, std::string_view account) {
  std::string key(system);
  key += '\x1f';
  append_lower(key, trim(account));
  return key;
}

}  // namespace

void normalize_email(std::string_view email, const EmailRules& rules, std::string& out) {
  out.clear();
  append_lower(out, trim(email));
  const auto at = out.rfind('@');
  if (at == std::string::npos) return;
  if (rules.strip_plus_tags) {
    auto plus = out.find('+');
    if (plus != std::string::npos && plus > 0 && plus < at) out.erase(plus, at - plus);
  }
  if (rules.domains.size() > 1) {
    const std::string_view domain = std::string_view(out).substr(out.rfind('@') + 1);
    for (std::size_t i = 1; i < rules.domains.size(); ++i) {
      if (iequals(rules.domains[i], domain)) {
        out.resize(out.size() - domain.size());
        append_lower(out, rules.domains.front());
        break;
      }
    }
  }
}

std::string normalize_email(std::string_view email, const EmailRules& rules) {
  std::string out;
  normalize_email(email, rules, out);
  return out;
}

const std::string& IdentityMatcher::account_key(std::string_view system, std::string_view account) {
  key_.assign(system);
  key_ += '\x1f';
  append_lower(key_, trim(account));
  return key_;
}

Result<std::vector<MappingEntry>> load_mapping(const std::filesystem::path& path) {
  const std::string file = path.filename().string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(path.string() + ": cannot open the account mapping file");
  CsvReader reader(in);
  std::vector<std::string> fields;
  auto header = reader.next(fields);
  if (!header) return fail(file + ":" + header.error().message());
  if (!*header) return fail(file + ": empty (expected a header: system,account,email)");
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < fields.size(); ++i) col[to_lower(trim(fields[i]))] = i;
  for (const char* need : {"system", "account", "email"}) {
    if (!col.count(need)) return fail(file + ":1: missing column " + quote(need));
  }
  std::vector<MappingEntry> out;
  std::map<std::string, int> seen;  // account key -> line
  while (true) {
    auto more = reader.next(fields);
    if (!more) return fail(file + ":" + more.error().message());
    if (!*more) break;
    const std::string line = std::to_string(reader.line());
    MappingEntry e;
    e.where = file + ":" + line;
    for (auto [name, dest] : {std::pair{"system", &e.system}, {"account", &e.account}, {"email", &e.email}}) {
      std::size_t i = col[name];
      if (i >= fields.size() || trim(fields[i]).empty()) return fail(e.where + ": empty " + name);
      *dest = std::string(trim(fields[i]));
    }
    auto [it, fresh] = seen.emplace(make_account_key(e.system, e.account), reader.line());
    if (!fresh) {
      return fail(e.where + ": account " + quote(e.account) + " of system " + quote(e.system) +
                  " is mapped twice (also on line " + std::to_string(it->second) + ")");
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<IdentityMatcher> IdentityMatcher::create(const roster::Roster& roster, policy::PolicyEngine& policy,
                                                const std::vector<MappingEntry>& mapping, UnixTime now) {
  IdentityMatcher m(roster, policy);
  const policy::Settings& settings = policy.settings();
  m.rules_.strip_plus_tags = settings.strip_plus_tags;
  m.rules_.domains = settings.domains;
  for (std::uint32_t i = 0; i < roster.people.size(); ++i) {
    const roster::Person& p = roster.people[i];
    m.by_email_[normalize_email(p.email, m.rules_)].push_back(i);
    for (const auto& alias : p.aliases) {
      auto& ids = is_email(alias) ? m.by_email_[normalize_email(alias, m.rules_)]
                                  : m.by_login_[to_lower(trim(alias))];
      if (std::find(ids.begin(), ids.end(), i) == ids.end()) ids.push_back(i);
    }
    if (!p.employee_id.empty()) m.by_employee_id_[std::string(trim(p.employee_id))].push_back(i);
  }
  const auto& services = policy.service_accounts();
  for (std::uint32_t i = 0; i < services.size(); ++i) {
    const auto& sa = services[i];
    bool expired = sa.expires && now > *sa.expires;
    (expired ? m.expired_services_ : m.services_)[make_account_key(sa.system, sa.account)] = i;
    m.service_via_.push_back("service account registered at " + sa.source.str());
    m.explicit_systems_[sa.system] = true;
  }
  for (const auto& e : mapping) {
    auto it = m.by_email_.find(normalize_email(e.email, m.rules_));
    if (it == m.by_email_.end()) return fail(e.where + ": " + quote(e.email) + " is not in the roster");
    if (it->second.size() > 1) return fail(e.where + ": " + quote(e.email) + " names several people of the roster");
    std::int64_t person = it->second.front();
    m.mapping_[make_account_key(e.system, e.account)] = {static_cast<std::uint32_t>(person), e.where};
    m.explicit_systems_[e.system] = true;
  }
  return m;
}

std::int64_t IdentityMatcher::find_person(std::string_view email) const {
  auto it = by_email_.find(normalize_email(email, rules_));
  if (it == by_email_.end() || it->second.size() != 1) return -1;
  return it->second.front();
}

void IdentityMatcher::add_candidates(const Index<Ids>& index, std::string_view key,
                                     std::string_view rule, std::string_view& via) {
  if (key.empty() || index.empty()) return;
  auto it = index.find(key);
  if (it == index.end()) return;
  for (std::uint32_t id : it->second) {
    if (std::find(found_.begin(), found_.end(), id) == found_.end()) found_.push_back(id);
  }
  if (via.empty()) via = rule;
}

Result<Match> IdentityMatcher::match(const std::string& system, const Account& account) {
  Match m;
  const bool explicit_rules = explicit_systems_.count(system) != 0;
  for (const std::string* name : {&account.id, &account.login}) {
    if (!explicit_rules) break;
    if (name->empty()) continue;
    account_key(system, *name);
    if (auto it = services_.find(key_); it != services_.end()) {
      m.kind = MatchKind::service;
      m.index = it->second;
      m.via = service_via_[it->second];
      return m;
    }
    if (auto it = mapping_.find(key_); it != mapping_.end()) {
      m.kind = MatchKind::person;
      m.index = it->second.first;
      m.via = it->second.second;
      return m;
    }
    if (auto it = expired_services_.find(key_); it != expired_services_.end() && m.note.empty()) {
      const auto& sa = policy_->service_accounts()[it->second];
      m.note = "service account registration at " + sa.source.str() + " expired " + format_date(*sa.expires);
    }
  }

  found_.clear();
  std::string_view via;
  add_candidates(by_employee_id_, trim(account.external_id), kViaEmployeeId, via);
  if (!account.email.empty()) {
    normalize_email(account.email, rules_, normalized_);
    add_candidates(by_email_, normalized_, kViaEmail, via);
  }
  for (const std::string* name : {&account.login, &account.id}) {
    if (name->empty() || (name == &account.id && account.id == account.login)) continue;
    normalize_email(*name, rules_, normalized_);  // lowercases and trims a login as well
    add_candidates(is_email(*name) ? by_email_ : by_login_, normalized_, is_email(*name) ? kViaEmail : kViaAlias, via);
  }
  Ids& found = found_;

  if (found.size() != 1 && policy_->has_match_hooks()) {
    policy::AccountView view{system, account.id, account.login, account.email, account.display_name,
                             account.external_id};
    auto answer = policy_->match(view);
    if (!answer) return answer.context("account " + quote(account.id));
    if (*answer) {
      std::int64_t person = find_person(**answer);
      if (person >= 0) {
        m.kind = MatchKind::person;
        m.index = static_cast<std::uint32_t>(person);
        m.via = kViaHook;
        m.note.clear();
        return m;
      }
      if (!m.note.empty()) m.note += "; ";
      m.note += "the policy match hook named " + quote(**answer) + ", who is not in the roster";
    }
  }

  if (found.size() == 1) {
    m.kind = MatchKind::person;
    m.index = found.front();
    m.via = via;
  } else if (found.size() > 1) {
    m.kind = MatchKind::ambiguous;
    std::sort(found.begin(), found.end());
    m.candidates = found;
  }
  return m;
}

}  // namespace rollcall::drift
