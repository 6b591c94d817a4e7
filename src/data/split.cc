#include "data/split.h"

namespace schedcast::data {

void Splitter::UseManifest(const Manifest& m) {
  for (const ManifestTest& t : m.tests) manifest_[t.Program()] = t.split;
}

std::string Splitter::SplitOf(const std::string& program) const {
  auto it = manifest_.find(program);
  if (it != manifest_.end()) return it->second;
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : program) h = (h ^ c) * 1099511628211ull;
  const double u = static_cast<double>(h >> 11) / static_cast<double>(1ull << 53);
  if (u < ratios_.test) return "test";
  if (u < ratios_.test + ratios_.validation) return "validation";
  return "train";
}

}  // namespace schedcast::data
