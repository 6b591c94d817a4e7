// report/html.h — small HTML helpers for the static report: escaping, number formats, tables, page frame.
//
// Every string that comes from data (program names, tokens, model names, commands) goes through
// Escape before it is written; the helpers that take "html" arguments expect already-escaped markup.
// Numbers: Percent(0.7123) = "71.2 %"; NaN renders as "—". Pages carry one small inline stylesheet,
// no scripts and no external assets, so they open from disk. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schedcast::report {

// Escapes & < > " ' for use in text and attribute values.
std::string Escape(std::string_view s);

// 0.7123 -> "71.2 %" (decimals after the point); NaN/inf -> "—".
std::string Percent(double fraction, int decimals = 1);
// Fixed-point number, e.g. Fixed(1.23456, 3) = "1.235"; NaN/inf -> "—".
std::string Fixed(double v, int decimals);
// A signed difference in percentage points: -0.27 -> "−27.0 pp"; NaN -> "—".
std::string PercentPoints(double fraction_diff);
// "71.2 % [66.0–75.0]" — the value with its interval when lo and hi are finite.
std::string PercentWithInterval(double value, double lo, double hi);
// 12345 -> "12 345" (thin-space thousands).
std::string Count(long long n);

// A file name made of [A-Za-z0-9._-] only (other bytes become '_'), never "", "." or "..".
std::string SafeFileName(std::string_view slug);

// An HTML table. Cells are markup (escape data first); `numeric` columns are right-aligned.
struct Table {
  std::string id;                      // id attribute ("" for none)
  std::string caption;                 // markup; "" for none
  std::vector<std::string> header;     // markup
  std::vector<bool> numeric;           // per column; missing entries mean "text"
  std::vector<std::vector<std::string>> rows;
};
std::string RenderTable(const Table& t);

// <!DOCTYPE html> … <body> with the shared stylesheet; `title` is plain text (escaped here).
std::string PageStart(std::string_view title);
std::string PageEnd();

}  // namespace schedcast::report
