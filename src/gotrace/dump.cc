#include "gotrace/dump.h"

#include "gotrace/format.h"
#include "gotrace/v1/dump.h"
#include "gotrace/v2/dump.h"

namespace schedcast::gotrace {

absl::Status Dump(std::string_view data, std::ostream& out) {
  SC_ASSIGN_OR_RETURN(Header h, ParseHeader(data));
  return h.format == Format::kV1 ? v1::Dump(data, out) : v2::Dump(data, out);
}

absl::StatusOr<TraceStats> ComputeStats(std::string_view data) {
  SC_ASSIGN_OR_RETURN(Header h, ParseHeader(data));
  absl::StatusOr<TraceStats> s = h.format == Format::kV1 ? v1::ComputeStats(data) : v2::ComputeStats(data);
  if (s.ok()) s->bytes = data.size();
  return s;
}

}  // namespace schedcast::gotrace
