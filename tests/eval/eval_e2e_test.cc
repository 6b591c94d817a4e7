// `schedcast eval` end to end on the dataset the build_corpus_dataset fixture made from real runs
// (prefix key, goroutine level): freq models trained with the CLI (KL and CE), the eval JSON
// contract (rows, intervals, 15 reliability bins, breakdowns, comparison, programs with samples),
// the oracle ceiling, the uniform baseline below freq, rollouts through the state machine from the
// fixture store (legality 1, TV in [0, 1]) with their sampling floor and survival, macro metrics
// (the mean of the per-program accuracies), the uncertain slice, every-step likelihood on the
// held-out runs, the source paper's protocol, families by folder, and a predictions file written
// from the prompt export that scores exactly like the model it was written from, as do the ones
// `--write-predictions` writes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

#include "common/status.h"
#include "data/dataset.h"
#include "eval/held_out_runs.h"
#include "model/io.h"
#include "nlohmann/json.hpp"
#include "testutil.h"

namespace schedcast::eval {
namespace {

using testutil::RunCommand;

class EvalE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("schedcast-eval-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::vector<std::string> argv = {SCHEDCAST_BIN, "eval", "--data", SCHEDCAST_CORPUS_DATASET};
    for (const char* kind : {"freq", "structured"})
      for (const char* obj : {"kl", "ce"}) {
        const std::string out = (dir_ / Cat(kind, "-", obj, ".json")).string();
        auto r = RunCommand({SCHEDCAST_BIN, "train", "--data", SCHEDCAST_CORPUS_DATASET, "--model", kind, "--objective",
                             obj, "--out", out});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        argv.insert(argv.end(), {"--model", out});
      }
    json_path_ = (dir_ / "eval.json").string();
    argv.insert(argv.end(), {"--store", SCHEDCAST_CORPUS_DB, "--bootstrap", "200", "--rollout-starts", "24",
                             "--rollout-samples", "16", "--every-step", "--protocol", "paper", "--family-by", "dir",
                             "--json", json_path_});
    auto r = RunCommand(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    text_ = r.out;
    auto t = ReadFileToString(json_path_);
    ASSERT_TRUE(t.ok()) << t.status();
    out_ = nlohmann::json::parse(*t);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static const nlohmann::json& Row(const std::string& name) {
    for (const auto& m : out_["models"])
      if (m["name"] == name) return m;
    static const nlohmann::json none;
    ADD_FAILURE() << "no row " << name;
    return none;
  }

  static inline std::filesystem::path dir_;
  static inline std::string json_path_, text_;
  static inline nlohmann::json out_;
};

TEST_F(EvalE2E, ContractAndRows) {
  EXPECT_EQ(out_["format"], "schedcast-eval");
  EXPECT_EQ(out_["version"], 1);
  EXPECT_EQ(out_["data"]["split"], "test");
  EXPECT_EQ(out_["data"]["key"], "prefix");
  const size_t n = out_["data"]["examples"].get<size_t>();
  ASSERT_GT(n, 50u);
  std::vector<std::string> names;
  for (const auto& m : out_["models"]) names.push_back(m["name"].get<std::string>());
  EXPECT_EQ(names, (std::vector<std::string>{"freq-kl", "freq-ce", "structured-kl", "structured-ce", "oracle", "uniform"}));
  size_t test_programs = 0;
  for (const auto& p : out_["programs"]) test_programs += p["examples"].get<size_t>() > 0;
  EXPECT_EQ(out_["dataset"]["splits"]["test"]["programs"].get<size_t>(), test_programs);
  EXPECT_EQ(out_["dataset"]["splits"]["test"]["examples"].get<size_t>(), n);
  for (const auto& m : out_["models"]) {
    SCOPED_TRACE(m["name"].get<std::string>());
    EXPECT_EQ(m["overall"]["n"].get<size_t>(), n);
    for (const char* k : {"accuracy", "top3", "mode_agreement", "nll", "brier", "ece", "kl"}) {
      const auto& v = m["overall"][k];
      ASSERT_TRUE(v.contains("value") && v.contains("lo") && v.contains("hi")) << k;
      EXPECT_LE(v["lo"].get<double>(), v["hi"].get<double>()) << k;
    }
    const double acc = m["overall"]["accuracy"]["value"];
    EXPECT_GE(acc, m["overall"]["accuracy"]["lo"].get<double>());
    EXPECT_LE(acc, m["overall"]["accuracy"]["hi"].get<double>());
    EXPECT_LE(acc, m["overall"]["top3"]["value"].get<double>());
    ASSERT_EQ(m["reliability"].size(), 15u);
    size_t count = 0;
    for (const auto& b : m["reliability"]) count += b["count"].get<size_t>();
    EXPECT_EQ(count, n);
    // Breakdowns partition the examples (category, bug/correct, the label's event kind); primitives
    // may overlap.
    for (const char* by : {"category", "bug", "label"}) {
      size_t sum = 0;
      for (const auto& [k, g] : m["breakdown"][by].items()) sum += g["n"].get<size_t>();
      EXPECT_EQ(sum, n) << by;
    }
    EXPECT_TRUE(m["breakdown"]["bug"].contains("bug"));      // the fixture has leak kernels ...
    EXPECT_TRUE(m["breakdown"]["bug"].contains("correct"));  // ... and correct channel programs
    EXPECT_FALSE(m["breakdown"]["category"].contains("unknown"));
    EXPECT_FALSE(m["breakdown"]["primitive"].empty());
    // Every run starts with its test goroutine's GoStart; label kinds carry no reason or goroutine.
    ASSERT_TRUE(m["breakdown"]["label"].contains("GoStart")) << m["breakdown"]["label"].dump();
    for (const auto& [k, g] : m["breakdown"]["label"].items()) {
      EXPECT_EQ(k.find_first_of(" ("), std::string::npos) << k;
      EXPECT_GE(g["programs"].get<size_t>(), 1u) << k;
      EXPECT_GE(g["macro_accuracy"].get<double>(), 0.0) << k;
      EXPECT_LE(g["macro_accuracy"].get<double>(), 1.0) << k;
    }
    if (m["name"] == "oracle") {  // the ceiling is near-perfect on the (mostly deterministic) starts
      EXPECT_GT(m["breakdown"]["label"]["GoStart"]["accuracy"].get<double>(), 0.9);
    }
  }
  EXPECT_EQ(Row("oracle")["source"], "oracle");
  EXPECT_EQ(Row("uniform")["source"], "baseline");
  EXPECT_EQ(Row("freq-kl")["source"], "model");
  EXPECT_NE(text_.find("KL vs CE"), std::string::npos) << text_;
}

TEST_F(EvalE2E, OracleIsTheCeilingOnThePrefixKeyAndUniformIsBelowFreq) {
  const double oracle = Row("oracle")["overall"]["accuracy"]["value"];
  for (const auto& m : out_["models"]) {
    const double acc = m["overall"]["accuracy"]["value"];
    EXPECT_LE(acc, oracle + 1e-12) << m["name"];
    EXPECT_NEAR(m["gap_to_oracle"]["accuracy"].get<double>(), acc - oracle, 1e-12) << m["name"];
  }
  EXPECT_DOUBLE_EQ(Row("oracle")["overall"]["mode_agreement"]["value"].get<double>(), 1.0);
  // The uniform baseline is below the trained models: on NLL and KL for both kinds (freq only learns
  // token-type frequencies, so its accuracy on held-out programs is close to uniform's first-candidate
  // guess), and on accuracy for structured.
  for (const char* name : {"freq-kl", "freq-ce", "structured-kl", "structured-ce"}) {
    EXPECT_GT(Row("uniform")["overall"]["nll"]["value"].get<double>(), Row(name)["overall"]["nll"]["value"].get<double>() + 0.1) << name;
    EXPECT_GT(Row("uniform")["overall"]["kl"]["value"].get<double>(), Row(name)["overall"]["kl"]["value"].get<double>() + 0.1) << name;
  }
  EXPECT_LT(Row("uniform")["overall"]["accuracy"]["value"].get<double>() + 0.1,
            Row("structured-kl")["overall"]["accuracy"]["value"].get<double>());
  ASSERT_EQ(out_["comparison"].size(), 2u);
  EXPECT_EQ(out_["comparison"][0]["kind"], "freq");
  EXPECT_EQ(out_["comparison"][1]["kind"], "structured");
  EXPECT_EQ(out_["comparison"][0]["kl"]["accuracy"], Row("freq-kl")["overall"]["accuracy"]["value"]);
  EXPECT_EQ(out_["comparison"][0]["ce"]["ece"], Row("freq-ce")["overall"]["ece"]["value"]);
}

TEST_F(EvalE2E, ProgramsCarrySamplesWithEveryRowsPrediction) {
  ASSERT_EQ(out_["programs"].size(), out_["data"]["programs"].get<size_t>());
  size_t examples = 0;
  for (const auto& p : out_["programs"]) {
    SCOPED_TRACE(p["program"].get<std::string>());
    examples += p["examples"].get<size_t>();
    EXPECT_FALSE(p["slug"].get<std::string>().empty());
    EXPECT_EQ(p["slug"].get<std::string>().find('/'), std::string::npos);
    EXPECT_TRUE(p["accuracy"].contains("oracle"));
    ASSERT_GE(p["samples"].size(), 1u);
    ASSERT_LE(p["samples"].size(), 3u);
    for (const auto& s : p["samples"]) {
      const size_t k = s["candidates"].size();
      EXPECT_EQ(s["target"].size(), k);
      for (const auto& [name, probs] : s["predictions"].items()) EXPECT_EQ(probs.size(), k) << name;
      EXPECT_EQ(s["predictions"]["oracle"], s["target"]);
    }
  }
  EXPECT_EQ(examples, out_["data"]["examples"].get<size_t>());
}

TEST_F(EvalE2E, RolloutsStayLegalAndTvIsADistance) {
  ASSERT_TRUE(out_["rollouts"]["computed"].get<bool>()) << out_["rollouts"];
  for (const char* name : {"freq-kl", "freq-ce", "structured-kl", "structured-ce", "uniform"}) {
    const auto& r = Row(name)["rollouts"];
    ASSERT_EQ(r.size(), 10u) << name;
    for (const auto& p : r) {
      SCOPED_TRACE(Cat(name, " k=", p["k"].get<int>()));
      EXPECT_GT(p["n"].get<int>(), 0);
      EXPECT_GT(p["sampled_steps"].get<int>(), 0);
      EXPECT_DOUBLE_EQ(p["legality"].get<double>(), 1.0);
      EXPECT_GE(p["tv"].get<double>(), 0.0);
      EXPECT_LE(p["tv"].get<double>(), 1.0);
      EXPECT_LE(p["tv_lo"].get<double>(), p["tv_hi"].get<double>());
    }
    // Longer continuations are harder to match: TV at k=10 is at least TV at k=1.
    EXPECT_GE(r[9]["tv"].get<double>(), r[0]["tv"].get<double>()) << name;
  }
  // The oracle row is the sampling floor: TV between two halves of the held-out continuations.
  const auto& o = Row("oracle")["rollouts"];
  ASSERT_EQ(o.size(), 10u);
  for (const auto& p : o) {
    EXPECT_GT(p["floor_n"].get<int>(), 0);
    EXPECT_DOUBLE_EQ(p["tv"].get<double>(), p["floor"].get<double>());
    EXPECT_GE(p["floor"].get<double>(), 0.0);
    EXPECT_LE(p["floor"].get<double>(), 1.0);
  }
  const int K = out_["rollouts"]["max_k"];
  for (const char* name : {"freq-kl", "structured-kl", "uniform", "oracle"}) {
    const auto& row = Row(name);
    const double sv = row["rollout_survival"];
    EXPECT_GE(sv, 0.0) << name;
    EXPECT_LE(sv, K) << name;
    for (const auto& p : row["rollouts"]) {
      if (row["source"] == "oracle") continue;
      EXPECT_EQ(p["floor_n"], o[p["k"].get<int>() - 1]["floor_n"]) << name;  // the same starts as the floor
      EXPECT_NEAR(p["floor"].get<double>(), o[p["k"].get<int>() - 1]["floor"].get<double>(), 1e-12) << name;
      EXPECT_NEAR(p["above_floor"].get<double>(), p["tv_half"].get<double>() - p["floor"].get<double>(), 1e-9) << name;
      EXPECT_LE(p["above_lo"].get<double>(), p["above_hi"].get<double>()) << name;
    }
  }
  // Uniform wanders off the observed continuations sooner than a trained model.
  EXPECT_LT(Row("uniform")["rollout_survival"].get<double>(), Row("structured-kl")["rollout_survival"].get<double>());
}

TEST_F(EvalE2E, MacroWeighsEveryProgramOnce) {
  const size_t n = out_["data"]["examples"], programs = out_["data"]["programs"];
  for (const auto& m : out_["models"]) {
    const std::string name = m["name"];
    SCOPED_TRACE(name);
    ASSERT_TRUE(m.contains("macro"));
    EXPECT_EQ(m["macro"]["n"].get<size_t>(), n);
    EXPECT_EQ(m["macro"]["programs"].get<size_t>(), programs);
    for (const char* k : {"accuracy", "top3", "mode_agreement", "nll", "brier", "ece", "kl"})
      EXPECT_LE(m["macro"][k]["lo"].get<double>(), m["macro"][k]["hi"].get<double>()) << k;
    // Macro accuracy is the plain mean of the per-program accuracies in "programs".
    double sum = 0;
    for (const auto& p : out_["programs"]) sum += p["accuracy"][name].get<double>();
    EXPECT_NEAR(m["macro"]["accuracy"]["value"].get<double>(), sum / programs, 1e-12);
    EXPECT_NEAR(m["gap_to_oracle"]["macro_accuracy"].get<double>(),
                m["macro"]["accuracy"]["value"].get<double>() - Row("oracle")["macro"]["accuracy"]["value"].get<double>(),
                1e-12);
  }
  // The terminal table leads with macro.
  const size_t macro_at = text_.find("per program (macro"), pooled_at = text_.find("pooled (every example");
  ASSERT_NE(macro_at, std::string::npos) << text_;
  ASSERT_NE(pooled_at, std::string::npos) << text_;
  EXPECT_LT(macro_at, pooled_at);
}

// The every-step likelihood and the paper protocol score examples rebuilt from the store: they must
// be the dataset's own at the same (run, position) — program facts included, else a model trained
// with facts is scored without them.
TEST_F(EvalE2E, HeldOutStepsAreTheDatasetsExamplesFactsIncluded) {
  auto examples = data::LoadExamples(SCHEDCAST_CORPUS_DATASET, "test");
  ASSERT_TRUE(examples.ok()) << examples.status();
  std::map<std::pair<int64_t, uint64_t>, const data::Example*> at;
  std::vector<std::string> programs;
  for (const auto& e : *examples) {
    at[{e.run_id, e.position}] = &e;
    if (programs.empty() || programs.back() != e.program) programs.push_back(e.program);
  }
  auto meta = ReadFileToString(std::string(SCHEDCAST_CORPUS_DATASET) + "/meta.json");
  ASSERT_TRUE(meta.ok()) << meta.status();
  eval::HeldOutOptions opt;
  opt.store = SCHEDCAST_CORPUS_DB;
  opt.meta = nlohmann::json::parse(*meta);
  opt.max_runs_per_program = 2;
  size_t compared = 0, with_facts = 0;
  std::vector<std::string> notes;
  absl::Status st = eval::ForEachHeldOutProgram(programs, opt, &notes, [&](size_t, const std::vector<eval::HeldOutRun>& runs) {
    for (const auto& r : runs)
      for (const auto& step : r.steps) {
        auto it = at.find({step.run_id, step.position});
        if (it == at.end()) continue;
        ++compared;
        EXPECT_EQ(step.candidates, it->second->candidates) << step.program << " run " << step.run_id;
        EXPECT_EQ(step.label, it->second->label);
        EXPECT_EQ(step.facts, it->second->facts) << step.program << " run " << step.run_id << " step " << step.position;
        with_facts += !step.facts.empty();
      }
    return absl::OkStatus();
  });
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_GT(compared, 100u);
  EXPECT_GT(with_facts, compared / 2) << "the fixture store holds the corpus packages' source indexes";
}

TEST_F(EvalE2E, UncertainSliceIsTheMultiOutcomeTargets) {
  auto examples = data::LoadExamples(SCHEDCAST_CORPUS_DATASET, "test");
  ASSERT_TRUE(examples.ok()) << examples.status();
  size_t uncertain = 0;
  std::map<std::string, size_t> per_prog;
  for (const auto& e : *examples) {
    int outcomes = 0;
    for (uint64_t c : e.target_counts) outcomes += c > 0;
    if (outcomes >= 2) ++uncertain, ++per_prog[e.program];
  }
  ASSERT_GT(uncertain, 0u) << "the fixture should have examples where runs diverge";
  for (const auto& m : out_["models"]) {
    SCOPED_TRACE(m["name"].get<std::string>());
    const auto& u = m["uncertain"];
    EXPECT_EQ(u["pooled"]["n"].get<size_t>(), uncertain);
    EXPECT_EQ(u["macro"]["programs"].get<size_t>(), per_prog.size());
    EXPECT_NEAR(u["share"].get<double>(), static_cast<double>(uncertain) / examples->size(), 1e-12);
    EXPECT_DOUBLE_EQ(u["share"].get<double>(), out_["dataset"]["uncertain_fraction"].get<double>());
    EXPECT_EQ(u["oracle"]["macro_accuracy"], Row("oracle")["uncertain"]["macro"]["accuracy"]["value"]);
  }
  // On the slice the oracle is no longer near 1: the next event really is uncertain there.
  EXPECT_LT(Row("oracle")["uncertain"]["pooled"]["accuracy"]["value"].get<double>(),
            Row("oracle")["overall"]["accuracy"]["value"].get<double>());
  EXPECT_NE(text_.find("uncertain slice"), std::string::npos);
}

TEST_F(EvalE2E, EveryStepScoresEveryStepOfTheHeldOutRuns) {
  ASSERT_TRUE(out_["every_step"]["computed"].get<bool>());
  const size_t runs = out_["every_step"]["runs"];
  ASSERT_GT(runs, 0u);
  for (const char* name : {"freq-kl", "freq-ce", "structured-kl", "structured-ce", "uniform"}) {
    SCOPED_TRACE(name);
    const auto& e = Row(name)["every_step"];
    EXPECT_EQ(e["runs"].get<size_t>(), runs);
    // Dataset examples are a subset of the steps (min_visits, max_steps drop some).
    EXPECT_GE(e["steps"].get<size_t>(), out_["data"]["examples"].get<size_t>());
    EXPECT_EQ(e["pooled"]["n"], e["steps"]);
    EXPECT_EQ(e["macro"]["programs"].get<size_t>(), out_["data"]["programs"].get<size_t>());
    // One-hot targets: KL is the NLL, mode agreement is accuracy.
    EXPECT_NEAR(e["pooled"]["kl"]["value"].get<double>(), e["pooled"]["nll"]["value"].get<double>(), 1e-9);
    EXPECT_NEAR(e["pooled"]["mode_agreement"]["value"].get<double>(), e["pooled"]["accuracy"]["value"].get<double>(), 1e-12);
    EXPECT_LE(e["macro"]["accuracy"]["value"].get<double>(), e["macro"]["top3"]["value"].get<double>());
  }
  for (const char* name : {"freq-kl", "structured-kl"})
    EXPECT_LT(Row(name)["every_step"]["macro"]["nll"]["value"].get<double>(),
              Row("uniform")["every_step"]["macro"]["nll"]["value"].get<double>()) << name;
  EXPECT_FALSE(Row("oracle").contains("every_step"));
  EXPECT_NE(text_.find("every step of every held-out run"), std::string::npos);
}

TEST_F(EvalE2E, PaperProtocolCutsRunsAndComparesRows) {
  ASSERT_TRUE(out_.contains("paper"));
  const auto& p = out_["paper"];
  const size_t runs = p["runs"], programs = p["programs"];
  EXPECT_EQ(programs, out_["data"]["programs"].get<size_t>());
  EXPECT_LE(runs, 5 * programs);
  EXPECT_EQ(p["positions"].get<size_t>(), 3 * runs);  // every run has a step at each cut
  EXPECT_LE(p["groups"].get<size_t>(), 3 * programs);
  size_t typed = 0;
  for (const auto& [t, n] : p["type_counts"].items()) typed += n.get<size_t>();
  EXPECT_EQ(typed, p["positions"].get<size_t>());
  // Rows: the majority baseline, then every model row and uniform.
  ASSERT_EQ(p["rows"].size(), 6u);
  EXPECT_EQ(p["rows"][0]["name"], Cat("majority (", p["majority_type"].get<std::string>(), ")"));
  const double majority = p["rows"][0]["accuracy"];
  EXPECT_DOUBLE_EQ(majority, p["type_counts"][p["majority_type"].get<std::string>()].get<double>() / p["positions"].get<double>());
  EXPECT_DOUBLE_EQ(p["rows"][0]["by_type"][p["majority_type"].get<std::string>()].get<double>(), 1.0);
  for (const auto& r : p["rows"]) {
    EXPECT_GE(r["accuracy"].get<double>(), 0.0);
    EXPECT_LE(r["accuracy"].get<double>(), 1.0);
    EXPECT_GE(r["group_ece"].get<double>(), 0.0);
  }
  EXPECT_EQ(p["mcnemar"].size(), 15u);  // 6 rows, every pair once
  for (const auto& m : p["mcnemar"]) {
    EXPECT_GE(m["p"].get<double>(), 0.0);
    EXPECT_LE(m["p"].get<double>(), 1.0);
  }
  EXPECT_NE(text_.find("source paper's protocol"), std::string::npos);
}

TEST_F(EvalE2E, FamiliesPartitionThePrograms) {
  ASSERT_EQ(out_["family_by"], "dir");
  for (const auto& m : out_["models"]) {
    SCOPED_TRACE(m["name"].get<std::string>());
    size_t programs = 0, n = 0;
    for (const auto& [f, v] : m["families"].items()) {
      EXPECT_EQ(f.find("TestX"), std::string::npos);
      programs += v["macro"]["programs"].get<size_t>();
      n += v["pooled"]["n"].get<size_t>();
    }
    EXPECT_EQ(programs, out_["data"]["programs"].get<size_t>());
    EXPECT_EQ(n, out_["data"]["examples"].get<size_t>());
    EXPECT_EQ(m["breakdown"]["family"].size(), m["families"].size());
    // The held-out programs come from several corpus folders (chans, syncs, bugs, ...): several families.
    EXPECT_GT(m["families"].size(), 1u);
  }
}

TEST_F(EvalE2E, PredictionsFileScoresLikeTheModelItCameFrom) {
  const std::string prompts = (dir_ / "prompts.jsonl").string();
  auto r = RunCommand({SCHEDCAST_BIN, "dataset", "export", "--data", SCHEDCAST_CORPUS_DATASET, "--format", "prompt",
                       "--split", "test", "--out", prompts});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto m = model::Load((dir_ / "freq-kl.json").string());
  ASSERT_TRUE(m.ok()) << m.status();
  auto examples = data::LoadExamples(SCHEDCAST_CORPUS_DATASET, "test");
  ASSERT_TRUE(examples.ok()) << examples.status();
  std::map<std::tuple<std::string, std::string, int64_t, uint64_t>, const data::Example*> by_id;
  for (const auto& e : *examples) by_id[{e.program, e.config, e.run_id, e.position}] = &e;
  // Letters come from the prompt export; probabilities from the model for the example each names.
  std::ifstream in(prompts);
  std::ofstream out(dir_ / "freq-kl.predictions.jsonl");
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    const auto it = by_id.find({j["program"], j["config"], j["run_id"], j["position"]});
    ASSERT_NE(it, by_id.end()) << line.substr(0, 200);
    const std::vector<double> p = (*m)->Predict(*it->second);
    ASSERT_EQ(j["letters"].size(), p.size());
    nlohmann::json probs = nlohmann::json::object();
    for (size_t i = 0; i < p.size(); ++i) probs[j["letters"][i].get<std::string>()] = p[i];
    out << nlohmann::json{{"program", j["program"]}, {"config", j["config"]}, {"run_id", j["run_id"]},
                          {"position", j["position"]}, {"probs", probs}}.dump()
        << "\n";
    ++lines;
  }
  out.close();
  ASSERT_EQ(lines, examples->size());
  const std::string json = (dir_ / "pred.json").string();
  r = RunCommand({SCHEDCAST_BIN, "eval", "--data", SCHEDCAST_CORPUS_DATASET, "--model",
                  (dir_ / "freq-kl.json").string(), "--predictions", (dir_ / "freq-kl.predictions.jsonl").string(),
                  "--name", "from-file", "--bootstrap", "100", "--json", json});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto t = ReadFileToString(json);
  ASSERT_TRUE(t.ok());
  const auto ev = nlohmann::json::parse(*t);
  ASSERT_EQ(ev["models"].size(), 4u);  // freq-kl, from-file, oracle, uniform
  const auto& a = ev["models"][0];
  const auto& b = ev["models"][1];
  ASSERT_EQ(b["name"], "from-file");
  EXPECT_EQ(b["source"], "predictions");
  EXPECT_EQ(b["coverage"]["covered"].get<size_t>(), examples->size());
  for (const char* k : {"accuracy", "top3", "mode_agreement", "nll", "brier", "ece", "kl"})
    for (const char* f : {"value", "lo", "hi"})
      EXPECT_NEAR(a["overall"][k][f].get<double>(), b["overall"][k][f].get<double>(), 1e-9) << k << " " << f;
  ASSERT_EQ(a["reliability"].size(), b["reliability"].size());
  for (size_t i = 0; i < a["reliability"].size(); ++i) {  // same bins and counts; means equal up to rounding
    EXPECT_EQ(a["reliability"][i]["count"], b["reliability"][i]["count"]) << i;
    EXPECT_NEAR(a["reliability"][i]["confidence"].get<double>(), b["reliability"][i]["confidence"].get<double>(), 1e-12);
    EXPECT_EQ(a["reliability"][i]["accuracy"], b["reliability"][i]["accuracy"]) << i;
  }
  EXPECT_TRUE(b["rollouts"].empty());
}

// --write-predictions writes each model row's probabilities in the --predictions format: one line
// per example of the split, and reading the file back scores exactly like the model.
TEST_F(EvalE2E, WrittenPredictionsScoreLikeTheirModel) {
  const auto pdir = dir_ / "written";
  const std::string json = (dir_ / "written.json").string();
  auto r = RunCommand({SCHEDCAST_BIN, "eval", "--data", SCHEDCAST_CORPUS_DATASET, "--model",
                       (dir_ / "structured-kl.json").string(), "--bootstrap", "50", "--write-predictions",
                       pdir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto file = pdir / "structured-kl.jsonl";
  ASSERT_TRUE(std::filesystem::exists(file)) << r.err;
  EXPECT_TRUE(std::filesystem::exists(pdir / "uniform.jsonl"));   // the baseline is a model too
  EXPECT_FALSE(std::filesystem::exists(pdir / "oracle.jsonl"));  // not the oracle (no model)
  auto examples = data::LoadExamples(SCHEDCAST_CORPUS_DATASET, "test");
  ASSERT_TRUE(examples.ok()) << examples.status();
  std::ifstream in(file);
  size_t lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    const auto j = nlohmann::json::parse(line);
    ASSERT_TRUE(j["probs"].is_array()) << line.substr(0, 200);
    double sum = 0;
    for (const auto& x : j["probs"]) sum += x.get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-9) << line.substr(0, 200);
  }
  EXPECT_EQ(lines, examples->size());
  r = RunCommand({SCHEDCAST_BIN, "eval", "--data", SCHEDCAST_CORPUS_DATASET, "--model",
                  (dir_ / "structured-kl.json").string(), "--predictions", file.string(), "--name", "again",
                  "--bootstrap", "50", "--json", json});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto t = ReadFileToString(json);
  ASSERT_TRUE(t.ok());
  const auto ev = nlohmann::json::parse(*t);
  const auto& a = ev["models"][0];
  const auto& b = ev["models"][1];
  ASSERT_EQ(b["name"], "again");
  EXPECT_EQ(b["coverage"]["covered"].get<size_t>(), examples->size());
  for (const char* k : {"accuracy", "top3", "nll", "ece", "kl"}) {
    EXPECT_NEAR(a["overall"][k]["value"].get<double>(), b["overall"][k]["value"].get<double>(), 1e-9) << k;
    EXPECT_NEAR(a["macro"][k]["value"].get<double>(), b["macro"][k]["value"].get<double>(), 1e-9) << k;
  }
}

TEST_F(EvalE2E, BadPredictionsFileFailsNamingTheLine) {
  const std::string bad = (dir_ / "bad.jsonl").string();
  ASSERT_TRUE(WriteStringToFile(bad, "{\"program\": \"x\"}\n").ok());
  auto r = RunCommand({SCHEDCAST_BIN, "eval", "--data", SCHEDCAST_CORPUS_DATASET, "--predictions", bad});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("bad.jsonl:1:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace schedcast::eval
