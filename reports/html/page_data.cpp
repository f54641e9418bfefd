#include "reports/html/page_data.hpp"

#include <string_view>
#include <unordered_map>

#include "reports/common/text.hpp"

namespace rollcall::reports::html {

namespace {

class Builder {
 public:
  // The index of `s` in the string table, adding it on first use. The views point into the
  // Report, which outlives the builder.
  std::size_t intern(std::string_view s) {
    auto [it, added] = index_.try_emplace(s, strings_.size());
    if (added) strings_.push_back(s);
    return it->second;
  }

  void str(std::string& out, std::string_view s) { out += std::to_string(intern(s)); }

  void row(std::string& out, const Finding& f, FindingStatus status) {
    out += '[';
    str(out, f.fingerprint);
    out += ',';
    str(out, f.kind);
    out += ',' + std::to_string(static_cast<int>(f.severity)) + ',' +
           std::to_string(static_cast<int>(status)) + ',';
    for (const std::string* s : {&f.system, &f.account_id, &f.account_login, &f.person_email,
                                 &f.person_name, &f.entitlement_id, &f.expected, &f.actual}) {
      str(out, *s);
      out += ',';
    }
    out += std::to_string(f.first_seen) + ',';
    str(out, f.message);
    out += ',';
    evidence(out, f.evidence);
    out += ']';
  }

  std::string strings_json() const {
    std::string out = "[";
    for (std::size_t i = 0; i < strings_.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, strings_[i], JsonEscape::script);
    }
    return out + "]";
  }

 private:
  void evidence(std::string& out, const Evidence& ev) {
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
      out += '[' + std::to_string(ev.snapshot->id) + ',' + std::to_string(ev.snapshot->taken_at) + ',';
      str(out, ev.snapshot->digest);
      out += ']';
    }
    if (!ev.exception_ticket.empty() || ev.exception_expires || !ev.exception_reason.empty() ||
        !ev.exception_source.empty()) {
      key("x");
      out += '[';
      str(out, ev.exception_ticket);
      out += ',' + std::to_string(ev.exception_expires.value_or(0)) + ',';
      str(out, ev.exception_reason);
      out += ',';
      str(out, ev.exception_source);
      out += ']';
    }
    if (!ev.extra.empty()) {
      key("e");
      list(out, ev.extra.begin(), ev.extra.end(), [&](const auto& kv) {
        str(out, kv.first);
        out += ',';
        str(out, kv.second);
      });
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

  std::vector<std::string_view> strings_;
  std::unordered_map<std::string_view, std::size_t> index_;
};

template <class Names>
std::string names_json(int count, Names name) {
  std::string out = "[";
  for (int i = 0; i < count; ++i) {
    if (i) out += ',';
    append_json_string(out, name(i), JsonEscape::script);
  }
  return out + "]";
}

}  // namespace

std::string page_data_json(const Report& report) {
  Builder b;
  b.intern("");
  std::string rows = "\"f\":[";
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    if (i) rows += ',';
    b.row(rows, report.findings[i], report.findings[i].status);
  }
  rows += "],\"r\":[";
  for (std::size_t i = 0; i < report.resolved.size(); ++i) {
    if (i) rows += ',';
    b.row(rows, report.resolved[i], FindingStatus::resolved);
  }
  rows += "]";
  std::string out = "{\"sev\":";
  out += names_json(6, [](int i) { return to_string(static_cast<Severity>(i)); });
  out += ",\"st\":";
  out += names_json(4, [](int i) { return to_string(static_cast<FindingStatus>(i)); });
  out += ",\"s\":" + b.strings_json() + "," + rows + "}";
  return out;
}

}  // namespace rollcall::reports::html
