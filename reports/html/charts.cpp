#include "reports/html/charts.hpp"

#include <algorithm>
#include <cstdio>

#include "reports/common/text.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::reports::html {

namespace {

std::int64_t total(const SeverityCounts& c) {
  std::int64_t t = 0;
  for (auto n : c) t += n;
  return t;
}

// The smallest 1, 2 or 5 times a power of ten that is >= v (and >= 1).
std::int64_t nice_max(std::int64_t v) {
  std::int64_t step = 1;
  while (true) {
    for (std::int64_t m : {1, 2, 5}) {
      if (m * step >= v) return m * step;
    }
    step *= 10;
  }
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

std::string sev_name(Severity s) { return std::string(to_string(s)); }

// "critical 3, high 10" for titles and aria labels; zero counts left out.
std::string breakdown(const SeverityCounts& c) {
  std::string out;
  for (Severity s : kSeverityOrder) {
    auto n = c[static_cast<int>(s)];
    if (n == 0) continue;
    if (!out.empty()) out += ", ";
    out += sev_name(s) + " " + std::to_string(n);
  }
  return out.empty() ? "none" : out;
}

void open_svg(std::string& out, int width, int height, std::string_view label) {
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(width) + " " +
         std::to_string(height) + "\" width=\"" + std::to_string(width) + "\" height=\"" +
         std::to_string(height) + "\" role=\"img\" aria-label=\"";
  append_html(out, label);
  out += "\">";
}

void rect(std::string& out, Severity s, double x, double y, double w, double h) {
  out += "<rect class=\"sev-" + sev_name(s) + "\" x=\"" + num(x) + "\" y=\"" + num(y) +
         "\" width=\"" + num(w) + "\" height=\"" + num(h) + "\"/>";
}

void text(std::string& out, double x, double y, std::string_view anchor, std::string_view s,
          std::string_view cls = "") {
  out += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + std::string(anchor) +
         "\"";
  if (!cls.empty()) out += " class=\"" + std::string(cls) + "\"";
  out += ">";
  append_html(out, s);
  out += "</text>";
}

void title(std::string& out, std::string_view s) {
  out += "<title>";
  append_html(out, s);
  out += "</title>";
}

}  // namespace

std::string short_label(std::string_view text, std::size_t max_chars) {
  std::string clean;
  append_utf8(clean, text);
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < clean.size();) {
    unsigned char b = static_cast<unsigned char>(clean[i]);
    std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    std::string_view bytes(clean.data() + i, len);
    i += len;
    char32_t cp = len == 1 ? b : b & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) cp = cp << 6 | (bytes[k] & 0x3F);
    // U+200E/F marks, U+202A-202E embeddings/overrides, U+2066-2069 isolates.
    bool bidi = cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
                (cp >= 0x2066 && cp <= 0x2069);
    if (bidi) continue;
    if (chars == max_chars) {
      out += "\u2026";
      break;
    }
    out += bytes;
    ++chars;
  }
  return out;
}

std::string severity_chart(const SeverityCounts& open) {
  constexpr int kW = 520, kLabel = 90, kRow = 28, kBar = 18, kRight = 70;
  const int height = kRow * static_cast<int>(std::size(kSeverityOrder)) + 8;
  std::int64_t max = 1;
  for (auto n : open) max = std::max(max, n);
  std::string out;
  open_svg(out, kW, height, "Open findings by severity: " + breakdown(open));
  int row = 0;
  for (Severity s : kSeverityOrder) {
    auto n = open[static_cast<int>(s)];
    double y = 4 + row++ * kRow;
    double w = static_cast<double>(n) / static_cast<double>(max) * (kW - kLabel - kRight);
    out += "<g>";
    title(out, sev_name(s) + ": " + std::to_string(n));
    text(out, kLabel - 8, y + kBar - 4, "end", sev_name(s));
    rect(out, s, kLabel, y, w, kBar);
    text(out, kLabel + w + 6, y + kBar - 4, "start", std::to_string(n), "value");
    out += "</g>";
  }
  out += "</svg>";
  return out;
}

