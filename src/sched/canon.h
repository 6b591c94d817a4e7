// sched/canon.h — canonical goroutine ids, stable across runs of the same program.
//
// A goroutine's canonical id is its path in the creation tree below the program's root goroutine
// ("T" = the test's own goroutine running under testing.tRunner, "M" = main.main's goroutine for a
// package main program), one child index per parent in creation order ("T.0", "T.1.0"), plus the
// creation site (file:line of the go statement). Goroutines outside the root's subtree — the runtime's
// (GC workers, finalizers, timers), the testing framework's — are "runtime" and get ids of the form
// "rt:<start function>"; they are excluded from prediction targets unless asked for.
// Thread-safe (pure functions over a Timeline).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sched/timeline.h"

namespace schedcast::sched {

struct CanonicalId {
  std::string path;          // "T", "T.0", "T.1.2", "M.3", or "rt:<func>"
  std::string create_site;   // "file.go:12" of the go statement ("" for roots and runtime goroutines)
  bool user = false;         // in the root's subtree
  std::string Full() const { return create_site.empty() ? path : path + "@" + create_site; }
};

struct Canonicalization {
  uint64_t root = 0;                           // raw id of the root goroutine (0 if none found)
  std::map<uint64_t, CanonicalId> ids;         // raw id → canonical id, for every goroutine in the timeline
  const CanonicalId& Of(uint64_t raw) const;   // "?" id for unknown raw ids (e.g. 0)
};

// The root is the first top-level tRunner goroutine (the collector runs one test per process), else
// the main goroutine (runtime id 1).
Canonicalization Canonicalize(const Timeline& t);

}  // namespace schedcast::sched
