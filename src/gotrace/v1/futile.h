// gotrace/v1/futile.h — third stage of the v1 parser: drop futile wakeups.
//
// A goroutine woken up (e.g. on a mutex or a buffered channel) that finds the resource taken again
// and blocks anew produces a FutileWakeup event. Like Go's parser, this stage removes the whole
// episode: the unblock, the starts/preemptions after it, the FutileWakeup and the block that ends it.
// Contract: `events` is the ordered stream; removes the episodes in place, keeping the order.
// Extra memory: one byte per event, only when the trace has FutileWakeup events. Not thread-safe
// per vector.
#pragma once

#include <cstdint>
#include <vector>

#include "gotrace/v1/parser.h"

namespace schedcast::gotrace::v1::internal {

void RemoveFutileWakeups(std::vector<Event>& events);

}  // namespace schedcast::gotrace::v1::internal
