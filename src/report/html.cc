// report/html.cc — escaping, number formats, tables and the shared page frame.
#include "report/html.h"

#include <cmath>
#include <cstdio>

#include "common/strings.h"

namespace schedcast::report {

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "—";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  if (std::string_view(buf).find_first_not_of("-0.") == std::string_view::npos && buf[0] == '-')
    return std::string(buf + 1);  // no "-0.0"
  return buf;
}

std::string Percent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return "—";
  return Fixed(100 * fraction, decimals) + " %";
}

std::string PercentPoints(double d) {
  if (!std::isfinite(d)) return "—";
  std::string s = Fixed(100 * std::fabs(d), 1);
  if (s == "0.0") return "0.0 pp";
  return (d < 0 ? "−" : "+") + s + " pp";
}

std::string PercentWithInterval(double value, double lo, double hi) {
  std::string s = Percent(value);
  if (std::isfinite(value) && std::isfinite(lo) && std::isfinite(hi))
    s += Cat(" <span class=\"ci\">[", Fixed(100 * lo, 1), "–", Fixed(100 * hi, 1), "]</span>");
  return s;
}

std::string Count(long long n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u2009";
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string SafeFileName(std::string_view slug) {
  std::string out;
  for (char c : slug) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    out += ok ? c : '_';
  }
  if (out.empty() || out.find_first_not_of('.') == std::string::npos) out = "_" + out;
  return out;
}

std::string RenderTable(const Table& t) {
  std::string out = t.id.empty() ? "<table>" : Cat("<table id=\"", Escape(t.id), "\">");
  if (!t.caption.empty()) out += Cat("<caption>", t.caption, "</caption>");
  auto cls = [&](size_t i) { return i < t.numeric.size() && t.numeric[i] ? " class=\"num\"" : ""; };
  out += "<thead><tr>";
  for (size_t i = 0; i < t.header.size(); ++i) out += Cat("<th", cls(i), ">", t.header[i], "</th>");
  out += "</tr></thead><tbody>\n";
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (size_t i = 0; i < row.size(); ++i) out += Cat("<td", cls(i), ">", row[i], "</td>");
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
  return out;
}

namespace {
constexpr const char* kStyle = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;background:#fff;margin:24px auto;max-width:1200px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d8dce4;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}p.meta{color:#5a6275;margin:2px 0}code{font:12px ui-monospace,monospace;background:#f3f4f7;padding:1px 3px}
table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #d8dce4;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f6}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}span.ci{color:#6b7386;font-size:12px}
caption{text-align:left;color:#5a6275;padding-bottom:4px}figure{display:inline-block;margin:8px 16px 8px 0;vertical-align:top}
figcaption{font-weight:600;margin-bottom:4px}svg text{font:11px system-ui,sans-serif;fill:#1d2330}
svg text.title{font-size:13px;font-weight:600}svg text.count{font-size:9px}svg text.value{font-size:10px}svg text.observed{font-weight:700}
ol.context{font:12px ui-monospace,monospace;max-height:260px;overflow:auto;background:#f7f8fa;border:1px solid #e1e4ea;padding:6px 6px 6px 48px;margin:6px 0}
section.sample{border-top:1px dashed #d8dce4;margin-top:18px}.legend span{display:inline-block;margin-right:14px}
.swatch{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin-right:4px;border-radius:2px}
)css";
}  // namespace

std::string PageStart(std::string_view title) {
  return Cat("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>", Escape(title),
             "</title>\n<style>", kStyle, "</style></head>\n<body>\n");
}

std::string PageEnd() { return "</body></html>\n"; }

}  // namespace schedcast::report
