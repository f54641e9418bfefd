#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "reports/common/text.hpp"
#include "reports/json/json_report.hpp"
#include "reports/writers.hpp"

namespace rollcall::reports {
namespace {

constexpr Severity kSeveritiesHighFirst[] = {Severity::error, Severity::critical, Severity::high,
                                             Severity::medium, Severity::low, Severity::info};

// A streaming JSON emitter into a string: pretty (two-space indent, one member per line) or
// compact. Reports are large (100k findings), so values are appended directly, never built
// as a document tree first.
class JsonOut {
 public:
  JsonOut(std::string& out, bool pretty) : out_(out), pretty_(pretty) {}

  JsonOut& begin_object() { return open('{'); }
  JsonOut& end_object() { return close('}'); }
  JsonOut& begin_array() { return open('['); }
  JsonOut& end_array() { return close(']'); }
  JsonOut& key(std::string_view k) {
    separate();
    append_json_string(out_, k, JsonEscape::plain);
    out_ += pretty_ ? ": " : ":";
    after_key_ = true;
    return *this;
  }
  JsonOut& value(std::string_view s) {
    separate();
    append_json_string(out_, s, JsonEscape::plain);
    return *this;
  }
  JsonOut& value(const std::string& s) { return value(std::string_view(s)); }
  JsonOut& value(const char* s) { return value(std::string_view(s)); }
  JsonOut& value(std::int64_t n) {
    separate();
    out_ += std::to_string(n);
    return *this;
  }
  JsonOut& value(bool b) {
    separate();
    out_ += b ? "true" : "false";
    return *this;
  }
  JsonOut& null() {
    separate();
    out_ += "null";
    return *this;
  }
  template <class T>
  JsonOut& member(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  JsonOut& open(char c) {
    separate();
    out_ += c;
    empty_.push_back(true);
    return *this;
  }
  JsonOut& close(char c) {
    const bool was_empty = empty_.back();
    empty_.pop_back();
    if (!was_empty) newline();
    out_ += c;
    return *this;
  }
  // Before a key or value: a comma after a sibling, then a new line at the current depth;
  // nothing right after a key.
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (empty_.empty()) return;
    if (!empty_.back()) out_ += ',';
    empty_.back() = false;
    newline();
  }
  void newline() {
    if (!pretty_) return;
    out_ += '\n';
    out_.append(empty_.size() * 2, ' ');
  }

