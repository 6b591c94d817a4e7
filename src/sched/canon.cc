#include "sched/canon.h"

#include <algorithm>
#include <functional>

namespace schedcast::sched {

const CanonicalId& Canonicalization::Of(uint64_t raw) const {
  static const CanonicalId kUnknown{"?", "", false};
  auto it = ids.find(raw);
  return it == ids.end() ? kUnknown : it->second;
}

namespace {

bool IsTRunner(const GoroutineInfo& g) { return g.start_func == "testing.tRunner"; }

// The root: the first tRunner goroutine whose ancestors are not tRunners (a top-level test), or
// the main goroutine (id 1) of a package main program.
uint64_t FindRoot(const Timeline& t) {
  auto has_trunner_ancestor = [&](uint64_t g) {
    for (int depth = 0; depth < 10000; ++depth) {
      auto it = t.goroutines.find(g);
      if (it == t.goroutines.end() || it->second.parent == 0) return false;
      g = it->second.parent;
      auto p = t.goroutines.find(g);
      if (p != t.goroutines.end() && IsTRunner(p->second)) return true;
    }
    return false;
  };
  uint64_t first_trunner = 0, first_index = UINT64_MAX;
  for (const auto& [raw, info] : t.goroutines) {
    if (IsTRunner(info) && !has_trunner_ancestor(raw) && info.first_event < first_index) {
      first_trunner = raw;
      first_index = info.first_event;
    }
  }
  if (first_trunner != 0) return first_trunner;
  // The main goroutine always has id 1 in the Go runtime (its start function is not always in the
  // trace: Go 1.22 announces pre-existing goroutines without a stack).
  return t.goroutines.count(1) ? 1 : 0;
}

}  // namespace

Canonicalization Canonicalize(const Timeline& t) {
  Canonicalization c;
  c.root = FindRoot(t);
  const bool is_test = c.root != 0 && IsTRunner(t.goroutines.at(c.root));
  // Children in creation order: goroutines sorted by the index of their creation event.
  std::map<uint64_t, std::vector<std::pair<uint64_t, uint64_t>>> children;  // parent → (first_event, raw)
  for (const auto& [raw, info] : t.goroutines)
    if (info.parent != 0) children[info.parent].push_back({info.first_event, raw});
  for (auto& [p, v] : children) std::sort(v.begin(), v.end());

  std::function<void(uint64_t, const std::string&)> assign = [&](uint64_t raw, const std::string& path) {
    const GoroutineInfo& info = t.goroutines.at(raw);
    CanonicalId id;
    id.path = path;
    id.user = true;
    if (raw != c.root && info.create_site != 0 && info.create_site < t.sites.size())
      id.create_site = t.sites[info.create_site].Short();
    c.ids[raw] = id;
    auto it = children.find(raw);
    if (it == children.end()) return;
    for (size_t i = 0; i < it->second.size(); ++i) assign(it->second[i].second, Cat(path, ".", i));
  };
  if (c.root != 0) assign(c.root, is_test ? "T" : "M");
  for (const auto& [raw, info] : t.goroutines) {
    if (c.ids.count(raw)) continue;
    c.ids[raw] = CanonicalId{Cat("rt:", info.start_func.empty() ? "?" : info.start_func), "", false};
  }
  return c;
}

}  // namespace schedcast::sched
