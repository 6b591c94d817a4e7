// gotrace/v2/dump.h — debug dump and stats of a new-format (Go ≥1.22) trace.
//
// Dump prints the events byte-identical to `go tool trace -d=1` of the Go version that wrote
// the trace (minus Go's "Parsing trace..." log line). Thread-safe (no shared state).
#pragma once

#include <ostream>
#include <string_view>

#include "common/status.h"
#include "gotrace/stats.h"

namespace schedcast::gotrace::v2 {

absl::Status Dump(std::string_view data, std::ostream& out);
absl::StatusOr<TraceStats> ComputeStats(std::string_view data);

}  // namespace schedcast::gotrace::v2
