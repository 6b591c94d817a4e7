// report/svg.cc — geometry and SVG markup of the report's charts.
#include "report/svg.h"

#include <algorithm>
#include <cmath>

#include "common/strings.h"
#include "report/html.h"

namespace schedcast::report {
namespace {

double Clamp01(double v) { return std::clamp(v, 0.0, 1.0); }
std::string F(double v) { return Fixed(v, 1); }  // pixel coordinates

std::string SvgOpen(double w, double h, std::string_view cls, std::string_view label) {
  return Cat("<svg class=\"", cls, "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"", F(w), "\" height=\"", F(h),
             "\" viewBox=\"0 0 ", F(w), " ", F(h), "\" role=\"img\" aria-label=\"", Escape(label), "\">\n");
}

std::string Text(double x, double y, std::string_view text, std::string_view anchor = "start",
                 std::string_view extra = "") {
  return Cat("<text x=\"", F(x), "\" y=\"", F(y), "\" text-anchor=\"", anchor, "\"", extra, ">", Escape(text),
             "</text>\n");
}

std::string LineEl(double x1, double y1, double x2, double y2, std::string_view style) {
  return Cat("<line x1=\"", F(x1), "\" y1=\"", F(y1), "\" x2=\"", F(x2), "\" y2=\"", F(y2), "\" ", style, "/>\n");
}

// Frame, grid and tick labels of a [x_min,x_max] × [y_min,y_max] plot; percent ticks on probability axes.
std::string AxesMarkup(const Axes& a, const std::vector<double>& xticks, bool x_percent, const std::vector<double>& yticks,
                       bool y_percent, std::string_view x_label, std::string_view y_label) {
  std::string out;
  out += Cat("<rect class=\"plot\" x=\"", F(a.left), "\" y=\"", F(a.top), "\" width=\"", F(a.width), "\" height=\"",
             F(a.height), "\" fill=\"#fafbfc\" stroke=\"#9aa1b1\"/>\n");
  for (double t : yticks) {
    const double y = a.Y(t);
    out += LineEl(a.left, y, a.left + a.width, y, "stroke=\"#e3e6ec\"");
    out += Text(a.left - 5, y + 4, y_percent ? Cat(Fixed(100 * t, 0), "%") : Fixed(t, 2), "end");
  }
  for (double t : xticks) {
    const double x = a.X(t);
    out += LineEl(x, a.top + a.height, x, a.top + a.height + 4, "stroke=\"#9aa1b1\"");
    out += Text(x, a.top + a.height + 16, x_percent ? Cat(Fixed(100 * t, 0), "%") : Fixed(t, 0), "middle");
  }
  out += Text(a.left + a.width / 2, a.top + a.height + 32, x_label, "middle", " class=\"axis-label\"");
  const double yl = a.top + a.height / 2;
  out += Text(a.left - 38, yl, y_label, "middle",
              Cat(" class=\"axis-label\" transform=\"rotate(-90 ", F(a.left - 38), " ", F(yl), ")\""));
  return out;
}

std::vector<double> Ticks01() { return {0, 0.2, 0.4, 0.6, 0.8, 1.0}; }

}  // namespace

double Axes::X(double v) const {
  const double span = x_max - x_min;
  return left + (span > 0 ? (v - x_min) / span : 0.5) * width;
}
double Axes::Y(double v) const {
  const double span = y_max - y_min;
  return top + height - (span > 0 ? (v - y_min) / span : 0.5) * height;
}

std::string SeriesColor(size_t i) {
  static const char* kPalette[] = {"#2f6fdb", "#e07b00", "#1a9b5b", "#c2185b", "#7b4fc9", "#00838f", "#8d6e63", "#9e9d24"};
  return kPalette[i % (sizeof kPalette / sizeof kPalette[0])];
}

// ---- reliability diagram ----

ReliabilityLayout LayoutReliability(const std::vector<ReliabilityBin>& bins) {
  ReliabilityLayout l;
  l.svg_width = 340;
  l.svg_height = 350;
  l.axes = Axes{56, 16, 264, 264, 0, 1, 0, 1};
  for (size_t i = 0; i < bins.size(); ++i) {
    const ReliabilityBin& b = bins[i];
    if (b.count <= 0 || !std::isfinite(b.accuracy) || !std::isfinite(b.lo) || !std::isfinite(b.hi)) continue;
    const double x0 = l.axes.X(Clamp01(b.lo)), x1 = l.axes.X(Clamp01(b.hi));
    const double y = l.axes.Y(Clamp01(b.accuracy)), y0 = l.axes.Y(0);
    l.bars.push_back(Box{x0, y, x1 - x0, y0 - y});
    const double conf = std::isfinite(b.confidence) ? Clamp01(b.confidence) : (b.lo + b.hi) / 2;
    l.points.push_back(Point{l.axes.X(conf), y});
    l.bin_of.push_back(i);
  }
  return l;
}

std::string ReliabilityDiagram(const std::vector<ReliabilityBin>& bins, std::string_view model, std::string_view color) {
  const ReliabilityLayout l = LayoutReliability(bins);
  const Axes& a = l.axes;
  std::string out = SvgOpen(l.svg_width, l.svg_height, "reliability", Cat("reliability diagram of ", model));
  out += AxesMarkup(a, Ticks01(), true, Ticks01(), true, "confidence (max probability)", "accuracy");
  out += LineEl(a.X(0), a.Y(0), a.X(1), a.Y(1), "class=\"diagonal\" stroke=\"#7a8194\" stroke-dasharray=\"4 3\"");
  for (size_t i = 0; i < l.bars.size(); ++i) {
    const Box& b = l.bars[i];
    const ReliabilityBin& bin = bins[l.bin_of[i]];
    out += Cat("<rect class=\"bin\" x=\"", F(b.x + 0.5), "\" y=\"", F(b.y), "\" width=\"", F(std::max(0.0, b.w - 1)),
               "\" height=\"", F(b.h), "\" fill=\"", color, "\" fill-opacity=\"0.35\" stroke=\"", color,
               "\"><title>", Escape(Cat("confidence ", Percent(bin.lo), "–", Percent(bin.hi), ": ", bin.count,
                                        " examples, mean confidence ", Percent(bin.confidence), ", accuracy ",
                                        Percent(bin.accuracy))),
               "</title></rect>\n");
  }
  for (size_t i = 0; i < l.points.size(); ++i)
    out += Cat("<circle class=\"point\" cx=\"", F(l.points[i].x), "\" cy=\"", F(l.points[i].y), "\" r=\"3.5\" fill=\"",
               color, "\"/>\n");
  // Counts, rotated, just above the x axis inside the plot.
  for (size_t i = 0; i < l.bars.size(); ++i) {
    const double cx = l.bars[i].x + l.bars[i].w / 2 + 3, cy = a.top + a.height - 4;
    out += Text(cx, cy, Cat(bins[l.bin_of[i]].count), "start",
                Cat(" class=\"count\" transform=\"rotate(-90 ", F(cx), " ", F(cy), ")\""));
  }
  if (l.bars.empty()) out += Text(a.left + a.width / 2, a.top + a.height / 2, "no examples", "middle");
  out += "</svg>\n";
  return out;
}

// ---- probability bars ----

BarsLayout LayoutBars(size_t candidates, const std::vector<BarSeries>& series) {
  BarsLayout l;
  constexpr double kLabelWidth = 300, kBarHeight = 11, kRowGap = 10, kTop = 8;
  l.svg_width = 920;
  l.bar_x = kLabelWidth + 10;
  l.full_width = l.svg_width - l.bar_x - 70;  // room for the value text
  l.boxes.assign(series.size(), std::vector<Box>(candidates));
  double y = kTop;
  for (size_t c = 0; c < candidates; ++c) {
    l.row_top.push_back(y);
    for (size_t s = 0; s < series.size(); ++s) {
      const double p = c < series[s].probs.size() && std::isfinite(series[s].probs[c]) ? Clamp01(series[s].probs[c]) : 0;
      l.boxes[s][c] = Box{l.bar_x, y + s * (kBarHeight + 2), p * l.full_width, kBarHeight};
    }
    y += series.size() * (kBarHeight + 2) + kRowGap;
  }
  l.svg_height = y + 4;
  return l;
}

std::string ProbabilityBars(const std::vector<std::string>& candidates, const std::vector<BarSeries>& series, int marked) {
  const BarsLayout l = LayoutBars(candidates.size(), series);
  std::string out = SvgOpen(l.svg_width, l.svg_height, "bars", "predicted and empirical next-event probabilities");
  out += LineEl(l.bar_x, 0, l.bar_x, l.svg_height, "stroke=\"#9aa1b1\"");
  for (size_t c = 0; c < candidates.size(); ++c) {
    const double rows_h = series.size() * 13.0;
    const bool is_marked = static_cast<int>(c) == marked;
    std::string label = candidates[c];
    if (label.size() > 44) label = label.substr(0, 42) + "…";
    if (is_marked)
      out += Cat("<rect class=\"observed\" x=\"0\" y=\"", F(l.row_top[c] - 3), "\" width=\"", F(l.svg_width),
                 "\" height=\"", F(rows_h + 4), "\" fill=\"#fff4d6\"/>\n");
    out += Text(l.bar_x - 8, l.row_top[c] + rows_h / 2 + 4, is_marked ? "▶ " + label : label, "end",
                is_marked ? " class=\"candidate observed\"" : " class=\"candidate\"");
    for (size_t s = 0; s < series.size(); ++s) {
      const Box& b = l.boxes[s][c];
      const double p = c < series[s].probs.size() ? series[s].probs[c] : NAN;
      out += Cat("<rect class=\"bar\" data-series=\"", Escape(series[s].name), "\" x=\"", F(b.x), "\" y=\"", F(b.y),
                 "\" width=\"", Fixed(b.w, 2), "\" height=\"", F(b.h), "\" fill=\"", series[s].color, "\"><title>",
                 Escape(Cat(series[s].name, ": ", Percent(p), " for ", candidates[c])), "</title></rect>\n");
      out += Text(b.x + b.w + 4, b.y + b.h - 1, Percent(p), "start", " class=\"value\"");
    }
  }
  out += "</svg>\n";
  return out;
}

// ---- line charts ----

LineLayout LayoutLines(const std::vector<LineSeries>& series, double y_min, double y_max) {
  LineLayout l;
  l.svg_width = 560;
  double x_min = INFINITY, x_max = -INFINITY;
  for (const auto& s : series)
    for (const auto& p : s.points)
      if (std::isfinite(p.x)) x_min = std::min(x_min, p.x), x_max = std::max(x_max, p.x);
  if (!std::isfinite(x_min)) x_min = 0, x_max = 1;
  if (x_max == x_min) x_max = x_min + 1;
  const double legend_rows = std::ceil(series.size() / 3.0);
  l.axes = Axes{60, 28, 470, 220, x_min, x_max, y_min, y_max};
  l.svg_height = l.axes.top + l.axes.height + 44 + 16 * legend_rows;
  for (const auto& s : series) {
    std::vector<LinePoint> pts = s.points;
    std::sort(pts.begin(), pts.end(), [](const LinePoint& a, const LinePoint& b) { return a.x < b.x; });
    std::vector<Point> line;
    for (const auto& p : pts)
      if (std::isfinite(p.x) && std::isfinite(p.y))
        line.push_back(Point{l.axes.X(p.x), l.axes.Y(std::clamp(p.y, y_min, y_max))});
    l.lines.push_back(std::move(line));
  }
  return l;
}

std::string LineChart(std::string_view title, std::string_view x_label, std::string_view y_label,
                      const std::vector<LineSeries>& series, double y_min, double y_max) {
  const LineLayout l = LayoutLines(series, y_min, y_max);
  const Axes& a = l.axes;
  std::string out = SvgOpen(l.svg_width, l.svg_height, "lines", title);
  out += Text(a.left, 16, title, "start", " class=\"title\"");
  std::vector<double> xt;
  const double step = std::max(1.0, std::ceil((a.x_max - a.x_min) / 10));
  for (double x = a.x_min; x <= a.x_max + 1e-9; x += step) xt.push_back(x);
  std::vector<double> yt;
  for (int i = 0; i <= 5; ++i) yt.push_back(y_min + (y_max - y_min) * i / 5);
  out += AxesMarkup(a, xt, false, yt, y_min == 0 && y_max == 1, x_label, y_label);
  for (size_t s = 0; s < series.size(); ++s) {
    // Band: upper edge left to right, lower edge back.
    std::vector<LinePoint> pts = series[s].points;
    std::sort(pts.begin(), pts.end(), [](const LinePoint& p, const LinePoint& q) { return p.x < q.x; });
    std::string band;
    bool full = !pts.empty();
    for (const auto& p : pts) full = full && std::isfinite(p.lo) && std::isfinite(p.hi);
    if (full) {
      for (const auto& p : pts) CatAppend(band, F(a.X(p.x)), ",", F(a.Y(std::clamp(p.hi, y_min, y_max))), " ");
      for (auto it = pts.rbegin(); it != pts.rend(); ++it)
        CatAppend(band, F(a.X(it->x)), ",", F(a.Y(std::clamp(it->lo, y_min, y_max))), " ");
      out += Cat("<polygon class=\"band\" points=\"", band, "\" fill=\"", series[s].color, "\" fill-opacity=\"0.15\"/>\n");
    }
    std::string pts_attr;
    for (const Point& p : l.lines[s]) CatAppend(pts_attr, F(p.x), ",", F(p.y), " ");
    out += Cat("<polyline class=\"series\" data-series=\"", Escape(series[s].name), "\" points=\"", pts_attr,
               "\" fill=\"none\" stroke=\"", series[s].color, "\" stroke-width=\"2\"/>\n");
    for (const Point& p : l.lines[s])
      out += Cat("<circle cx=\"", F(p.x), "\" cy=\"", F(p.y), "\" r=\"2.5\" fill=\"", series[s].color, "\"/>\n");
  }
  // Legend: three entries per row under the axis label.
  const double ly = a.top + a.height + 48;
  for (size_t s = 0; s < series.size(); ++s) {
    const double x = a.left + (s % 3) * 160, y = ly + (s / 3) * 16;
    out += Cat("<g class=\"legend\"><rect x=\"", F(x), "\" y=\"", F(y - 9), "\" width=\"14\" height=\"10\" fill=\"",
               series[s].color, "\"/>", Text(x + 18, y, series[s].name), "</g>\n");
  }
  out += "</svg>\n";
  return out;
}

}  // namespace schedcast::report
