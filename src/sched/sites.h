// sched/sites.h — interning of "innermost user frame" sites while building a Timeline.
//
// SiteTable maps frames to small site ids (0 = unknown). A stack's site is its first frame, from the
// innermost, that is not part of the Go distribution (IsStdFrame); its callers are the user frames
// right after it (up to the first frame of the distribution, at most Timeline::kMaxCallers), interned
// as a chain (Timeline::callers, 0 = none). Not thread-safe (builder state).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "sched/timeline.h"

namespace schedcast::sched {

// Where the Go distribution's sources live, from a runtime frame's file ("/usr/lib/go-1.23/src/
// runtime/proc.go" → "/usr/lib/go-1.23"); "" if `file` is not a runtime file.
std::string GorootOf(std::string_view file);

// A stack's place: its site and the chain of call sites above it.
struct UserSite {
  uint32_t site = 0, callers = 0;
};

// Sets an event's site and callers.
inline void SetSite(Event* e, UserSite s) { e->site = s.site, e->callers = s.callers; }

class SiteTable {
 public:
  explicit SiteTable(Timeline* t) : sites_(&t->sites), chains_(&t->callers) {
    if (sites_->empty()) sites_->push_back(Site{});  // id 0: unknown
    if (chains_->empty()) chains_->emplace_back();    // chain 0: none
  }
  // Frames are (func, file, line), innermost first.
  template <typename FrameRange, typename Get>
  UserSite SiteOf(const FrameRange& frames, std::string_view goroot, Get get) {
    UserSite out;
    std::vector<uint32_t> chain;
    for (const auto& f : frames) {
      auto [func, file, line] = get(f);
      const bool user = !func.empty() && !IsStdFrame(func, file, goroot);
      if (out.site == 0) {
        if (user) out.site = Intern(func, file, line);
        continue;
      }
      if (!user || chain.size() == Timeline::kMaxCallers) break;
      chain.push_back(Intern(func, file, line));
    }
    if (!chain.empty()) out.callers = Chain(std::move(chain));
    return out;
  }
  uint32_t Intern(std::string_view func, std::string_view file, uint64_t line);
  uint32_t Chain(std::vector<uint32_t> chain);

 private:
  std::vector<Site>* sites_;
  std::vector<std::vector<uint32_t>>* chains_;
  std::map<std::tuple<std::string, std::string, uint64_t>, uint32_t> ids_;
  std::map<std::vector<uint32_t>, uint32_t> chain_ids_;
};

}  // namespace schedcast::sched
