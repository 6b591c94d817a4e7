#include "eval/every_step.h"

#include <algorithm>
#include <span>

#include "eval/metric_json.h"

namespace schedcast::eval {

absl::StatusOr<Sums> ScoreEveryStep(const Row& row, const std::vector<HeldOutRun>& runs) {
  Sums out;
  for (const HeldOutRun& r : runs) {
    std::vector<std::vector<double>> ps;
    for (size_t i0 = 0; i0 < r.steps.size(); i0 += kPredictBatch) {
      const size_t n = std::min(kPredictBatch, r.steps.size() - i0);
      SC_RETURN_IF_ERROR(row.PredictBatch(std::span(r.steps).subspan(i0, n), 0, &ps));
      for (size_t k = 0; k < n; ++k) {
        const data::Example& ex = r.steps[i0 + k];
        const std::vector<double>& p = ps[k];
        const int label = ex.label_index();
        std::vector<double> onehot(p.size(), 0.0);
        onehot[label] = 1;
        out.Add(ScoreExample(p, label, onehot));
      }
    }
  }
  return out;
}

nlohmann::ordered_json EveryStepJson(const std::vector<Sums>& per_prog, size_t runs, const BootstrapOptions& bo) {
  nlohmann::ordered_json j;
  j["macro"] = MacroJson(per_prog, bo);
  j["pooled"] = PooledJson(per_prog, bo);
  j["runs"] = runs;
  double steps = 0;
  for (const Sums& s : per_prog) steps += s.n;
  j["steps"] = static_cast<uint64_t>(steps);
  return j;
}

}  // namespace schedcast::eval
