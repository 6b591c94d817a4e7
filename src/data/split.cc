#include "data/split.h"

#include "common/hash.h"
#include "common/names.h"
#include "nlohmann/json.hpp"

namespace schedcast::data {

absl::Status Splitter::LoadManifest(const std::string& path) {
  SC_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("tests") || !j["tests"].is_array())
    return absl::InvalidArgumentError(Cat(path, ": not a manifest (want a JSON object with a \"tests\" array)"));
  size_t i = 0;
  for (const auto& t : j["tests"]) {
    if (!t.contains("package") || !t.contains("name") || !t.contains("split") || !t["split"].is_string())
      return absl::InvalidArgumentError(Cat(path, ": tests[", i, "] lacks package, name or split"));
    const std::string split = t["split"].get<std::string>();
    if (split != "train" && split != "validation" && split != "test")
      return absl::InvalidArgumentError(Cat(path, ": tests[", i, "] has unknown split '", split, "'"));
    manifest_[ProgramKey(t["package"].get<std::string>(), t["name"].get<std::string>())] = split;
    ++i;
  }
  return absl::OkStatus();
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
