// The evaluation metrics added for issue 15, each on a case worked out by hand here: macro
// (per-program) weighting including its ECE, the uncertain-slice filter, McNemar's test, the
// per-prediction and (program, cut)-group ECE, event types, the paper protocol's cut positions and
// majority baseline, and the rollout sampling floor and survival.
#include <gtest/gtest.h>

#include <cmath>

#include "eval/metric_json.h"
#include "eval/paper.h"
#include "eval/rollout.h"
#include "eval/scoring.h"
#include "model/uniform.h"

namespace schedcast::eval {
namespace {

// Program A: one hit at confidence 0.9. Program B: three misses at confidence 0.6.
std::vector<Sums> TwoPrograms() {
  std::vector<Sums> g(3);  // the third program has no example
  g[0].Add(ScoreExample(std::vector<double>{0.9, 0.1}, 0, std::vector<double>{1, 0}));
  for (int i = 0; i < 3; ++i) g[1].Add(ScoreExample(std::vector<double>{0.6, 0.4}, 1, std::vector<double>{0, 1}));
  return g;
}

TEST(Macro, EveryProgramWeighsOne) {
  const auto g = TwoPrograms();
  Sums pooled;
  for (const auto& s : g) pooled.Add(s);
  const Metrics p = Finalize(pooled);
  EXPECT_DOUBLE_EQ(p.accuracy, 0.25);
  EXPECT_NEAR(p.nll, (-std::log(0.9) - 3 * std::log(0.4)) / 4, 1e-12);
  EXPECT_NEAR(p.ece, (0.1 + 3 * 0.6) / 4, 1e-12);  // bins 13 and 9
  Sums macro;
  for (const auto& s : MacroGroups(g)) macro.Add(s);
  EXPECT_EQ(MacroGroups(g).size(), 2u);  // the empty program is dropped
  const Metrics m = Finalize(macro);
  EXPECT_EQ(m.n, 2u);  // programs
  EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
  EXPECT_NEAR(m.nll, (-std::log(0.9) - std::log(0.4)) / 2, 1e-12);
  EXPECT_NEAR(m.brier, (0.02 + 2 * 0.36) / 2, 1e-12);
  // Bin 13 holds A's example (weight 1): |1 − 0.9|; bin 9 B's three (weight 1/3 each): |0 − 0.6|.
  EXPECT_NEAR(m.ece, (0.1 + 0.6) / 2, 1e-12);
}

TEST(Macro, JsonCarriesExamplesProgramsAndIntervals) {
  BootstrapOptions bo;
  bo.resamples = 0;
  const auto j = MacroJson(TwoPrograms(), bo);
  EXPECT_DOUBLE_EQ(j["accuracy"]["value"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["accuracy"]["lo"].get<double>(), 0.5);
  EXPECT_EQ(j["n"].get<int>(), 4);
  EXPECT_EQ(j["programs"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(PooledJson(TwoPrograms(), bo)["accuracy"]["value"].get<double>(), 0.25);
  bo.resamples = 500;
  const auto b = MacroJson(TwoPrograms(), bo);
  // Resampling two programs: accuracy is 0, 0.5 or 1 in every draw.
  EXPECT_DOUBLE_EQ(b["accuracy"]["lo"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(b["accuracy"]["hi"].get<double>(), 1.0);
}

TEST(Uncertain, NeedsMassOnTwoCandidates) {
  EXPECT_FALSE(Uncertain(std::vector<uint64_t>{3, 0, 0}));
  EXPECT_FALSE(Uncertain(std::vector<uint64_t>{0, 0}));
  EXPECT_FALSE(Uncertain(std::vector<uint64_t>{}));
  EXPECT_TRUE(Uncertain(std::vector<uint64_t>{2, 1, 0}));
  EXPECT_TRUE(Uncertain(std::vector<uint64_t>{0, 1, 1}));
}

TEST(Paper, McNemarByHand) {
  const McNemarResult a = McNemar(5, 1);
  EXPECT_DOUBLE_EQ(a.chi2, 9.0 / 6);
  EXPECT_NEAR(a.p, 2.0 * (1 + 6) / 64, 1e-12);
  const McNemarResult z = McNemar(0, 0);
  EXPECT_DOUBLE_EQ(z.chi2, 0);
  EXPECT_DOUBLE_EQ(z.p, 1);
  const McNemarResult s = McNemar(10, 0);
  EXPECT_DOUBLE_EQ(s.chi2, 8.1);
  EXPECT_NEAR(s.p, 2.0 / 1024, 1e-12);
  EXPECT_DOUBLE_EQ(McNemar(3, 3).p, 1.0);  // capped at 1
}

TEST(Paper, EcePerPredictionAndOverGroups) {
  const std::vector<ScoredPrediction> preds = {{0.8, true, 0}, {0.6, false, 0}, {0.95, true, 1}};
  EXPECT_NEAR(EceOf(preds, 10), (0.2 + 0.6 + 0.05) / 3, 1e-12);
  // Group 0 → (0.7, 0.5) in bin 7, group 1 → (0.95, 1) in bin 9.
  EXPECT_NEAR(GroupEce(preds, 10), (0.2 + 0.05) / 2, 1e-12);
  // Two groups in one bin average first: (0.7, 0.5) and (0.75, 1) → |0.75 − 0.725| over 2 groups.
  const std::vector<ScoredPrediction> same = {{0.8, true, 0}, {0.6, false, 0}, {0.75, true, 1}};
  EXPECT_NEAR(GroupEce(same, 10), std::abs(1.5 - 1.45) / 2, 1e-12);
}

TEST(Paper, EventTypes) {
  EXPECT_EQ(PaperType("GoBlock(recv) T.1"), "GoBlock");
  EXPECT_EQ(PaperType("GoStart T.1 @x_test.go:3"), "GoStart");
  EXPECT_EQ(PaperType("GoCreate T>T.2"), "GoCreate");
  EXPECT_EQ(PaperType("GoUnblock T.1"), "GoUnblock");
  EXPECT_EQ(PaperType("GoEnd"), "GoEnd");
  EXPECT_EQ(PaperType("GoPreempt T"), "GoSched");
  EXPECT_EQ(PaperType("SyscallBlock T"), "Other");
}

data::Example Step(uint64_t pos, std::vector<std::string> cands, std::string label) {
  data::Example e;
  e.program = "p.TestX";
  e.level = "goroutine";
  e.position = pos;
  e.candidates = std::move(cands);
  e.target_counts.assign(e.candidates.size(), 0);
  e.label = std::move(label);
  return e;
}

TEST(Paper, CutsMajorityAndTypeMass) {
  HeldOutRun r{"p.TestX", "go1.23/p1", 7, {}};
  r.steps.push_back(Step(0, {"GoStart T"}, "GoStart T"));
  r.steps.push_back(Step(1, {"GoBlock(recv) T", "GoStart T.1", "GoStart T.2"}, "GoBlock(recv) T"));  // cut 25 %
  r.steps.push_back(Step(2, {"GoStart T.1", "GoEnd T"}, "GoStart T.1"));                             // cut 50 %
  r.steps.push_back(Step(3, {"GoEnd T.1", "GoEnd T.2", "GoSched T.1"}, "GoEnd T.1"));                // cut 75 %
  Row u;
  u.name = "uniform";
  u.source = "baseline";
  u.model = std::make_unique<model::UniformPredictor>();
  auto out = PaperProtocol({&u}, {r});
  ASSERT_TRUE(out.ok()) << out.status();
  const auto& j = *out;
  EXPECT_EQ(j["positions"], 3);
  EXPECT_EQ(j["groups"], 3);
  EXPECT_EQ(j["majority_type"], "GoStart");  // one each of GoBlock, GoStart, GoEnd: the first type wins
  ASSERT_EQ(j["rows"].size(), 2u);
  EXPECT_NEAR(j["rows"][0]["accuracy"].get<double>(), 1.0 / 3, 1e-12);
  // Uniform: GoStart (2/3, miss), GoStart vs GoEnd tie → GoStart (1/2, hit), GoEnd (2/3, hit).
  EXPECT_NEAR(j["rows"][1]["accuracy"].get<double>(), 2.0 / 3, 1e-12);
  // Bin 6 holds 2/3 (miss) and 2/3 (hit): |1 − 4/3|; bin 5 holds 1/2 (hit): |1 − 1/2|.
  EXPECT_NEAR(j["rows"][1]["ece"].get<double>(), (1.0 / 3 + 0.5) / 3, 1e-12);
  EXPECT_DOUBLE_EQ(j["rows"][1]["by_type"]["GoBlock"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(j["rows"][1]["by_type"]["GoEnd"].get<double>(), 1.0);
  ASSERT_EQ(j["mcnemar"].size(), 1u);
  EXPECT_EQ(j["mcnemar"][0]["only_a"], 0);
  EXPECT_EQ(j["mcnemar"][0]["only_b"], 1);
}

TEST(RolloutFloor, TvBetweenHalvesAndSurvival) {
  const std::vector<std::vector<std::string>> a = {{"a", "b"}, {"a", "c"}}, b = {{"a", "b"}, {"d"}};
  const auto da = KStepDistributions(a, 2), db = KStepDistributions(b, 2);
  EXPECT_DOUBLE_EQ(Tv(da[0], db[0]), 0.5);  // {a:1} vs {a:½, d:½}
  EXPECT_DOUBLE_EQ(Tv(da[1], db[1]), 0.5);  // {ab:½, ac:½} vs {ab:½, d:½}
  EXPECT_DOUBLE_EQ(Tv(da[1], da[1]), 0.0);
  EXPECT_EQ(Survival({"a", "c"}, db), 1);
  EXPECT_EQ(Survival({"a", "b"}, db), 2);
  EXPECT_EQ(Survival({"d"}, db), 2);  // ended where an observed run ended
  EXPECT_EQ(Survival({"x", "b"}, db), 0);
}

}  // namespace
}  // namespace schedcast::eval
