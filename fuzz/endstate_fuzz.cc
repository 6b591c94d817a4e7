// libFuzzer target for the end-state goroutine dump parser (leaks/dump.h): any text gives an
// EndState or an error, never a crash or UB; every parsed goroutine is findable by its id, and
// WaitClassOf accepts every wait reason the parser returns.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "leaks/dump.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto st = schedcast::leaks::ParseEndState(in);
  if (!st.ok()) return 0;
  for (const auto& g : st->goroutines) {
    if (st->Find(g.id) == nullptr) std::abort();
    (void)schedcast::leaks::WaitClassOf(g.wait);
  }
  return 0;
}
