// gotrace/v1/dump.h — debug dump and stats of a old-format (Go ≤1.21) trace.
//
// Dump prints the events byte-identical to `go tool trace -d` of the Go version that wrote
// the trace (minus Go's "Parsing trace..." log line). Thread-safe (no shared state).
#pragma once

#include <ostream>
#include <string_view>

#include "common/status.h"
#include "gotrace/stats.h"

namespace schedcast::gotrace::v1 {

absl::Status Dump(std::string_view data, std::ostream& out);
absl::StatusOr<TraceStats> ComputeStats(std::string_view data);

}  // namespace schedcast::gotrace::v1
