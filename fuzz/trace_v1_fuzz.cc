// libFuzzer target for the old-format (Go <= 1.21) trace parser alone: any byte string given to
// gotrace/v1 must give a dump or an error naming a byte offset — never a crash, leak, hang or UB.
// (trace_fuzz goes through the header dispatch; this one skips it, so mutations stay in v1.)
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "gotrace/v1/dump.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::ostringstream sink;
  absl::Status s = schedcast::gotrace::v1::Dump(in, sink);
  if (!s.ok() && s.message().substr(0, 7) != "offset ") std::abort();  // every error names an offset
  (void)schedcast::gotrace::v1::ComputeStats(in);
  return 0;
}
