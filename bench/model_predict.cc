// bench/model_predict.cc — one prediction of a trained model vs the uniform anchor, same run.
//
// Reads the model file in $SCHEDCAST_MODEL and examples from $SCHEDCAST_DATA/test.jsonl (first
// 2000); each iteration predicts one example (cycling), single-threaded. bench/model_structured.sh
// trains the model and runs this. Not thread-safe (benchmark harness).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "data/dataset.h"
#include "model/io.h"
#include "model/uniform.h"

namespace {

const std::vector<schedcast::data::Example>& Examples() {
  static std::vector<schedcast::data::Example> xs = [] {
    const char* d = std::getenv("SCHEDCAST_DATA");
    auto ex = schedcast::data::LoadExamples(d ? d : "", "test");
    if (!ex.ok()) {
      std::cerr << "model_predict: " << ex.status().message() << " (set SCHEDCAST_DATA)\n";
      std::exit(2);
    }
    if (ex->size() > 2000) ex->resize(2000);
    return std::move(*ex);
  }();
  return xs;
}

void Run(benchmark::State& state, const schedcast::model::Predictor& m) {
  const auto& xs = Examples();
  size_t i = 0, cands = 0;
  for (auto _ : state) {
    auto p = m.Predict(xs[i]);
    benchmark::DoNotOptimize(p.data());
    cands += xs[i].candidates.size();
    if (++i == xs.size()) i = 0;
  }
  state.counters["candidates/pred"] = static_cast<double>(cands) / state.iterations();
}

void BM_UniformPredict(benchmark::State& state) {
  schedcast::model::UniformPredictor u;
  Run(state, u);
}

void BM_ModelPredict(benchmark::State& state) {
  static auto m = [] {
    const char* f = std::getenv("SCHEDCAST_MODEL");
    auto r = schedcast::model::Load(f ? f : "");
    if (!r.ok()) {
      std::cerr << "model_predict: " << r.status().message() << " (set SCHEDCAST_MODEL)\n";
      std::exit(2);
    }
    return std::move(*r);
  }();
  state.SetLabel(std::string(m->kind()));
  Run(state, *m);
}

BENCHMARK(BM_UniformPredict);
BENCHMARK(BM_ModelPredict);

}  // namespace

BENCHMARK_MAIN();
