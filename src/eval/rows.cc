#include "eval/rows.h"

#include <filesystem>
#include <map>
#include <set>

#include "eval/eval.h"
#include "model/io.h"
#include "model/uniform.h"

namespace schedcast::eval {

namespace {

std::string Stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

absl::Status NameRows(std::vector<Row>& rows) {
  std::map<std::string, int> uses;
  for (const Row& r : rows) ++uses[r.name];
  std::set<std::string> taken;
  for (Row& r : rows) {
    if (uses[r.name] > 1 && r.source == "model") r.name = Stem(r.file);
    if (!taken.insert(r.name).second)
      return absl::InvalidArgumentError(Cat("two evaluated rows are both named '", r.name,
                                            "' (rename a file or give --name)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<double>> Row::Predict(const data::Example& ex, size_t i) const {
  std::vector<double> p;
  if (source == "oracle") p = ex.target();
  else if (preds) p = preds->probs[i] ? *preds->probs[i] : std::vector<double>(ex.candidates.size(), 1.0 / ex.candidates.size());
  else p = model->Predict(ex);
  if (p.size() != ex.candidates.size())
    return absl::InternalError(Cat(name, ": ", p.size(), " probabilities for ", ex.candidates.size(), " candidates (",
                                   ex.program, " run ", ex.run_id, " position ", ex.position, ")"));
  return p;
}

absl::Status Row::PredictBatch(std::span<const data::Example> xs, size_t first,
                              std::vector<std::vector<double>>* out) const {
  out->resize(xs.size());
  if (source == "oracle" || preds || !model) {
    for (size_t k = 0; k < xs.size(); ++k) {
      SC_ASSIGN_OR_RETURN((*out)[k], Predict(xs[k], first + k));
    }
    return absl::OkStatus();
  }
  std::vector<const data::Example*> ptrs(xs.size());
  for (size_t k = 0; k < xs.size(); ++k) ptrs[k] = &xs[k];
  model->PredictBatch(ptrs, out);
  for (size_t k = 0; k < xs.size(); ++k)
    if ((*out)[k].size() != xs[k].candidates.size())
      return absl::InternalError(Cat(name, ": ", (*out)[k].size(), " probabilities for ", xs[k].candidates.size(),
                                     " candidates (", xs[k].program, " run ", xs[k].run_id, " position ",
                                     xs[k].position, ")"));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Row>> MakeRows(const std::vector<std::string>& models,
                                          const std::vector<PredictionsFile>& predictions,
                                          const std::vector<data::Example>& examples) {
  std::vector<Row> rows;
  for (const auto& path : models) {
    SC_ASSIGN_OR_RETURN(auto m, model::Load(path));
    Row r;
    r.kind = std::string(m->kind());
    r.objective = m->meta().objective;
    r.name = r.objective.empty() ? r.kind : Cat(r.kind, "-", r.objective);
    r.file = path;
    r.source = "model";
    if (!m->meta().level.empty() && !examples.empty() && m->meta().level != examples[0].level)
      return BadInputError(Cat(path, ": model was trained on level '", m->meta().level,
                                            "' but the dataset has level '", examples[0].level, "'"));
    r.model = std::move(m);
    rows.push_back(std::move(r));
  }
  for (const auto& pf : predictions) {
    SC_ASSIGN_OR_RETURN(Predictions preds, ReadPredictions(pf.path, examples));
    Row r;
    r.name = pf.name.empty() ? Stem(pf.path) : pf.name;
    r.kind = "predictions";
    r.file = pf.path;
    r.source = "predictions";
    r.preds = std::move(preds);
    rows.push_back(std::move(r));
  }
  Row o;
  o.name = o.kind = "oracle";
  o.source = "oracle";
  rows.push_back(std::move(o));
  Row u;
  u.name = u.kind = "uniform";
  u.source = "baseline";
  u.model = std::make_unique<model::UniformPredictor>();
  rows.push_back(std::move(u));
  SC_RETURN_IF_ERROR(NameRows(rows));
  return rows;
}

}  // namespace schedcast::eval
