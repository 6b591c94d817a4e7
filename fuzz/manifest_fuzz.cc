// libFuzzer target for the corpus manifest loader (common/manifest.h): any text is a Manifest or a
// BadInputError naming the file, never a crash or an escaping exception; a loaded manifest's index
// finds every test it lists.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto m = schedcast::ParseManifest(in, "fuzz.json");
  if (!m.ok()) {
    if (m.status().message().find("fuzz.json") == std::string_view::npos) std::abort();  // errors name the file
    return 0;
  }
  for (const auto& t : m->tests)
    if (m->Find(t.Program()) == nullptr) std::abort();
  return 0;
}
