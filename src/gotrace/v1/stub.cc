// Placeholder until the v1 parser lands.
#include "gotrace/v1/dump.h"
namespace schedcast::gotrace::v1 {
absl::Status Dump(std::string_view, std::ostream&) { return absl::UnimplementedError("v1 parser not yet implemented"); }
absl::StatusOr<TraceStats> ComputeStats(std::string_view) { return absl::UnimplementedError("v1 parser not yet implemented"); }
}  // namespace schedcast::gotrace::v1
