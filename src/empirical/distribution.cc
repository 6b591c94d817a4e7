#include "empirical/distribution.h"

#include <algorithm>
#include <cmath>

namespace schedcast::empirical {

void Distribution::Add(const std::string& token, uint64_t n) {
  if (n == 0) return;
  counts_[token] += n;
  total_ += n;
}

void Distribution::Subtract(const Distribution& other) {
  for (const auto& [tok, n] : other.counts_) {
    auto it = counts_.find(tok);
    if (it == counts_.end()) continue;
    const uint64_t d = std::min(n, it->second);
    it->second -= d;
    total_ -= d;
    if (it->second == 0) counts_.erase(it);
  }
}

uint64_t Distribution::Count(const std::string& token) const {
  auto it = counts_.find(token);
  return it == counts_.end() ? 0 : it->second;
}

double Distribution::P(const std::string& token) const {
  return total_ == 0 ? 0.0 : static_cast<double>(Count(token)) / static_cast<double>(total_);
}

double Distribution::Entropy() const {
  double h = 0;
  for (const auto& [tok, n] : counts_) {
    const double p = static_cast<double>(n) / static_cast<double>(total_);
    h -= p * std::log(p);
  }
  return h;
}

std::vector<std::pair<std::string, uint64_t>> Distribution::Sorted() const {
  std::vector<std::pair<std::string, uint64_t>> v(counts_.begin(), counts_.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return v;
}

}  // namespace schedcast::empirical
