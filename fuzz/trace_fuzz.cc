// libFuzzer target for the trace parsers: any byte string must give a dump or an error that names
// a byte offset — never a crash, leak, hang or UB. Built with clang, -fsanitize=fuzzer,address,undefined.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "gotrace/dump.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::ostringstream sink;
  absl::Status s = schedcast::gotrace::Dump(in, sink);
  if (!s.ok() && s.message().substr(0, 7) != "offset ") std::abort();  // every error names an offset
  (void)schedcast::gotrace::ComputeStats(in);
  return 0;
}
