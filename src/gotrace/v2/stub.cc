// Placeholder until the v2 parser lands.
#include "gotrace/v2/dump.h"
namespace schedcast::gotrace::v2 {
absl::Status Dump(std::string_view, std::ostream&) { return absl::UnimplementedError("v2 parser not yet implemented"); }
absl::StatusOr<TraceStats> ComputeStats(std::string_view) { return absl::UnimplementedError("v2 parser not yet implemented"); }
}  // namespace schedcast::gotrace::v2
