// Neural model tests on real collected runs (the build_corpus_dataset fixture's dataset): small, capped
// trainings with both objectives; distributions over the legal candidates only; the KL model beating uniform
// on test NLL; determinism for a seed; model-file round trip; errors for another parameter/format version;
// the `schedcast train --model neural` flags and `model eval`. In a build without libtorch, only the
// FailedPrecondition of the stub is checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "data/dataset.h"
#include "data/program_facts.h"
#include "model/io.h"
#include "model/metrics.h"
#include "model/neural.h"
#include "model/objective.h"
#include "model/train.h"
#include "model/model_checks.h"
#include "testutil.h"

namespace schedcast::model {
namespace {

// Small caps so the whole suite stays well under two minutes on two cores.
TrainOptions Small(const char* objective, uint64_t seed = 3) {
  TrainOptions o;
  o.model = "neural";
  o.objective = objective;
  o.seed = seed;
  o.options = {{"epochs", 2}, {"patience", 2},   {"embed", 16},   {"hidden", 32},          {"context", 16},
               {"batch", 32}, {"threads", 1},    {"device", "cpu"}, {"epoch_examples", 1500}, {"lr", 0.005}};
  return o;
}

class NeuralModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!NeuralAvailable()) return;  // every test skips (SetUp): load nothing
    dir_ = std::filesystem::temp_directory_path() / ("schedcast-neural-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    for (auto [split, v] : {std::pair{"train", &train_}, {"validation", &val_}, {"test", &test_}}) {
      auto ex = data::LoadExamples(SCHEDCAST_CORPUS_DATASET, split);
      ASSERT_TRUE(ex.ok()) << ex.status();
      *v = std::move(*ex);
    }
    ASSERT_GT(train_.size(), 500u);
    ASSERT_GT(test_.size(), 50u);
    std::vector<data::Example> every3rd;  // a third of the test split keeps each test process short
    for (size_t i = 0; i < test_.size(); i += 3) every3rd.push_back(std::move(test_[i]));
    test_ = std::move(every3rd);
    for (const char* obj : {"kl", "ce"}) {
      auto m = Train(train_, val_, Small(obj), nullptr);
      ASSERT_TRUE(m.ok()) << m.status();
      models_[obj] = std::move(*m);
    }
  }
  static void TearDownTestSuite() {
    models_.clear();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void SetUp() override {
    if (!NeuralAvailable()) GTEST_SKIP() << "built without libtorch";
  }
  static inline std::filesystem::path dir_;
  static inline std::vector<data::Example> train_, val_, test_;
  static inline std::map<std::string, std::unique_ptr<Predictor>> models_;
};

TEST(NeuralStub, WithoutLibtorchTrainingSaysSo) {
  if (NeuralAvailable()) GTEST_SKIP() << "built with libtorch";
  std::vector<data::Example> none;
  auto m = Train(none, none, Small("kl"), nullptr);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(m.status().message().find("libtorch"), std::string_view::npos) << m.status();
}

TEST_F(NeuralModel, ProbabilitiesAreOverTheLegalCandidatesOnlySumToOneAndIgnoreTheTarget) {
  ASSERT_EQ(models_.size(), 2u);
  for (const auto& [name, m] : models_) {
    EXPECT_EQ(m->kind(), "neural");
    EXPECT_EQ(m->meta().objective, name);
    for (const auto& ex : test_) {
      const std::vector<double> p = m->Predict(ex);
      ASSERT_EQ(p.size(), ex.candidates.size()) << name;
      double sum = 0;
      for (double x : p) {
        ASSERT_TRUE(std::isfinite(x) && x >= 0) << name << " " << ex.program << " @" << ex.position;
        sum += x;
      }
      if (!p.empty()) {
        ASSERT_NEAR(sum, 1.0, 1e-9) << name << " " << ex.program << " @" << ex.position;
      }
    }
  }
  // Predictions read neither the target nor the label.
  ExpectPredictionsIgnoreTargetAndLabel(models_, test_, 13, 5);
}

