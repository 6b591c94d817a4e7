#include "gotrace/dump.h"

#include "gotrace/format.h"
#include "gotrace/v1/dump.h"
#include "gotrace/v2/dump.h"
#include "gotrace/v2/text.h"

#include <fstream>

namespace schedcast::gotrace {

absl::Status Dump(std::string_view data, std::ostream& out) {
  SC_ASSIGN_OR_RETURN(Header h, ParseHeader(data));
  return h.format == Format::kV1 ? v1::Dump(data, out) : v2::Dump(data, out);
}

absl::Status DumpFile(const std::string& path, std::ostream& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(Cat(path, ": cannot open"));
  char head[kHeaderSize];
  in.read(head, sizeof head);
  const std::string_view h(head, static_cast<size_t>(in.gcount()));
  auto header = ParseHeader(h);
  if (header.ok() && header->format == Format::kV2) return WithContext(v2::DumpFile(path, out), path);
  SC_ASSIGN_OR_RETURN(std::string data, ReadFileToString(path));
  return WithContext(Dump(data, out), path);
}

absl::StatusOr<TraceStats> ComputeStats(std::string_view data) {
  SC_ASSIGN_OR_RETURN(Header h, ParseHeader(data));
  absl::StatusOr<TraceStats> s = h.format == Format::kV1 ? v1::ComputeStats(data) : v2::ComputeStats(data);
  if (s.ok()) s->bytes = data.size();
  return s;
}

}  // namespace schedcast::gotrace
