#include "empirical/table.h"

#include <algorithm>

namespace schedcast::empirical {

RunCounts CountRun(const std::vector<sched::Step>& steps, const std::vector<std::string>& keys) {
  RunCounts rc;
  for (size_t i = 0; i < steps.size() && i < keys.size(); ++i) rc[keys[i]].Add(steps[i].token);
  return rc;
}

void Table::AddRun(const RunCounts& run) {
  ++runs_;
  for (const auto& [key, d] : run)
    for (const auto& [tok, n] : d.counts()) table_[key].Add(tok, n);
}

const Distribution* Table::Find(const std::string& key) const {
  auto it = table_.find(key);
  return it == table_.end() ? nullptr : &it->second;
}

std::string Table::About(const std::string& key) const {
  auto it = about_.find(key);
  return it == about_.end() ? "" : it->second;
}

Distribution Table::LeaveOneOut(const std::string& key, const Distribution* own) const {
  Distribution d;
  if (const Distribution* all = Find(key)) d = *all;
  if (own) d.Subtract(*own);
  return d;
}

std::vector<std::pair<std::string, const Distribution*>> Table::MostVisited(size_t limit, uint64_t min_visits) const {
  std::vector<std::pair<std::string, const Distribution*>> v;
  for (const auto& [k, d] : table_)
    if (d.total() >= min_visits) v.push_back({k, &d});
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second->total() != b.second->total() ? a.second->total() > b.second->total() : a.first < b.first;
  });
  if (v.size() > limit) v.resize(limit);
  return v;
}

}  // namespace schedcast::empirical
