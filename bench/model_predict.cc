// bench/model_predict.cc — predictions of a trained model vs the uniform anchor, same run.
//
// Reads the model file in $SCHEDCAST_MODEL and examples from $SCHEDCAST_DATA/test.jsonl (first
// 2000). BM_UniformPredict / BM_ModelPredict: each iteration predicts one example (cycling);
// BM_ModelPredictBatch/B: each iteration predicts the next B examples with one PredictBatch call
// (what eval does). items_per_second = examples/s. Single-threaded caller; pin libtorch to one core
// with OMP_NUM_THREADS=1 taskset -c 0 (bench/model_throughput.sh). bench/model_structured.sh trains
// the model and runs this. Not thread-safe (benchmark harness).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

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
  state.SetItemsProcessed(state.iterations());
}

void BM_UniformPredict(benchmark::State& state) {
  schedcast::model::UniformPredictor u;
  Run(state, u);
}

const schedcast::model::Predictor& Model() {
  static auto m = [] {
    const char* f = std::getenv("SCHEDCAST_MODEL");
    auto r = schedcast::model::Load(f ? f : "");
    if (!r.ok()) {
      std::cerr << "model_predict: " << r.status().message() << " (set SCHEDCAST_MODEL)\n";
      std::exit(2);
    }
    return std::move(*r);
  }();
  return *m;
}

void BM_ModelPredict(benchmark::State& state) {
  state.SetLabel(std::string(Model().kind()));
  Run(state, Model());
}

void BM_ModelPredictBatch(benchmark::State& state) {
  const auto& m = Model();
  const auto& xs = Examples();
  const size_t b = static_cast<size_t>(state.range(0));
  std::vector<const schedcast::data::Example*> ptrs;
  std::vector<std::vector<double>> ps;
  size_t i = 0;
  for (auto _ : state) {
    ptrs.clear();
    for (size_t k = 0; k < b; ++k, i = i + 1 == xs.size() ? 0 : i + 1) ptrs.push_back(&xs[i]);
    m.PredictBatch(ptrs, &ps);
    benchmark::DoNotOptimize(ps.data());
  }
  state.SetLabel(std::string(m.kind()));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(b));
}

BENCHMARK(BM_UniformPredict);
BENCHMARK(BM_ModelPredict);
BENCHMARK(BM_ModelPredictBatch)->Arg(32)->Arg(256)->Arg(1024);

// Before timing: PredictBatch (batches of 256) against Predict on every loaded example; prints the
// largest probability difference and fails (exit 1) above 1e-6. With $SCHEDCAST_PREDICTIONS_OUT set,
// writes the batched predictions there (one example per line, %.17g); with $SCHEDCAST_PREDICTIONS_REF
// set, compares them with such a file (another build's) and fails above 1e-6 as well.
int CheckBatchedEqualsOneAtATime() {
  const auto& m = Model();
  const auto& xs = Examples();
  double worst = 0, worst_ref = 0;
  size_t n = 0;
  const char* out_path = std::getenv("SCHEDCAST_PREDICTIONS_OUT");
  const char* ref_path = std::getenv("SCHEDCAST_PREDICTIONS_REF");
  std::ofstream out;
  std::ifstream ref;
  if (out_path) out.open(out_path);
  if (ref_path) {
    ref.open(ref_path);
    if (!ref) {
      std::cerr << "model_predict: cannot read " << ref_path << "\n";
      return 1;
    }
  }
  for (size_t i0 = 0; i0 < xs.size(); i0 += 256) {
    std::vector<const schedcast::data::Example*> ptrs;
    for (size_t i = i0; i < std::min(xs.size(), i0 + 256); ++i) ptrs.push_back(&xs[i]);
    std::vector<std::vector<double>> ps;
    m.PredictBatch(ptrs, &ps);
    for (size_t k = 0; k < ptrs.size(); ++k) {
      const std::vector<double> one = m.Predict(*ptrs[k]);
      if (one.size() != ps[k].size()) {
        std::cerr << "model_predict: batched and single predictions differ in length at example " << i0 + k << "\n";
        return 1;
      }
      for (size_t c = 0; c < one.size(); ++c) worst = std::max(worst, std::fabs(one[c] - ps[k][c]));
      if (out_path) {
        char buf[32];
        for (double p : ps[k]) std::snprintf(buf, sizeof buf, "%.17g ", p), out << buf;
        out << "\n";
      }
      if (ref_path) {
        std::string line;
        std::getline(ref, line);
        std::istringstream is(line);
        std::vector<double> r;
        for (double p; is >> p;) r.push_back(p);
        if (r.size() != ps[k].size()) {
          std::cerr << "model_predict: " << ref_path << " has " << r.size() << " probabilities for example "
                    << i0 + k << ", this build " << ps[k].size() << "\n";
          return 1;
        }
        for (size_t c = 0; c < r.size(); ++c) worst_ref = std::max(worst_ref, std::fabs(r[c] - ps[k][c]));
      }
      ++n;
    }
  }
  std::cerr << "model_predict: " << m.kind() << ": max |batched - one at a time| = " << worst << " over " << n
            << " examples\n";
  if (ref_path)
    std::cerr << "model_predict: " << m.kind() << ": max |this build - " << ref_path << "| = " << worst_ref << "\n";
  return worst <= 1e-6 && worst_ref <= 1e-6 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  if (CheckBatchedEqualsOneAtATime() != 0) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
