#include "eval/every_step.h"

#include "eval/metric_json.h"

namespace schedcast::eval {

absl::StatusOr<Sums> ScoreEveryStep(const Row& row, const std::vector<HeldOutRun>& runs) {
  Sums out;
  for (const HeldOutRun& r : runs) {
    for (const data::Example& ex : r.steps) {
      SC_ASSIGN_OR_RETURN(std::vector<double> p, row.Predict(ex, 0));
      const int label = ex.label_index();
      std::vector<double> onehot(p.size(), 0.0);
      onehot[label] = 1;
      out.Add(ScoreExample(p, label, onehot));
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
