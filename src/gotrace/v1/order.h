// gotrace/v1/order.h — second stage of the v1 parser: merge per-P batches into one stream.
//
// Events inside a batch are already in order (one P wrote them). Across batches, the runtime's
// per-goroutine sequence numbers say which events must precede which: an event may be merged once
// its goroutine is in the state (status and sequence number) the event starts from. Among the
// batch heads that may be merged, the one with the earliest timestamp goes next; ties are broken
// the way Go 1.19–1.21's parser breaks them (its candidate list is stable-sorted by timestamp, the
// chosen slot refilled from the end, and new candidates appended in batch order), emulated exactly
// while at most 12 batches compete — beyond that Go's own choice depends on map iteration order, and
// this code takes the earliest-admitted candidate. Work is O(events · log batches); no step scans
// all batches.
// After merging, syscall exits take their real timestamps, the stream is stably re-sorted by time,
// and ticks become nanoseconds since the first event (Go's float64 formula, bit for bit); timer and
// syscall events move to their pseudo-Ps. "Local" event types are folded into the plain ones.
// Contract: on success raw->events is rearranged in place into the final order (every event exactly
// once; Event::link is left holding garbage for the next stage to reset). Extra memory is
// O(batches + goroutines + syscall exits), never O(events) beyond the events themselves (the batch
// lists and the merged order are threaded through Event::link). Errors name the offset of an
// offending event. Not thread-safe per RawTrace.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "gotrace/v1/reader.h"

namespace schedcast::gotrace::v1::internal {

absl::Status OrderEvents(RawTrace* raw);

}  // namespace schedcast::gotrace::v1::internal
