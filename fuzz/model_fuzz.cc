// libFuzzer target for the model file loader (model/io.h FromFileJson, what model::Load does after
// reading the file): any JSON is a predictor or an error, never a crash or an escaping exception; a
// loaded predictor gives finite probabilities summing to 1 on a small fixed example.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/io.h"

namespace {

const schedcast::data::Example& Probe() {
  static const schedcast::data::Example ex = [] {
    const nlohmann::json j = nlohmann::json::parse(
        R"({"candidates":["GoBlock(recv) T","GoCreate T>T.1","GoEnd T","GoStart T.0"],"config":"go1.19/p1",)"
        R"("context":["GoStart T","GoCreate T>T.0"],"context_total":2,"key":"prefix","label":"GoCreate T>T.1",)"
        R"("level":"goroutine","position":2,"program":"p.TestX","run_id":1,"split":"test",)"
        R"("state":"T.0:rdy T:run","target_counts":[1,5,0,1]})");
    auto e = schedcast::data::FromJson(j);
    if (!e.ok()) std::abort();
    return *e;
  }();
  return ex;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return 0;
  auto m = schedcast::model::FromFileJson(j);
  if (!m.ok()) return 0;
  const auto p = (*m)->Predict(Probe());
  double sum = 0;
  for (double x : p) {
    if (!std::isfinite(x) || x < 0) std::abort();
    sum += x;
  }
  if (p.size() != Probe().candidates.size() || std::fabs(sum - 1) > 1e-9) std::abort();
  return 0;
}
