// model/neural_kind.cc — the neural kind's registry entry (registry.h), built with or without
// libtorch: its trainer and loader are the plugin's (neural_train.cc, neural_predictor.cc), or neural_stub.cc's FailedPrecondition.
#include "common/strings.h"
#include "data/program_facts.h"
#include "model/neural.h"
#include "model/registry.h"
#include "model/structured.h"

namespace schedcast::model {

ModelKind NeuralKind() {
  const NeuralOptions d;
  ModelKind k;
  k.name = "neural";
  k.summary = "GRU context encoder with candidate scoring (libtorch)";
  k.main_job_ce = true;
  k.options = LoopOptionSpecs(d);
  k.options.insert(k.options.end(), {
               {"device", "auto, cpu or cuda (auto = cuda when available)", d.device, {"auto", "cpu", "cuda"}},
               {"embed", "embedding size", d.embed},
               {"hidden", "GRU state size", d.hidden},
               {"context", "context tokens read", d.context},
               {"batch", "examples per Adam step", d.batch},
               {"threads", "libtorch threads", d.threads},
               {"epoch_examples", "at most this many training examples per epoch", d.epoch_examples},
               {"vocab_bits", "log2 of the hashed token vocabulary", d.vocab_bits},
               {"feature_bits", "log2 of the hashed structured-feature table", d.feature_bits},
               {"facts", Cat("program-fact groups used: all, none, or a comma list of ", data::FactGroupsJoined()), d.facts},
               {"fact_slots", "at most this many program facts per candidate", d.fact_slots}});
  k.train = [](const TrainInput& in, const nlohmann::json& o) -> absl::StatusOr<std::unique_ptr<ScoredPredictor>> {
    NeuralOptions opt;
    ReadLoopOptions(o, &opt);
    opt.device = o.at("device").get<std::string>();
    opt.embed = o.at("embed").get<int>();
    opt.hidden = o.at("hidden").get<int>();
    opt.context = o.at("context").get<int>();
    opt.batch = o.at("batch").get<int>();
    opt.threads = o.at("threads").get<int>();
    opt.epoch_examples = o.at("epoch_examples").get<int>();
    opt.vocab_bits = o.at("vocab_bits").get<int>();
    opt.feature_bits = o.at("feature_bits").get<int>();
    opt.facts = o.at("facts").get<std::string>();
    SC_RETURN_IF_ERROR(StructuredPredictor::CheckFacts(opt.facts));
    opt.fact_slots = o.at("fact_slots").get<int>();
    return TrainNeural(in.train, in.validation, in.objective, opt, in.progress);
  };
  k.load = [](const nlohmann::json& p) { return NeuralFromParams(p); };
  return k;
}

}  // namespace schedcast::model
