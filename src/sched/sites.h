// sched/sites.h — interning of "innermost user frame" sites while building a Timeline.
//
// SiteTable maps frames to small site ids (0 = unknown). A stack's site is its first frame, from the
// innermost, that is not part of the Go distribution (IsStdFrame). Not thread-safe (builder state).
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

class SiteTable {
 public:
  explicit SiteTable(std::vector<Site>* sites) : sites_(sites) {
    if (sites_->empty()) sites_->push_back(Site{});  // id 0: unknown
  }
  // Frames are (func, file, line), innermost first.
  template <typename FrameRange, typename Get>
  uint32_t SiteOf(const FrameRange& frames, std::string_view goroot, Get get) {
    for (const auto& f : frames) {
      auto [func, file, line] = get(f);
      if (func.empty() || IsStdFrame(func, file, goroot)) continue;
      return Intern(func, file, line);
    }
    return 0;
  }
  uint32_t Intern(std::string_view func, std::string_view file, uint64_t line);

 private:
  std::vector<Site>* sites_;
  std::map<std::tuple<std::string, std::string, uint64_t>, uint32_t> ids_;
};

}  // namespace schedcast::sched