  std::string& out_;
  bool pretty_;
  bool after_key_ = false;
  std::vector<bool> empty_;  // per open container: nothing written into it yet
};

void put_snapshot(JsonOut& j, const std::optional<SnapshotRef>& s) {
  if (!s) {
    j.null();
    return;
  }
  j.begin_object().member("id", s->id).member("taken_at", format_iso8601(s->taken_at));
  j.member("digest", s->digest).end_object();
}

void put_evidence(JsonOut& j, const Evidence& e) {
  j.begin_object().member("roster_row", e.roster_row).key("policy").begin_array();
  for (const auto& line : e.policy) j.value(line);
  j.end_array().key("snapshot");
  put_snapshot(j, e.snapshot);
  j.key("exception");
  if (e.exception_ticket.empty() && !e.exception_expires && e.exception_source.empty()) {
    j.null();
  } else {
    j.begin_object().member("ticket", e.exception_ticket).key("expires");
    if (e.exception_expires) j.value(format_date(*e.exception_expires));
    else j.null();
    j.member("reason", e.exception_reason).member("source", e.exception_source).end_object();
  }
  j.key("facts").begin_object();
  for (const auto& [k, v] : e.extra) j.member(k, v);
  j.end_object().end_object();
}

void put_finding(JsonOut& j, const Finding& f) {
  j.begin_object()
      .member("fingerprint", f.fingerprint)
      .member("kind", f.kind)
      .member("severity", to_string(f.severity))
      .member("status", to_string(f.status))
      .member("system", f.system)
      .member("account_id", f.account_id)
      .member("account_login", f.account_login)
      .member("person_email", f.person_email)
      .member("person_name", f.person_name)
      .member("entitlement_id", f.entitlement_id)
      .member("expected", f.expected)
      .member("actual", f.actual)
      .member("message", f.message)
      .member("first_seen", format_iso8601(f.first_seen))
      .member("owner", f.owner);
  // The structured facts (scanner/core/finding_kind.hpp): always present, empty when they do
  // not apply to the kind, so machines never parse expected/actual/message.
  const FindingFacts& x = f.facts;
  j.key("held").begin_array();
  for (const auto& h : x.held) j.begin_object().member("level", h.level).member("via", h.via).end_object();
  j.end_array().key("allowed_levels").begin_array();
  for (const auto& l : x.allowed_levels) j.value(l);
  j.end_array().member("account_state", x.account_state).key("accounts").begin_array();
  for (const auto& a : x.accounts) j.value(a);
  j.end_array().member("via", x.via).member("reach", x.reach).member("privileged", x.privileged);
  j.member("credential_id", x.credential_id).member("credential_kind", x.credential_kind).key("evidence");
  put_evidence(j, f.evidence);
  j.end_object();
}

void put_severity_counts(JsonOut& j, const std::map<std::string, std::int64_t>& counts) {
  j.begin_object();
  for (Severity s : kSeveritiesHighFirst) {
    auto it = counts.find(std::string(to_string(s)));
    j.member(to_string(s), it == counts.end() ? std::int64_t{0} : it->second);
  }
  j.end_object();
}

void put_counts(JsonOut& j, const std::map<std::string, std::int64_t>& counts) {
  j.begin_object();
  for (const auto& [k, v] : counts) j.member(k, v);
  j.end_object();
}

// Writes the report in pieces: `flush` is called whenever the buffer has grown large, so the
// whole text never sits in memory.
template <class Flush>
void put_report(std::string& buf, const Report& r, Flush flush) {
  JsonOut j(buf, true);
  j.begin_object().member("schema", kReportSchema);
  j.key("tool").begin_object().member("name", "rollcall").member("version", r.tool_version).end_object();
  j.key("scan")
      .begin_object()
      .member("id", r.scan_id)
      .member("started_at", format_iso8601(r.started_at))
      .member("finished_at", format_iso8601(r.finished_at))
      .member("workspace", r.workspace)
      .member("people", r.people)
      .member("roster_digest", r.roster_digest)
      .member("policy_digest", r.policy_digest)
      .end_object();
  j.key("systems").begin_array();
  for (const auto& s : r.systems) {
    j.begin_object().member("name", s.name).member("type", s.type).member("status", s.status).key("snapshot");
    put_snapshot(j, s.snapshot);
    j.member("error", s.error).member("accounts", s.accounts).member("entitlements", s.entitlements);
    j.member("grants", s.grants).member("unmatched", s.unmatched).end_object();
  }
  j.end_array();
  const ScanSummary& m = r.summary;
  j.key("summary")
      .begin_object()
      .member("open", m.open)
      .member("new", m.new_)
      .member("persisting", m.persisting)
      .member("excepted", m.excepted)
      .member("resolved", m.resolved)
      .key("by_severity");
  put_severity_counts(j, m.by_severity);
  j.key("by_kind");
  put_counts(j, m.by_kind);
  j.key("by_system");
  put_counts(j, m.by_system);
  j.end_object();
  for (const auto& [name, list] : {std::pair{"findings", &r.findings}, std::pair{"resolved", &r.resolved}}) {
    j.key(name).begin_array();
    for (const auto& f : *list) {
      put_finding(j, f);
      if (buf.size() > (1u << 20)) flush();
    }
    j.end_array();
  }
  j.key("trend").begin_array();
  for (const auto& t : r.trend) {
    j.begin_object().member("scan_id", t.scan_id).member("at", format_iso8601(t.at)).key("by_severity");
    put_severity_counts(j, t.by_severity);
    j.end_object();
  }
  j.end_array();
  auto time_or_null = [&](const char* key, const std::optional<UnixTime>& t) {
    j.key(key);
    if (t) j.value(format_iso8601(*t));
    else j.null();
  };
  j.key("credentials").begin_array();
  for (const auto& c : r.credentials) {
    j.begin_object().member("system", c.system).member("account", c.account_id).member("account_login", c.account_login);
    j.member("person", c.person_email).member("id", c.id).member("kind", c.kind).member("status", c.status);
    time_or_null("created_at", c.created_at);
    time_or_null("last_used_at", c.last_used_at);
    j.member("last_used_where", c.last_used_where).member("use_recorded", c.use_recorded);
    time_or_null("expires_at", c.expires_at);
    j.end_object();
  }
  j.end_array();
  if (!r.reviews.empty()) {  // only once access reviews are in use
    j.key("reviews").begin_array();
    for (const auto& v : r.reviews) {
      j.begin_object().member("system", v.system).member("account_id", v.account_id);
      j.member("entitlement_id", v.entitlement_id).member("person", v.person).member("decision", v.decision);
      j.member("reviewer", v.reviewer).member("decided_at", format_iso8601(v.decided_at));
      j.member("comment", v.comment).end_object();
    }
    j.end_array();
  }
  j.end_object();
  buf += '\n';
  flush();
}

using Json = nlohmann::json;

std::string text_or_empty(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<std::optional<SnapshotRef>> snapshot_from_json(const Json& j) {
  if (j.is_null()) return std::optional<SnapshotRef>();
  SnapshotRef s;
  s.id = j.at("id").get<std::int64_t>();
  RC_ASSIGN(s.taken_at, parse_iso8601(j.at("taken_at").get<std::string>()));
  s.digest = j.at("digest").get<std::string>();
  return std::optional<SnapshotRef>(std::move(s));
}

}  // namespace

std::string evidence_to_json(const Evidence& evidence) {
  std::string out;
  JsonOut j(out, false);
  put_evidence(j, evidence);
  return out;
}

Result<Evidence> evidence_from_json(std::string_view text) {
  Evidence e;
  try {
    Json j = Json::parse(text);
    e.roster_row = text_or_empty(j, "roster_row");
    e.policy = j.at("policy").get<std::vector<std::string>>();
    auto snap = snapshot_from_json(j.at("snapshot"));
    if (!snap) return snap.context("evidence");
    e.snapshot = std::move(*snap);
    const Json& x = j.at("exception");
    if (!x.is_null()) {
      e.exception_ticket = text_or_empty(x, "ticket");
      e.exception_reason = text_or_empty(x, "reason");
      e.exception_source = text_or_empty(x, "source");
      if (x.contains("expires") && x["expires"].is_string()) {
        auto t = parse_iso8601(x["expires"].get<std::string>());
        if (!t) return t.context("evidence");
        e.exception_expires = *t;
      }
    }
    for (const auto& [k, v] : j.at("facts").items()) e.extra[k] = v.get<std::string>();
  } catch (const nlohmann::json::exception& ex) {
    return fail(std::string("evidence: ") + ex.what());
  }
  return e;
}

Result<void> write_json(const Report& report, const std::filesystem::path& path) {
  // Streamed to a temporary file beside the target, then renamed over it: a reader sees the
  // previous report or the complete new one, and the whole text is never held in memory.
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  auto failed = [&](const std::string& why) -> Result<void> {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return fail(path.string() + ": " + why);
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return failed(std::string("cannot create: ") + std::strerror(errno));
    std::string buf;
    put_report(buf, report, [&] {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    });
    out.flush();
    if (!out) return failed(std::string("write failed: ") + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return failed("cannot replace: " + ec.message());
  return {};
}

}  // namespace rollcall::reports
