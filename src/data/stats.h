// data/stats.h — statistics of a set of examples (one split), computed in one place for the main
// job's summary (job/run_job.h) and the evaluation's dataset section (eval/eval.h).
//
//   uncertain   examples whose empirical target has more than one observed outcome
//   ceiling     accuracy of the target's mode against the observed label (no predictor can beat it
//               on average; ties go to the first candidate)
//   uniform     the uniform predictor's expected accuracy (mean of 1/|candidates|)
//   entropy     mean entropy of the target distribution, in nats
// Means are 0 for an empty set. Thread-safe (pure function).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "data/example.h"

namespace schedcast::data {

struct SplitStats {
  size_t examples = 0;
  size_t uncertain = 0;
  size_t candidates = 0;  // sum of |candidates|
  double mean_candidates = 0, mean_entropy = 0, uncertain_fraction = 0, uniform_accuracy = 0, oracle_accuracy = 0;
  std::map<std::string, size_t> configs;  // examples per configuration name
};

SplitStats ComputeStats(const std::vector<Example>& examples);

}  // namespace schedcast::data
