// sched/timeline_internal.h — the per-format builders behind BuildTimeline (not for other stages).
// Thread-safe (pure functions).
#pragma once

#include <string_view>

#include "sched/timeline.h"

namespace schedcast::sched {

absl::StatusOr<Timeline> TimelineFromV1(std::string_view data);
absl::StatusOr<Timeline> TimelineFromV2(std::string_view data);

}  // namespace schedcast::sched
