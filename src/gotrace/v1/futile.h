// gotrace/v1/futile.h — third stage of the v1 parser: drop futile wakeups.
//
// A goroutine woken up (e.g. on a mutex or a buffered channel) that finds the resource taken again
// and blocks anew produces a FutileWakeup event. Like Go's parser, this stage removes the whole
// episode: the unblock, the starts/preemptions after it, the FutileWakeup and the block that ends it.
// Contract: `order` lists event indices in stream order; returns the indices to keep, same order.
// Thread-safe (pure function of its arguments).
#pragma once

#include <cstdint>
#include <vector>

#include "gotrace/v1/parser.h"

namespace schedcast::gotrace::v1::internal {

std::vector<uint32_t> RemoveFutileWakeups(const std::vector<Event>& events, std::vector<uint32_t> order);

}  // namespace schedcast::gotrace::v1::internal
