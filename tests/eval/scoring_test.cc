// Metrics on small hand-built examples, with every expected value worked out by hand here:
// per-example scores (ties, top-3 ranks, floors), the 15-bin ECE and its bin edges, and the
// percentile bootstrap over programs (determinism for a seed, degenerate cases, coverage of the
// point value).
#include <gtest/gtest.h>

#include <cmath>

#include "eval/inputs.h"
#include "eval/scoring.h"

namespace schedcast::eval {
namespace {

TEST(Scoring, OneExampleByHand) {
  const std::vector<double> p = {0.5, 0.3, 0.2}, t = {0.25, 0.75, 0.0};
  const ExampleScore s = ScoreExample(p, 1, t);
  EXPECT_FALSE(s.hit);   // argmax p = 0, label 1
  EXPECT_TRUE(s.top3);
  EXPECT_FALSE(s.mode);  // argmax t = 1
  EXPECT_DOUBLE_EQ(s.nll, -std::log(0.3));
  EXPECT_DOUBLE_EQ(s.brier, 0.25 + 0.49 + 0.04);
  EXPECT_NEAR(s.kl, 0.25 * std::log(0.25 / 0.5) + 0.75 * std::log(0.75 / 0.3), 1e-15);
  EXPECT_DOUBLE_EQ(s.conf, 0.5);
  const ExampleScore s0 = ScoreExample(p, 0, std::vector<double>{1, 0, 0});
  EXPECT_TRUE(s0.hit);
  EXPECT_TRUE(s0.mode);
  EXPECT_DOUBLE_EQ(s0.kl, -std::log(0.5));
}

TEST(Scoring, TiesGoToTheFirstMaximum) {
  const std::vector<double> p = {0.4, 0.4, 0.2};
  EXPECT_TRUE(ScoreExample(p, 0, p).hit);
  EXPECT_FALSE(ScoreExample(p, 1, p).hit);
  // Target ties as well: argmax t = 0 = argmax p.
  EXPECT_TRUE(ScoreExample(p, 1, std::vector<double>{0.5, 0.5, 0}).mode);
  EXPECT_FALSE(ScoreExample(p, 1, std::vector<double>{0.2, 0.5, 0.3}).mode);
  // Four equal candidates: the label at index 3 has 3 candidates ranked ahead of it.
  const std::vector<double> u = {0.25, 0.25, 0.25, 0.25};
  EXPECT_TRUE(ScoreExample(u, 2, u).top3);
  EXPECT_FALSE(ScoreExample(u, 3, u).top3);
  // ... but a strictly larger label is ahead of earlier equal ones.
  EXPECT_TRUE(ScoreExample(std::vector<double>{0.2, 0.2, 0.2, 0.4}, 3, u).top3);
  EXPECT_FALSE(ScoreExample(std::vector<double>{0.3, 0.3, 0.3, 0.1}, 3, u).top3);
}

TEST(Scoring, ZeroProbabilitiesAreFlooredForNllAndKl) {
  const std::vector<double> p = {1.0, 0.0};
  const ExampleScore s = ScoreExample(p, 1, std::vector<double>{0.5, 0.5});
  EXPECT_DOUBLE_EQ(s.nll, -std::log(1e-12));
  EXPECT_DOUBLE_EQ(s.brier, 2.0);
  EXPECT_NEAR(s.kl, 0.5 * std::log(0.5 / 1.0) + 0.5 * std::log(0.5 / 1e-12), 1e-12);
}

TEST(Scoring, BinEdges) {
  EXPECT_EQ(BinOf(0.0), 0);
  EXPECT_EQ(BinOf(1.0 / 15 - 1e-9), 0);
  EXPECT_EQ(BinOf(1.0 / 15 + 1e-9), 1);
  EXPECT_EQ(BinOf(0.5), 7);  // 7.5 → [7/15, 8/15)
  EXPECT_EQ(BinOf(0.2), 3);  // the lower edge belongs to the bin: [3/15, 4/15)
  EXPECT_EQ(BinOf(14.0 / 15 - 1e-9), 13);
  EXPECT_EQ(BinOf(0.999), 14);
  EXPECT_EQ(BinOf(1.0), 14);  // conf = 1 goes to the last bin
}

TEST(Scoring, EceAndReliabilityByHand) {
  // conf 0.9 hit, 0.9 miss (bin 13), 0.6 hit (bin 9), 1.0 hit (bin 14).
  Sums s;
  s.Add(ScoreExample(std::vector<double>{0.9, 0.1}, 0, std::vector<double>{1, 0}));
  s.Add(ScoreExample(std::vector<double>{0.9, 0.1}, 1, std::vector<double>{0, 1}));
  s.Add(ScoreExample(std::vector<double>{0.6, 0.4}, 0, std::vector<double>{1, 0}));
  s.Add(ScoreExample(std::vector<double>{1.0, 0.0}, 0, std::vector<double>{1, 0}));
  const Metrics m = Finalize(s);
  EXPECT_EQ(m.n, 4u);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.75);
  // (2/4)|0.5 − 0.9| + (1/4)|1 − 0.6| + (1/4)|1 − 1| = 0.2 + 0.1 + 0
  EXPECT_NEAR(m.ece, 0.3, 1e-12);
  uint64_t total = 0;
  for (int b = 0; b < kBins; ++b) {
    total += m.reliability[b].count;
    EXPECT_NEAR(m.reliability[b].lo, b / 15.0, 1e-15);
    EXPECT_NEAR(m.reliability[b].hi, (b + 1) / 15.0, 1e-15);
  }
  EXPECT_EQ(total, 4u);
  EXPECT_EQ(m.reliability[13].count, 2u);
  EXPECT_DOUBLE_EQ(m.reliability[13].confidence, 0.9);
  EXPECT_DOUBLE_EQ(m.reliability[13].accuracy, 0.5);
  EXPECT_EQ(m.reliability[9].count, 1u);
  EXPECT_EQ(m.reliability[14].count, 1u);
  EXPECT_EQ(m.reliability[0].count, 0u);
  EXPECT_DOUBLE_EQ(m.reliability[0].confidence, 0.0);
  // Pooling two halves gives the same totals as adding one by one.
  Sums a, b;
  a.Add(ScoreExample(std::vector<double>{0.9, 0.1}, 0, std::vector<double>{1, 0}));
  a.Add(ScoreExample(std::vector<double>{0.9, 0.1}, 1, std::vector<double>{0, 1}));
  b.Add(ScoreExample(std::vector<double>{0.6, 0.4}, 0, std::vector<double>{1, 0}));
  b.Add(ScoreExample(std::vector<double>{1.0, 0.0}, 0, std::vector<double>{1, 0}));
  a.Add(b);
  EXPECT_NEAR(Finalize(a).ece, 0.3, 1e-12);
}

TEST(Scoring, QuantileInterpolates) {
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3, 4}, 0.0), 1);
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3, 4}, 1.0), 4);
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3, 4, 5}, 0.25), 2);
}

