// data/split.h — train/validation/test assignment by program (never by run).
//
// Programs named in a corpus manifest take the manifest's split; any other program is assigned by a
// stable hash (FNV-1a of the program name) with the given ratios, so that the same program always
// lands in the same split on every machine. Thread-safe (pure functions / immutable after load).
#pragma once

#include <map>
#include <string>

#include "common/manifest.h"
#include "common/status.h"

namespace schedcast::data {

struct SplitRatios {
  double validation = 0.15;
  double test = 0.25;
};

class Splitter {
 public:
  explicit Splitter(SplitRatios r = {}) : ratios_(r) {}
  // Takes the splits of a loaded corpus manifest (common/manifest.h validates it).
  void UseManifest(const Manifest& m);
  std::string SplitOf(const std::string& program) const;  // program = "import/path.TestName"
  size_t manifest_size() const { return manifest_.size(); }

 private:
  SplitRatios ratios_;
  std::map<std::string, std::string> manifest_;
};

}  // namespace schedcast::data
