// gotrace/dump.h — format-dispatching entry points used by the CLI and tests.
//
// Dump writes the events of a trace exactly as Go's own debug dump of the matching version prints
// them (`go tool trace -d` for the old format, `go tool trace -d=1` for the new one), without Go's
// "Parsing trace..." log line. On a parse error, what Go would have printed before failing is not
// guaranteed; the returned status names the byte offset and the reason. Thread-safe (no shared state).
#pragma once

#include <ostream>
#include <string_view>

#include "common/status.h"
#include "gotrace/stats.h"

namespace schedcast::gotrace {

absl::Status Dump(std::string_view data, std::ostream& out);
// Same as Dump, reading the file itself: new-format traces are streamed from disk one generation at
// a time (memory bounded by a generation, not the file); old-format ones are read whole (Go's old
// format can only be ordered once every batch has been read). Errors name the path.
absl::Status DumpFile(const std::string& path, std::ostream& out);
absl::StatusOr<TraceStats> ComputeStats(std::string_view data);

}  // namespace schedcast::gotrace
