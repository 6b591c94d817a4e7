// dist/distribution.h — an empirical distribution over next tokens: counts, total, entropy.
//
// Counts are integers (observations over runs); probabilities are counts/total. Subtract() removes
// one run's own observations (leave-one-run-out targets). Thread-compatible plain data.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace schedcast::empirical {

class Distribution {
 public:
  void Add(const std::string& token, uint64_t n = 1);
  void Subtract(const Distribution& other);  // counts never go below zero
  uint64_t total() const { return total_; }
  size_t support() const { return counts_.size(); }
  uint64_t Count(const std::string& token) const;
  double P(const std::string& token) const;
  double Entropy() const;                     // in nats
  const std::map<std::string, uint64_t>& counts() const { return counts_; }
  // Tokens by decreasing count (ties by token), the mode first.
  std::vector<std::pair<std::string, uint64_t>> Sorted() const;

 private:
  std::map<std::string, uint64_t> counts_;
  uint64_t total_ = 0;
};

}  // namespace schedcast::empirical
