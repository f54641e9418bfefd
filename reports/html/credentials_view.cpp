#include "reports/html/credentials_view.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <vector>

#include "reports/common/text.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::reports::html {
namespace {

constexpr std::array<const char*, kAgeBuckets> kBucketNames = {"< 30 days", "30\u201389 days", "90\u2013179 days",
                                                               "180\u2013364 days", "\u2265 365 days", "unknown"};
// The chart colours of the severity scale, young to old.
constexpr std::array<const char*, kAgeBuckets> kBucketClass = {"sev-info", "sev-low", "sev-medium",
                                                               "sev-high", "sev-critical", "sev-error"};

using Histogram = std::array<std::int64_t, kAgeBuckets>;

// One row of bars per system: the bar of each bucket scaled to the system's largest bucket.
std::string histogram_svg(const std::string& system, const Histogram& h) {
  const std::int64_t top = std::max<std::int64_t>(1, *std::max_element(h.begin(), h.end()));
  constexpr int kBarW = 56, kGap = 8, kH = 90, kLabel = 32;
  const int width = kAgeBuckets * (kBarW + kGap);
  std::string label = "Age of the active credentials of " + system + ":";
  for (int b = 0; b < kAgeBuckets; ++b) label += std::string(" ") + kBucketNames[b] + " " + std::to_string(h[b]) + ",";
  label.pop_back();
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(width) + " " +
                    std::to_string(kH + kLabel) + "\" width=\"" + std::to_string(width) + "\" height=\"" +
                    std::to_string(kH + kLabel) + "\" role=\"img\" aria-label=\"";
  append_html(out, label);
  out += "\">";
  for (int b = 0; b < kAgeBuckets; ++b) {
    const int x = b * (kBarW + kGap);
    const int bar = static_cast<int>(h[b] * (kH - 14) / top);
    if (h[b] > 0) {
      out += "<rect class=\"" + std::string(kBucketClass[b]) + "\" x=\"" + std::to_string(x) + "\" y=\"" +
             std::to_string(kH - bar) + "\" width=\"" + std::to_string(kBarW) + "\" height=\"" +
             std::to_string(std::max(bar, 1)) + "\"><title>";
      append_html(out, std::string(kBucketNames[b]) + ": " + std::to_string(h[b]));
      out += "</title></rect>";
    }
    out += "<text x=\"" + std::to_string(x + kBarW / 2) + "\" y=\"" + std::to_string(kH - bar - 3) +
           "\" text-anchor=\"middle\">" + std::to_string(h[b]) + "</text>";
    out += "<text x=\"" + std::to_string(x + kBarW / 2) + "\" y=\"" + std::to_string(kH + 14) +
           "\" text-anchor=\"middle\">";
    append_html(out, kBucketNames[b]);
    out += "</text>";
  }
  return out + "</svg>";
}

std::string date_or(const std::optional<UnixTime>& t, const char* none) { return t ? format_date(*t) : none; }

}  // namespace

int age_bucket(const std::optional<UnixTime>& created, UnixTime now) {
  if (!created) return kAgeBuckets - 1;
  const std::int64_t days = (now - *created) / 86400;
  if (days < 30) return 0;
  if (days < 90) return 1;
  if (days < 180) return 2;
  if (days < 365) return 3;
  return 4;
}

std::string credentials_section(const Report& r, std::size_t max_rows) {
  if (r.credentials.empty()) return "";
  const UnixTime now = r.finished_at;
  std::map<std::string, Histogram> by_system;
  std::vector<const CredentialRow*> active;
  std::int64_t inactive = 0;
  for (const auto& c : r.credentials) {
    if (c.status != "active") {
      ++inactive;
      continue;
    }
    ++by_system[c.system][static_cast<std::size_t>(age_bucket(c.created_at, now))];
    active.push_back(&c);
  }
  std::stable_sort(active.begin(), active.end(), [](const CredentialRow* a, const CredentialRow* b) {
    // Oldest first; unknown creation dates last.
    if (a->created_at.has_value() != b->created_at.has_value()) return a->created_at.has_value();
    return a->created_at.value_or(0) < b->created_at.value_or(0);
  });

  std::string out = "<section id=\"credentials\"><h2>Credentials</h2><p class=\"lead\">";
  out += std::to_string(active.size()) + " active and " + std::to_string(inactive) +
         " inactive credentials (access keys, secrets, certificates, keys, tokens, passwords) in the checked "
         "systems: ids and dates only. Age is counted from creation to the end of this scan.</p>";
  out += "<div class=\"charts\">";
  for (const auto& [system, h] : by_system) {
    out += "<figure class=\"chart\"><figcaption>";
    append_html(out, system);
    out += "</figcaption>" + histogram_svg(system, h) + "</figure>";
  }
  out += "</div><div class=\"table-wrap\"><table><caption class=\"sr-only\">Active credentials, oldest first"
         "</caption><thead><tr><th scope=\"col\">System</th><th scope=\"col\">Account</th><th scope=\"col\">"
         "Person</th><th scope=\"col\">Credential</th><th scope=\"col\">Kind</th><th scope=\"col\">Created</th>"
         "<th scope=\"col\" class=\"num\">Age (days)</th><th scope=\"col\">Last used</th><th scope=\"col\">"
         "Expires</th></tr></thead><tbody>";
  for (std::size_t i = 0; i < active.size() && i < max_rows; ++i) {
    const CredentialRow& c = *active[i];
    std::string used = !c.use_recorded ? "not recorded" : date_or(c.last_used_at, "never");
    if (c.use_recorded && c.last_used_at && !c.last_used_where.empty()) used += " (" + c.last_used_where + ")";
    const std::pair<const char*, std::string> cells[] = {
        {"System", c.system},
        {"Account", c.account_login.empty() ? c.account_id : c.account_login},
        {"Person", c.person_email},
        {"Credential", c.id},
        {"Kind", c.kind},
        {"Created", date_or(c.created_at, "unknown")},
        {"Age (days)", c.created_at ? std::to_string((now - *c.created_at) / 86400) : std::string()},
        {"Last used", used},
        {"Expires", date_or(c.expires_at, "")}};
    out += "<tr>";
    for (const auto& [label, text] : cells) {
      // Identifiers never wrap mid-token (class id); the card layout of narrow screens labels each cell.
      const std::string_view name = label;
      out += std::string("<td class=\"") + (name == "Age (days)" ? "num" : name == "Last used" ? "" : "id") +
             "\" data-label=\"" + label + "\">";
      append_html(out, text);
      out += "</td>";
    }
    out += "</tr>";
  }
  out += "</tbody></table></div>";
  if (active.size() > max_rows) {
    out += "<p class=\"lead\">The " + std::to_string(max_rows) + " oldest are shown; report.json lists all " +
           std::to_string(active.size() + static_cast<std::size_t>(inactive)) + " credentials.</p>";
  }
  return out + "</section>\n";
}

}  // namespace rollcall::reports::html
