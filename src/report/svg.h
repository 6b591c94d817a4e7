// report/svg.h — inline SVG charts for the report: reliability diagram, predicted-vs-empirical
// probability bars, and line charts (rollout TV and legality by step k).
//
// Each chart has a Layout* function that computes its geometry (pixel boxes and points) from the
// data, and a renderer that writes that geometry as an <svg> element with labelled axes, so tests
// can check where a value lands without parsing SVG. Data coordinates: probabilities in [0, 1] are
// clamped; NaN values draw nothing. Text in charts is escaped here. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report/input.h"

namespace schedcast::report {

struct Box {
  double x = 0, y = 0, w = 0, h = 0;  // pixels, y downward
};
struct Point {
  double x = 0, y = 0;
};

// A plot area in pixels and the data ranges it shows; X/Y map data values to pixels (y up).
struct Axes {
  double left = 0, top = 0, width = 0, height = 0;
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  double X(double v) const;
  double Y(double v) const;
};

// The colour of the i-th model in every chart and legend; the empirical target has its own.
std::string SeriesColor(size_t i);
inline constexpr const char* kTargetColor = "#4a4f5c";

// Reliability diagram: x = confidence, y = accuracy, both [0, 1]; one bar per non-empty bin
// spanning [lo, hi] up to the bin's accuracy, one point at (mean confidence, accuracy), the
// diagonal of perfect calibration, and each bin's count above the x axis.
struct ReliabilityLayout {
  Axes axes;
  double svg_width = 0, svg_height = 0;
  std::vector<Box> bars;       // one per non-empty bin, in bin order
  std::vector<Point> points;   // same order
  std::vector<size_t> bin_of;  // bars[i] / points[i] belong to bins[bin_of[i]]
};
ReliabilityLayout LayoutReliability(const std::vector<ReliabilityBin>& bins);
std::string ReliabilityDiagram(const std::vector<ReliabilityBin>& bins, std::string_view model, std::string_view color);

// Horizontal probability bars: one row per candidate, within it one bar per series (the empirical
// target first, then each model), width proportional to the probability; the observed candidate
// (`marked`, -1 for none) is marked. A series' bar widths sum to full_width × its probability mass.
struct BarSeries {
  std::string name, color;
  std::vector<double> probs;  // one per candidate
};
struct BarsLayout {
  double svg_width = 0, svg_height = 0;
  double bar_x = 0, full_width = 0;     // where bars start, and the width of probability 1
  std::vector<std::vector<Box>> boxes;  // [series][candidate]
  std::vector<double> row_top;          // per candidate
};
BarsLayout LayoutBars(size_t candidates, const std::vector<BarSeries>& series);
std::string ProbabilityBars(const std::vector<std::string>& candidates, const std::vector<BarSeries>& series, int marked);

// Line chart: one polyline per series (points sorted by x), an optional shaded band (lo/hi), axes
// labelled, a legend under the plot.
struct LinePoint {
  double x = 0, y = 0, lo = 0, hi = 0;  // lo/hi NaN for no band
};
struct LineSeries {
  std::string name, color;
  std::vector<LinePoint> points;
};
struct LineLayout {
  Axes axes;
  double svg_width = 0, svg_height = 0;
  std::vector<std::vector<Point>> lines;  // per series
};
LineLayout LayoutLines(const std::vector<LineSeries>& series, double y_min, double y_max);
std::string LineChart(std::string_view title, std::string_view x_label, std::string_view y_label,
                      const std::vector<LineSeries>& series, double y_min, double y_max);

}  // namespace schedcast::report
