#include "eval/metric_json.h"

#include <cstdio>
#include <string>

namespace schedcast::eval {

namespace {

using ojson = nlohmann::ordered_json;

ojson SetJson(const std::array<Interval, kNumMetrics>& iv, double n, size_t programs) {
  ojson j;
  for (int k = 0; k < kNumMetrics; ++k) j[kMetricNames[k]] = {{"value", iv[k].value}, {"lo", iv[k].lo}, {"hi", iv[k].hi}};
  j["n"] = static_cast<uint64_t>(n);
  j["programs"] = programs;
  return j;
}

void Count(const std::vector<Sums>& per_prog, double* n, size_t* programs) {
  *n = 0, *programs = 0;
  for (const Sums& s : per_prog) *n += s.n, *programs += s.n > 0;
}

}  // namespace

bool Uncertain(std::span<const uint64_t> target_counts) {
  int outcomes = 0;
  for (uint64_t c : target_counts) outcomes += c > 0;
  return outcomes >= 2;
}

ojson PooledJson(const std::vector<Sums>& per_prog, const BootstrapOptions& bo) {
  double n;
  size_t programs;
  Count(per_prog, &n, &programs);
  return SetJson(Bootstrap(per_prog, bo), n, programs);
}

ojson MacroJson(const std::vector<Sums>& per_prog, const BootstrapOptions& bo) {
  double n;
  size_t programs;
  Count(per_prog, &n, &programs);
  return SetJson(Bootstrap(MacroGroups(per_prog), bo), n, programs);
}

std::string Sig4(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

}  // namespace schedcast::eval