std::string system_chart(const std::vector<std::pair<std::string, SeverityCounts>>& by_system,
                         std::size_t limit) {
  std::vector<const std::pair<std::string, SeverityCounts>*> rows;
  for (const auto& entry : by_system) {
    if (total(entry.second) > 0) rows.push_back(&entry);
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](auto* a, auto* b) { return total(a->second) > total(b->second); });
  if (rows.size() > limit) rows.resize(limit);
  constexpr int kW = 520, kLabel = 150, kRow = 26, kBar = 16, kRight = 60;
  const int height = kRow * std::max<int>(1, static_cast<int>(rows.size())) + 8;
  std::int64_t max = 1;
  for (auto* r : rows) max = std::max(max, total(r->second));
  std::string out;
  std::string label = "Open findings by system:";
  for (auto* r : rows) {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on " " + std::string here.
    label += ' ';
    label += short_label(r->first, 40);
    label += ' ';
    label += std::to_string(total(r->second));
    label += ';';
  }
  open_svg(out, kW, height, label);
  if (rows.empty()) text(out, kW / 2.0, 20, "middle", "No open findings", "muted");
  int index = 0;
  for (auto* r : rows) {
    double y = 4 + index++ * kRow;
    double x = kLabel;
    const double scale = static_cast<double>(kW - kLabel - kRight) / static_cast<double>(max);
    out += "<g>";
    title(out, short_label(r->first, 200) + ": " + std::to_string(total(r->second)) + " (" +
                   breakdown(r->second) + ")");
    text(out, kLabel - 8, y + kBar - 3, "end", short_label(r->first, 20));
    for (Severity s : kSeverityOrder) {
      auto n = r->second[static_cast<int>(s)];
      if (n == 0) continue;
      rect(out, s, x, y, n * scale, kBar);
      x += n * scale;
    }
    text(out, x + 6, y + kBar - 3, "start", std::to_string(total(r->second)), "value");
    out += "</g>";
  }
  out += "</svg>";
  return out;
}

std::string trend_chart(const std::vector<TrendPoint>& trend, std::size_t limit) {
  if (trend.empty()) return "";
  std::size_t first = trend.size() > limit ? trend.size() - limit : 0;
  std::vector<SeverityCounts> counts;
  std::int64_t max = 1;
  for (std::size_t i = first; i < trend.size(); ++i) {
    SeverityCounts c{};
    for (Severity s : kSeverityOrder) {
      auto it = trend[i].by_severity.find(sev_name(s));
      if (it != trend[i].by_severity.end()) c[static_cast<int>(s)] = it->second;
    }
    max = std::max(max, total(c));
    counts.push_back(c);
  }
  max = nice_max(max);
  constexpr int kW = 520, kH = 220, kLeft = 48, kRight = 10, kTop = 10, kBottom = 30;
  const double plot_w = kW - kLeft - kRight, plot_h = kH - kTop - kBottom;
  const double slot = plot_w / static_cast<double>(counts.size());
  const double bar = std::min(36.0, slot * 0.7);
  std::string out;
  open_svg(out, kW, kH,
           "Open findings over the last " + std::to_string(counts.size()) + " scans, from " +
               format_date(trend[first].at) + " (" + std::to_string(total(counts.front())) +
               ") to " + format_date(trend.back().at) + " (" + std::to_string(total(counts.back())) + ")");
  for (int tick = 0; tick <= 2; ++tick) {
    double y = kTop + plot_h - plot_h * tick / 2.0;
    out += "<line class=\"axis\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kW - kRight) + "\" y1=\"" +
           num(y) + "\" y2=\"" + num(y) + "\"/>";
    text(out, kLeft - 6, y + 4, "end", std::to_string(max * tick / 2));
  }
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const TrendPoint& p = trend[first + i];
    double x = kLeft + slot * static_cast<double>(i) + (slot - bar) / 2;
    double y = kTop + plot_h;
    out += "<g>";
    title(out, "scan #" + std::to_string(p.scan_id) + ", " + format_iso8601(p.at) + ": " +
                   std::to_string(total(counts[i])) + " open (" + breakdown(counts[i]) + ")");
    for (Severity s : kSeverityOrder) {
      auto n = counts[i][static_cast<int>(s)];
      if (n == 0) continue;
      double h = plot_h * static_cast<double>(n) / static_cast<double>(max);
      y -= h;
      rect(out, s, x, y, bar, h);
    }
    out += "</g>";
  }
  // Date labels under the first and last column, and the middle one when there is room.
  std::vector<std::size_t> labelled = {0};
  if (counts.size() >= 5) labelled.push_back(counts.size() / 2);
  if (counts.size() > 1) labelled.push_back(counts.size() - 1);
  for (std::size_t i : labelled) {
    double x = kLeft + slot * (static_cast<double>(i) + 0.5);
    text(out, x, kH - 10, "middle", format_date(trend[first + i].at));
  }
  out += "</svg>";
  return out;
}

}  // namespace rollcall::reports::html
