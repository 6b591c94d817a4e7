// gotrace/v1/postprocess.h — last stage of the v1 parser: check the stream and link events.
//
// Replays the ordered stream through a goroutine/P state machine (dead, runnable, running, waiting;
// which goroutine each P runs; open GC, STW, sweep, mark-assist, task and region intervals) and
// rejects every inconsistency Go's parser rejects (a goroutine started twice, a P stopped while
// running a goroutine, an unblock of a goroutine that is not waiting, ...). Along the way it sets
// Event::link as Go does, gives GoStart its creation stack, and moves GC starts to the GC pseudo-P
// and network unblocks to the netpoll pseudo-P.
// Contract: `events` is the final stream (links are indices into it); `region_name(e)` gives a
// UserRegion event's name (used to match region ends to starts). Errors name the offending event's file offset.
// Not thread-safe per event vector.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gotrace/v1/parser.h"

namespace schedcast::gotrace::v1::internal {

absl::Status LinkAndCheck(int version, std::vector<Event>& events,
                          const std::function<std::string_view(const Event&)>& region_name);

}  // namespace schedcast::gotrace::v1::internal
