#include "empirical/key.h"

#include <charconv>
#include <cstdio>

#include "common/hash.h"

namespace schedcast::empirical {

std::string KeySpec::Name() const {
  switch (kind) {
    case Kind::kPrefix: return "prefix";
    case Kind::kState: return "state";
    case Kind::kWindow: return Cat("window:", window);
  }
  return "?";
}

absl::StatusOr<KeySpec> ParseKeySpec(std::string_view s) {
  KeySpec k;
  if (s == "prefix") return k;
  if (s == "state") {
    k.kind = KeySpec::Kind::kState;
    return k;
  }
  if (s.substr(0, 7) == "window:") {
    int w = 0;
    auto r = std::from_chars(s.data() + 7, s.data() + s.size(), w);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && w >= 1 && w <= 64) {
      k.kind = KeySpec::Kind::kWindow;
      k.window = w;
      return k;
    }
  }
  return absl::InvalidArgumentError(Cat("unknown key '", s, "' (want prefix, state or window:K with 1<=K<=64)"));
}

std::vector<std::string> ComputeKeys(const std::vector<sched::Step>& steps, const KeySpec& spec) {
  std::vector<std::string> keys;
  keys.reserve(steps.size());
  uint64_t h = kLegacyBasis;
  for (size_t i = 0; i < steps.size(); ++i) {
    switch (spec.kind) {
      case KeySpec::Kind::kPrefix: {
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
        keys.emplace_back(buf, 16);
        h = Fnv1a64(h).AddToken(steps[i].token).value();
        break;
      }
      case KeySpec::Kind::kState: keys.push_back(steps[i].state_key); break;
      case KeySpec::Kind::kWindow: {
        std::string k;
        const size_t from = i >= static_cast<size_t>(spec.window) ? i - spec.window : 0;
        if (i < static_cast<size_t>(spec.window)) k = "^";  // start of run
        for (size_t j = from; j < i; ++j) CatAppend(k, k.empty() ? "" : " | ", steps[j].token);
        keys.push_back(std::move(k));
        break;
      }
    }
  }
  return keys;
}

}  // namespace schedcast::empirical