std::vector<Sums> Programs() {
  // 20 programs with different accuracies (program i: i hits out of 20 at confidence 0.7).
  std::vector<Sums> groups(20);
  for (int i = 0; i < 20; ++i)
    for (int j = 0; j < 20; ++j)
      groups[i].Add(ScoreExample(std::vector<double>{0.7, 0.3}, j < i ? 0 : 1, std::vector<double>{0.5, 0.5}));
  return groups;
}

TEST(Scoring, BootstrapIsDeterministicForASeedAndCoversThePoint) {
  const auto groups = Programs();
  BootstrapOptions o;
  o.resamples = 500;
  o.seed = 7;
  const auto a = Bootstrap(groups, o), b = Bootstrap(groups, o);
  for (int k = 0; k < kNumMetrics; ++k) {
    EXPECT_EQ(a[k].lo, b[k].lo) << kMetricNames[k];
    EXPECT_EQ(a[k].hi, b[k].hi) << kMetricNames[k];
  }
  // Point value = the pooled metric: Σ i / 400 = 190/400.
  EXPECT_DOUBLE_EQ(a[0].value, 190.0 / 400);
  for (int k : {0, 3, 4}) {  // accuracy, nll, brier: means of per-example values
    EXPECT_LE(a[k].lo, a[k].value) << kMetricNames[k];
    EXPECT_GE(a[k].hi, a[k].value) << kMetricNames[k];
    EXPECT_LT(a[k].lo, a[k].hi) << kMetricNames[k];
  }
  // Programs differ a lot, so the interval is wide: well beyond ±1 % here.
  EXPECT_GT(a[0].hi - a[0].lo, 0.1);
  o.seed = 8;
  const auto c = Bootstrap(groups, o);
  EXPECT_TRUE(c[0].lo != a[0].lo || c[0].hi != a[0].hi);
}

TEST(Scoring, BootstrapDegenerateCases) {
  const auto groups = Programs();
  BootstrapOptions o;
  o.resamples = 0;
  const auto none = Bootstrap(groups, o);
  EXPECT_EQ(none[0].lo, none[0].value);
  EXPECT_EQ(none[0].hi, none[0].value);
  o.resamples = 100;
  const auto one = Bootstrap({groups[5]}, o);  // a single program: every resample is that program
  EXPECT_DOUBLE_EQ(one[0].value, 0.25);
  EXPECT_DOUBLE_EQ(one[0].lo, 0.25);
  EXPECT_DOUBLE_EQ(one[0].hi, 0.25);
  const auto empty = Bootstrap({}, o);
  EXPECT_EQ(empty[0].value, 0);
}

}  // namespace
}  // namespace schedcast::eval

namespace schedcast::eval {
namespace {

TEST(DirFamilies, OneLevelBelowTheSharedFolder) {
  const std::vector<std::string> fam = DirFamilies({"schedcast.dev/corpus/chans.TestA", "schedcast.dev/corpus/chans.TestB",
                                                    "schedcast.dev/corpus/bugs/condbug.TestC",
                                                    "schedcast.dev/corpus/bugs/global.TestD"});
  EXPECT_EQ(fam, (std::vector<std::string>{"schedcast.dev/corpus/chans", "schedcast.dev/corpus/chans",
                                           "schedcast.dev/corpus/bugs", "schedcast.dev/corpus/bugs"}));
  // One package: that package; different projects: each project's first element below the shared root.
  EXPECT_EQ(DirFamilies({"a.dev/p.TestA", "a.dev/p.TestB"}), (std::vector<std::string>{"a.dev/p", "a.dev/p"}));
  EXPECT_EQ(DirFamilies({"github.com/x/raft.TestA", "github.com/y/yamux.TestB"}),
            (std::vector<std::string>{"github.com/x", "github.com/y"}));
}

}  // namespace
}  // namespace schedcast::eval
