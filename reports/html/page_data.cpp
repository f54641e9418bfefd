#include "reports/html/page_data.hpp"

#include <charconv>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "reports/common/text.hpp"

namespace rollcall::reports::html {

namespace {

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

class Builder {
 public:
  explicit Builder(std::size_t expected_strings) { index_.reserve(expected_strings); }

  // The index of `s` in the string table, adding it on first use. The views point into the
  // Report, which outlives the builder.
  std::size_t intern(std::string_view s) {
    auto [it, added] = index_.try_emplace(s, strings_.size());
    if (added) strings_.push_back(s);
    return it->second;
  }

  void str(std::string& out, std::string_view s) { append_int(out, static_cast<std::int64_t>(intern(s))); }

  void row(std::string& out, const Finding& f, FindingStatus status) {
    out += '[';
    str(out, f.fingerprint);
    out += ',';
    str(out, f.kind);
    out += ',';
    append_int(out, static_cast<int>(f.severity));
    out += ',';
    append_int(out, static_cast<int>(status));
    out += ',';
    for (const std::string* s : {&f.system, &f.account_id, &f.account_login, &f.person_email,
                                 &f.person_name, &f.entitlement_id, &f.expected, &f.actual}) {
      str(out, *s);
      out += ',';
    }
    append_int(out, f.first_seen);
    out += ',';
    str(out, f.message);
    out += ',';
    // The accounts a finding is about, and whether the entitlement is privileged, are shown with
    // its evidence. Their text is kept by the builder: interned views must outlive it.
    std::vector<std::pair<std::string_view, std::string_view>> facts;
    if (f.facts.privileged) facts.emplace_back("privileged", "yes");
    if (!f.facts.accounts.empty()) {
      std::string ids;
      for (const auto& a : f.facts.accounts) (ids.empty() ? ids : ids += ", ") += a;
      facts.emplace_back("account ids", owned_.emplace_back(std::move(ids)));
    }
    evidence(out, f.evidence, facts);
    out += ',';
    str(out, f.owner);
    out += ']';
  }

  void strings_json(std::string& out) const {
    out += '[';
    for (std::size_t i = 0; i < strings_.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, strings_[i], JsonEscape::script);
    }
    out += ']';
  }

 private:
  void evidence(std::string& out, const Evidence& ev,
                const std::vector<std::pair<std::string_view, std::string_view>>& facts) {
    out += '{';
    bool first = true;
    auto key = [&](const char* k) {
      if (!first) out += ',';
      first = false;
      out += '"';
      out += k;
      out += "\":";
    };
    if (!ev.roster_row.empty()) {
      key("r");
      str(out, ev.roster_row);
    }
    if (!ev.policy.empty()) {
      key("p");
      list(out, ev.policy.begin(), ev.policy.end(), [&](const std::string& line) { str(out, line); });
    }
    if (ev.snapshot) {
      key("s");
      out += '[';
      append_int(out, ev.snapshot->id);
      out += ',';
      append_int(out, ev.snapshot->taken_at);
      out += ',';
      str(out, ev.snapshot->digest);
      out += ']';
    }
    if (!ev.exception_ticket.empty() || ev.exception_expires || !ev.exception_reason.empty() ||
        !ev.exception_source.empty()) {
      key("x");
      out += '[';
      str(out, ev.exception_ticket);
      out += ',';
      append_int(out, ev.exception_expires.value_or(0));
      out += ',';
      str(out, ev.exception_reason);
      out += ',';
      str(out, ev.exception_source);
      out += ']';
    }
    if (!ev.extra.empty() || !facts.empty()) {
      key("e");
      out += '[';
      bool first_fact = true;
      auto fact = [&](std::string_view k, std::string_view v) {
        if (!first_fact) out += ',';
        first_fact = false;
        str(out, k);
        out += ',';
        str(out, v);
      };
      for (const auto& [k, v] : ev.extra) fact(k, v);
      for (const auto& [k, v] : facts) fact(k, v);
      out += ']';
    }
    out += '}';
  }

  template <class It, class F>
  void list(std::string& out, It begin, It end, F each) {
    out += '[';
    for (It it = begin; it != end; ++it) {
      if (it != begin) out += ',';
      each(*it);
    }
    out += ']';
  }

  std::deque<std::string> owned_;  // text made here (joined account ids); never moves
  std::vector<std::string_view> strings_;
  std::unordered_map<std::string_view, std::size_t> index_;
};

template <class Names>
void names_json(std::string& out, int count, Names name) {
  out += '[';
  for (int i = 0; i < count; ++i) {
    if (i) out += ',';
    append_json_string(out, name(i), JsonEscape::script);
  }
  out += ']';
}

}  // namespace

void append_page_data_json(std::string& out, const Report& report) {
  // Rows first and the string table last, so both are written straight into `out`.
  Builder b(report.findings.size() * 4 + 1024);
  b.intern("");
  out += "{\"sev\":";
  names_json(out, 6, [](int i) { return to_string(static_cast<Severity>(i)); });
  out += ",\"st\":";
  names_json(out, 4, [](int i) { return to_string(static_cast<FindingStatus>(i)); });
  out += ",\"f\":[";
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    if (i) out += ',';
    b.row(out, report.findings[i], report.findings[i].status);
  }
  out += "],\"r\":[";
  for (std::size_t i = 0; i < report.resolved.size(); ++i) {
    if (i) out += ',';
    b.row(out, report.resolved[i], FindingStatus::resolved);
  }
  out += "],\"s\":";
  b.strings_json(out);
  out += '}';
}

}  // namespace rollcall::reports::html
