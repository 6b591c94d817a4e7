#include "model/topmap.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace schedcast::model {

namespace {
constexpr int kMaxBins = 64;
constexpr double kTopCap = 1 - 1e-4;
}  // namespace

TopMap TopMap::Fit(std::span<const double> conf, std::span<const double> hit, std::span<const double> weight) {
  TopMap m;
  const size_t n = conf.size();
  if (n == 0 || hit.size() != n || weight.size() != n) return m;
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return conf[a] < conf[b]; });
  double total = 0;
  for (double w : weight) total += w;
  if (!(total > 0)) return m;
  // Equal-weight bins in confidence order (an example never splits across bins).
  struct Block {
    double w = 0, wh = 0;   // weight, Σ w·hit
    double lo = 0, hi = 0;  // lowest and highest confidence in the block
  };
  std::vector<Block> bins;
  Block cur;
  for (size_t k = 0; k < n; ++k) {
    const size_t i = order[k];
    if (cur.w == 0) cur.lo = conf[i];
    cur.hi = conf[i];
    cur.w += weight[i];
    cur.wh += weight[i] * hit[i];
    const bool last = k + 1 == n;
    if (last || (cur.w >= total / kMaxBins && conf[order[k + 1]] > conf[i])) bins.push_back(cur), cur = Block{};
  }
  // Pool adjacent violators over the bins' accuracies.
  std::vector<Block> st;
  for (const Block& b : bins) {
    st.push_back(b);
    while (st.size() >= 2) {
      const Block& hi = st[st.size() - 1];
      const Block& lo = st[st.size() - 2];
      if (lo.wh / lo.w < hi.wh / hi.w) break;
      Block merged{lo.w + hi.w, lo.wh + hi.wh, lo.lo, hi.hi};
      st.pop_back();
      st.back() = merged;
    }
  }
  if (st.size() < 2) return m;
  // A block is flat at its accuracy from its lowest to its highest confidence (what isotonic
  // regression gives the examples it pooled); linear between blocks.
  for (const Block& b : st) {
    m.knots_.emplace_back(b.lo, b.wh / b.w);
    if (b.hi > b.lo) m.knots_.emplace_back(b.hi, b.wh / b.w);
  }
  return m;
}

void TopMap::Points::Add(std::span<const double> p, int label, double w) {
  if (p.empty()) return;
  const size_t top = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
  conf.push_back(p[top]);
  hit.push_back(static_cast<int>(top) == label ? 1.0 : 0.0);
  weight.push_back(w);
}

double TopMap::Map(double c) const {
  if (knots_.empty()) return c;
  if (c <= knots_.front().first) return knots_.front().second;
  if (c >= knots_.back().first) return knots_.back().second;
  const auto it = std::upper_bound(knots_.begin(), knots_.end(), c,
                                   [](double v, const std::pair<double, double>& k) { return v < k.first; });
  const auto& [x1, y1] = *it;
  const auto& [x0, y0] = *(it - 1);
  return x1 > x0 ? y0 + (y1 - y0) * (c - x0) / (x1 - x0) : y1;
}

void TopMap::Apply(std::span<double> p) const {
  if (knots_.empty() || p.size() < 2) return;
  size_t top = 0;
  double second = 0;
  for (size_t i = 1; i < p.size(); ++i)
    if (p[i] > p[top]) top = i;
  for (size_t i = 0; i < p.size(); ++i)
    if (i != top) second = std::max(second, p[i]);
  const double c = p[top], rest = 1 - c;
  double cn = std::min(Map(c), std::max(c, kTopCap));
  // Stay the argmax: cn >= second · (1 − cn)/(1 − c)  ⇔  cn >= lo = second / (1 − c + second) (and
  // c >= lo always); a thousandth of the way back to c keeps it strictly ahead where it was.
  if (rest + second > 0) {
    const double lo = second / (rest + second);
    cn = std::max(cn, lo + 1e-3 * (c - lo));
  }
  if (rest > 1e-12) {
    const double scale = (1 - cn) / rest;
    for (size_t i = 0; i < p.size(); ++i) p[i] = i == top ? cn : p[i] * scale;
  } else {
    const double each = (1 - cn) / static_cast<double>(p.size() - 1);
    for (size_t i = 0; i < p.size(); ++i) p[i] = i == top ? cn : each;
  }
}

nlohmann::json TopMap::ToJson() const {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [x, y] : knots_) a.push_back({x, y});
  return a;
}

absl::StatusOr<TopMap> TopMap::FromJson(const nlohmann::json& j) {
  if (!j.is_array()) return BadInputError("top_map is not an array of [confidence, accuracy] pairs");
  TopMap m;
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    if (!e.is_array() || e.size() != 2 || !e[0].is_number() || !e[1].is_number())
      return BadInputError(Cat("top_map[", i, "] is not a [confidence, accuracy] pair"));
    const double x = e[0].get<double>(), y = e[1].get<double>();
    if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1))
      return BadInputError(Cat("top_map[", i, "] = [", x, ", ", y, "] lies outside [0, 1]"));
    if (!m.knots_.empty() && (x < m.knots_.back().first || y < m.knots_.back().second))
      return BadInputError(Cat("top_map[", i, "] decreases (the map must be non-decreasing)"));
    m.knots_.emplace_back(x, y);
  }
  if (m.knots_.size() == 1) return BadInputError("top_map has one knot (want none, or at least 2)");
  return m;
}

}  // namespace schedcast::model
