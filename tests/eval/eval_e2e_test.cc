// `schedcast eval` end to end on the dataset the build_corpus_dataset fixture made from real runs
// (prefix key, goroutine level): freq models trained with the CLI (KL and CE), the eval JSON
// contract (rows, intervals, 15 reliability bins, breakdowns, comparison, programs with samples),
// the oracle ceiling, the uniform baseline below freq, rollouts through the state machine from the
// fixture store (legality 1, TV in [0, 1]), and a predictions file written from the prompt export
// that scores exactly like the model it was written from.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

#include "common/status.h"
#include "data/dataset.h"
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
                             "--rollout-samples", "16", "--json", json_path_});
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
    // Breakdowns partition the examples (category, bug/correct); primitives may overlap.
    for (const char* by : {"category", "bug"}) {
      size_t sum = 0;
      for (const auto& [k, g] : m["breakdown"][by].items()) sum += g["n"].get<size_t>();
      EXPECT_EQ(sum, n) << by;
    }
    EXPECT_TRUE(m["breakdown"]["bug"].contains("bug"));      // the fixture has leak kernels ...
    EXPECT_TRUE(m["breakdown"]["bug"].contains("correct"));  // ... and correct channel programs
    EXPECT_FALSE(m["breakdown"]["category"].contains("unknown"));
    EXPECT_FALSE(m["breakdown"]["primitive"].empty());
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
  EXPECT_TRUE(Row("oracle")["rollouts"].empty());
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

TEST_F(EvalE2E, BadPredictionsFileFailsNamingTheLine) {
  const std::string bad = (dir_ / "bad.jsonl").string();
  ASSERT_TRUE(WriteStringToFile(bad, "{\"program\": \"x\"}\n").ok());
  auto r = RunCommand({SCHEDCAST_BIN, "eval", "--data", SCHEDCAST_CORPUS_DATASET, "--predictions", bad});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("bad.jsonl:1:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace schedcast::eval
