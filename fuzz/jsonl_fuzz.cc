// libFuzzer target for the dataset JSONL loader (data/example.h FromJson, as data::LoadExamples reads
// each line): any line is an Example or an error, never a crash or an escaping exception; an accepted
// example survives ToJson → FromJson unchanged in its candidates and targets.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "data/example.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    const size_t nl = in.find('\n');
    const std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    auto e = schedcast::data::FromJson(j);
    if (!e.ok()) continue;
    auto back = schedcast::data::FromJson(schedcast::data::ToJson(*e));
    if (!back.ok() || back->candidates != e->candidates || back->target_counts != e->target_counts) std::abort();
  }
  return 0;
}
