#include "data/split.h"

#include "common/hash.h"
#include "common/names.h"

namespace schedcast::data {

void Splitter::UseManifest(const Manifest& m) {
  for (const ManifestTest& t : m.tests) manifest_[ProgramKey(t.package, t.name)] = t.split;
}

std::string Splitter::SplitOf(const std::string& program) const {
  auto it = manifest_.find(program);
  if (it != manifest_.end()) return it->second;
  const uint64_t h = Fnv1a64(kLegacyBasis).Add(program).value();
  const double u = static_cast<double>(h >> 11) / static_cast<double>(1ull << 53);
  if (u < ratios_.test) return "test";
  if (u < ratios_.test + ratios_.validation) return "validation";
  return "train";
}

}  // namespace schedcast::data