TEST_F(NeuralModel, KlModelBeatsUniformOnTestNll) {
  auto uni = Train(train_, val_, [] { TrainOptions o; o.model = "uniform"; return o; }(), nullptr);
  ASSERT_TRUE(uni.ok()) << uni.status();
  const KlObjective kl;
  const Metrics u = Evaluate(**uni, test_, kl), n = Evaluate(*models_["kl"], test_, kl);
  EXPECT_LT(n.nll, u.nll - 0.05) << "neural kl nll " << n.nll << " vs uniform " << u.nll;
  EXPECT_LT(n.kl, u.kl) << "neural kl " << n.kl << " vs uniform " << u.kl;
  EXPECT_GT(n.accuracy, u.accuracy) << "neural acc " << n.accuracy << " vs uniform " << u.accuracy;
}

// PredictBatch (one forward pass over many examples, what eval uses) gives the probabilities of
// Predict (one example at a time) on the whole (thinned) test split, in batches of several sizes,
// including examples without candidates and a temperature.
TEST_F(NeuralModel, BatchedPredictionsEqualOneAtATime) {
  for (const auto& [name, m] : models_) {
    auto* sm = dynamic_cast<ScoredPredictor*>(m.get());
    ASSERT_NE(sm, nullptr);
    for (double t : {1.0, 1.7}) {
      sm->set_temperature(t);
      std::vector<data::Example> xs = test_;
      xs.insert(xs.begin() + 1, data::Example());  // no candidates: no probabilities, as Predict gives
      // The reference, one example at a time (the network as trained), computed once for every batch size.
      std::vector<std::vector<double>> ones;
      for (const data::Example& x : xs) ones.push_back(m->Predict(x));
      for (size_t batch : {size_t{1}, size_t{7}, size_t{256}, xs.size()}) {
        size_t compared = 0;
        for (size_t i0 = 0; i0 < xs.size(); i0 += batch) {
          std::vector<const data::Example*> ptrs;
          for (size_t i = i0; i < std::min(xs.size(), i0 + batch); ++i) ptrs.push_back(&xs[i]);
          std::vector<std::vector<double>> ps;
          m->PredictBatch(ptrs, &ps);
          ASSERT_EQ(ps.size(), ptrs.size());
          for (size_t k = 0; k < ptrs.size(); ++k) {
            const std::vector<double>& one = ones[i0 + k];
            ASSERT_EQ(ps[k].size(), one.size()) << name << " example " << i0 + k;
            for (size_t c = 0; c < one.size(); ++c)
              ASSERT_NEAR(ps[k][c], one[c], 1e-6) << name << " T=" << t << " batch " << batch << " example " << i0 + k;
            compared += !one.empty();
          }
        }
        EXPECT_EQ(compared, static_cast<size_t>(std::count_if(test_.begin(), test_.end(), [](const data::Example& e) {
                              return !e.candidates.empty();
                            })));
      }
    }
    sm->set_temperature(1.0);
  }
}

