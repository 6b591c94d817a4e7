// collect/plan.cc — shards, seeds and parsing of list flags (see plan.h).
#include "collect/plan.h"

#include <charconv>
#include <regex>

#include "common/hash.h"
#include "common/names.h"

namespace schedcast::collect {
namespace {

bool ParseInt(std::string_view s, int& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

}  // namespace

absl::StatusOr<Shard> ParseShard(const std::string& text) {
  auto parts = Split(text, '/');
  Shard s;
  if (parts.size() != 2 || !ParseInt(parts[0], s.index) || !ParseInt(parts[1], s.count) || s.count < 1 ||
      s.index < 0 || s.index >= s.count) {
    return absl::InvalidArgumentError(Cat("--shard ", text, ": expected I/N with 0 <= I < N, e.g. 0/4"));
  }
  return s;
}

absl::StatusOr<std::vector<int>> ParseIntList(const std::string& text, const std::string& flag) {
  std::vector<int> out;
  for (const std::string& part : Split(text, ',')) {
    int v;
    if (!ParseInt(part, v) || v < 1) {
      return absl::InvalidArgumentError(Cat(flag, " ", text, ": expected positive integers separated by commas"));
    }
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ParseGoVersions(const std::string& text) {
  static const std::regex re(R"(1\.[0-9]+)");
  std::vector<std::string> out;
  for (std::string part : Split(text, ',')) {
    if (part.rfind("go", 0) == 0) part = part.substr(2);
    if (!std::regex_match(part, re)) {
      return absl::InvalidArgumentError(Cat("--go ", text, ": expected versions like 1.22 or 1.19,1.23"));
    }
    if (std::find(out.begin(), out.end(), part) == out.end()) out.push_back(part);
  }
  return out;
}

bool InShard(const std::string& program_key, const Shard& shard) {
  return Mix64(Fnv(program_key)) % static_cast<uint64_t>(shard.count) == static_cast<uint64_t>(shard.index);
}

uint64_t RunSeed(uint64_t seed, const std::string& program_key, const store::ConfigRecord& c, int run_index) {
  Fnv1a64 h;
  h.AddField(program_key).AddField(ConfigSeedName(c.go_version, c.gomaxprocs, c.race)).AddField(std::to_string(run_index));
  return Mix64(h.value() ^ Mix64(seed));
}

uint64_t OrderKey(uint64_t run_seed) { return Mix64(run_seed ^ 0x5c4edca57ULL); }

absl::StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& text, const std::string& flag) {
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(text, &pos);
  } catch (...) {
    return absl::InvalidArgumentError(Cat(flag, " ", text, ": expected a duration like 5s or 1500ms"));
  }
  const std::string unit = text.substr(pos);
  const double ms = unit == "ms" ? v : unit == "s" || unit.empty() ? v * 1000 : unit == "m" ? v * 60000 : -1;
  if (!(ms > 0)) return absl::InvalidArgumentError(Cat(flag, " ", text, ": expected a positive duration like 5s or 1500ms"));
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

}  // namespace schedcast::collect