TEST_F(NeuralModel, DeterministicForASeed) {
  auto again = Train(train_, val_, Small("kl"), nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
  for (size_t i = 0; i < test_.size(); i += 3) EXPECT_EQ(models_["kl"]->Predict(test_[i]), (*again)->Predict(test_[i]));
  EXPECT_EQ(ToFileJson(*models_["kl"])["params"], ToFileJson(**again)["params"]);
  // Another seed gives another model.
  auto other = Train(train_, val_, Small("kl", 4), nullptr);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(ToFileJson(*models_["kl"])["params"], ToFileJson(**other)["params"]);
}

TEST_F(NeuralModel, SaveLoadRoundTripIsExactAndOtherVersionsAreClearErrors) {
  for (const auto& [name, m] : models_) {
    const std::string path = (dir_ / ("n-" + name + ".json")).string();
    ASSERT_TRUE(Save(*m, path).ok());
    auto back = Load(path, "neural");
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ((*back)->kind(), "neural");
    EXPECT_EQ((*back)->meta().objective, name);
    EXPECT_EQ((*back)->meta().hyper.value("hidden", 0), 32);
    for (const auto& ex : test_) ASSERT_EQ(m->Predict(ex), (*back)->Predict(ex)) << name;
  }
  // Another parameter or format version, broken weights, a config that does not fit the weights.
  nlohmann::json j = ToFileJson(*models_["kl"]);
  auto write = [&](const nlohmann::json& x, const std::string& name) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << x.dump();
    return path;
  };
  nlohmann::json v = j;
  v["params"]["version"] = kNeuralParamsVersion + 1;
  auto r = Load(write(v, "pv.json"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("parameter version"), std::string_view::npos) << r.status();
  EXPECT_NE(r.status().message().find("pv.json"), std::string_view::npos) << r.status();
  v = j;
  v["version"] = kModelFormatVersion + 1;
  r = Load(write(v, "fv.json"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("model format version"), std::string_view::npos) << r.status();
  v = j;
  v["params"]["tensors"]["gru.weight_hh_l0"]["f32"] = "AAAA";
  r = Load(write(v, "bad.json"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("gru.weight_hh_l0"), std::string_view::npos) << r.status();
  v = j;
  v["params"]["config"]["hidden"] = 33;
  r = Load(write(v, "shape.json"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("wrong shape"), std::string_view::npos) << r.status();
}

// Program facts (data/program_facts.h) are candidate features (parameter version 2): the model file
// records the groups and the slots; predictions move when an example's facts are taken away; a
// file of parameter version 1 (no facts fields) still loads and reads the facts version 1 read.
TEST_F(NeuralModel, ProgramFactsAreFeaturesAndVersion1FilesStillLoad) {
  const nlohmann::json j = ToFileJson(*models_["kl"]);
  ASSERT_EQ(j["params"]["version"], 2);
  // "all" is written out as today's groups; a file that says "all" predates the wake group.
  EXPECT_EQ(j["params"]["config"]["facts"], "next,partner,loop,create,buffer,wake,walk,runq");
  const int slots = j["params"]["config"]["fact_slots"].get<int>();
  EXPECT_GT(slots, 0) << "the corpus dataset carries facts (its store holds source indexes)";
  size_t with_facts = 0, changed = 0;
  for (data::Example e : test_) {
    bool any = false;
    for (const auto& f : e.facts) any |= !f.empty();
    if (!any) continue;
    ++with_facts;
    const std::vector<double> with = models_["kl"]->Predict(e);
    e.facts.clear();
    const std::vector<double> without = models_["kl"]->Predict(e);
    for (size_t i = 0; i < with.size(); ++i)
      if (std::abs(with[i] - without[i]) > 1e-3) {
        ++changed;
        break;
      }
  }
  ASSERT_GT(with_facts, 20u);
  EXPECT_GT(changed, with_facts / 2) << changed << " of " << with_facts;

  // The same weights as a version-1 file: the config without facts/fact_slots. Version 1 read the
  // groups next,partner,loop,create (no buffer, wake, walk or runq).
  nlohmann::json v1 = j;
  v1["params"]["version"] = 1;
  v1["params"]["config"].erase("facts");
  v1["params"]["config"].erase("fact_slots");
  const std::string path = (dir_ / "v1.json").string();
  std::ofstream(path) << v1.dump();
  auto old = Load(path);
  ASSERT_TRUE(old.ok()) << old.status();
  // Where an example carries facts of the later groups, the model without them predicts as the
  // old file does with them.
  auto without = [](data::Example e, std::initializer_list<std::string_view> groups) {
    size_t gone = 0;
    for (auto& per : e.facts)
      gone += std::erase_if(per, [&](const std::string& f) {
        return std::find(groups.begin(), groups.end(), data::FactGroup(f)) != groups.end();
      });
    return std::make_pair(e, gone);
  };
  size_t stripped = 0;
  for (const data::Example& e : test_) {
    const auto [older, gone] = without(e, {"buffer", "wake", "walk", "runq"});
    stripped += gone > 0;
    ASSERT_EQ(models_["kl"]->Predict(older), (*old)->Predict(e)) << e.program << " @" << e.position;
  }
  EXPECT_GT(stripped, 0u);
  // A file written before the wake group with "all" reads the groups "all" meant then: it predicts
  // as the model does without the wake, walk and runq facts.
  nlohmann::json all = j;
  all["params"]["config"]["facts"] = "all";
  std::ofstream(dir_ / "all.json") << all.dump();
  auto before = Load((dir_ / "all.json").string());
  ASSERT_TRUE(before.ok()) << before.status();
  size_t no_wake = 0;
  for (const data::Example& e : test_) {
    const auto [older, gone] = without(e, {"wake", "walk", "runq"});
    no_wake += gone > 0;
    ASSERT_EQ(models_["kl"]->Predict(older), (*before)->Predict(e)) << e.program << " @" << e.position;
  }
  EXPECT_GT(no_wake, 0u);
  // A version-2 file without the facts fields is refused naming the version and the fields.
  nlohmann::json broken = j;
  broken["params"]["config"].erase("fact_slots");
  std::ofstream(dir_ / "v2broken.json") << broken.dump();
  auto r = Load((dir_ / "v2broken.json").string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("parameter version 2"), std::string_view::npos) << r.status();
  EXPECT_NE(r.status().message().find("fact_slots"), std::string_view::npos) << r.status();
}

TEST_F(NeuralModel, CliTrainsAndEvaluates) {
  const std::string out = (dir_ / "cli.json").string();
  auto r = testutil::RunCommand({SCHEDCAST_BIN, "train", "--data", SCHEDCAST_CORPUS_DATASET, "--model", "neural",
                                 "--objective", "ce", "--out", out, "--epochs", "1", "--epoch-examples", "600",
                                 "--embed", "8", "--hidden", "16", "--context", "8", "--batch", "16", "--threads", "1",
                                 "--device", "cpu", "--temperature"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("epoch 1:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("temperature:"), std::string::npos) << r.err;
  r = testutil::RunCommand({SCHEDCAST_BIN, "model", "eval", out, "--data", SCHEDCAST_CORPUS_DATASET});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("acc "), std::string::npos) << r.out;
  auto m = Load(out);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ((*m)->meta().hyper.value("context", 0), 8);
  EXPECT_FALSE((*m)->meta().data_hash.empty());
}

// libtorch lives in the plugin libschedcast_neural.so: a command that never touches a neural model
// does not load it (it cost ~160 MB of RSS and the start-up of every command); one that loads a
// neural model does; a missing plugin is a clear error naming the path and the variable.
TEST_F(NeuralModel, LibtorchIsLoadedOnlyWhenANeuralModelIsUsed) {
  const std::string trace = std::string(SCHEDCAST_TRACE_DIR) + "/select-go1.23-p1.trace";
  auto r = testutil::RunCommand({SCHEDCAST_BIN, "trace", "stats", trace}, {"LD_DEBUG=files"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("libsqlite3"), std::string::npos) << "LD_DEBUG listed no libraries:\n" << r.err;
  EXPECT_EQ(r.err.find("libtorch"), std::string::npos) << "trace stats loaded libtorch";
  EXPECT_EQ(r.err.find("libschedcast_neural"), std::string::npos);

  const std::string file = (dir_ / "plugin.json").string();
  ASSERT_TRUE(Save(*models_["kl"], file).ok());
  r = testutil::RunCommand({SCHEDCAST_BIN, "model", "eval", file, "--data", SCHEDCAST_CORPUS_DATASET, "--split",
                            "validation"},
                           {"LD_DEBUG=files"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("libschedcast_neural.so"), std::string::npos);
  EXPECT_NE(r.err.find("libtorch"), std::string::npos);
  EXPECT_NE(r.out.find("acc "), std::string::npos) << r.out;

  r = testutil::RunCommand({SCHEDCAST_BIN, "model", "eval", file, "--data", SCHEDCAST_CORPUS_DATASET},
                           {"SCHEDCAST_NEURAL_PLUGIN=/nonexistent/libschedcast_neural.so"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/nonexistent/libschedcast_neural.so: not found"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SCHEDCAST_NEURAL_PLUGIN"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace schedcast::model
