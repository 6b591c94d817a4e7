// Tests of the top-label map (model/topmap.h): the isotonic fit on known points, the map's shape,
// what Apply keeps (a distribution, its order, its argmax, a finite likelihood) and the JSON checks.
// Fitting on a real model's validation scores is in model_test (ModelTrained) and calibrated_test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "model/topmap.h"

namespace schedcast::model {
namespace {

TEST(TopMap, PoolsAdjacentViolatorsOnKnownPoints) {
  // Four equal-weight points (each its own bin): hits 1, 0 violate monotonicity and pool to 0.5 over
  // confidences 0.1–0.2; the two hits after them pool to 1 over 0.3–0.4. A block is flat across its
  // confidences, the map linear between blocks.
  const std::vector<double> conf = {0.1, 0.2, 0.3, 0.4}, hit = {1, 0, 1, 1}, w = {1, 1, 1, 1};
  const TopMap m = TopMap::Fit(conf, hit, w);
  const std::vector<std::pair<double, double>> want = {{0.1, 0.5}, {0.2, 0.5}, {0.3, 1.0}, {0.4, 1.0}};
  ASSERT_EQ(m.knots().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(m.knots()[i].first, want[i].first, 1e-12) << i;
    EXPECT_NEAR(m.knots()[i].second, want[i].second, 1e-12) << i;
  }
  EXPECT_NEAR(m.Map(0.15), 0.5, 1e-12);   // flat across a block: the accuracy of what it pooled
  EXPECT_NEAR(m.Map(0.25), 0.75, 1e-12);  // linear between blocks
  EXPECT_NEAR(m.Map(0.0), 0.5, 1e-12);    // flat beyond the ends
  EXPECT_NEAR(m.Map(1.0), 1.0, 1e-12);
  // Weights count: the miss weighing 3 pulls the first block down to (1·1 + 3·0) / 4 = 0.25.
  const TopMap w3 = TopMap::Fit(conf, hit, std::vector<double>{1, 3, 1, 1});
  EXPECT_NEAR(w3.knots()[0].second, 0.25, 1e-12);
  EXPECT_NEAR(w3.Map(0.15), 0.25, 1e-12);
}

TEST(TopMap, RecoversAMiscalibrationCurveAndIsNonDecreasing) {
  // 20,000 points whose true accuracy at confidence c is 0.3 + 0.6 c² (an over-confident model at the
  // top, under-confident at the bottom); hits from a fixed-seed generator.
  std::vector<double> conf, hit, w;
  uint64_t s = 0x9E3779B97F4A7C15ull;
  auto uniform01 = [&] {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    return static_cast<double>(s >> 11) / 9007199254740992.0;
  };
  for (int i = 0; i < 20000; ++i) {
    const double c = uniform01();
    conf.push_back(c);
    hit.push_back(uniform01() < 0.3 + 0.6 * c * c ? 1 : 0);
    w.push_back(1);
  }
  const TopMap m = TopMap::Fit(conf, hit, w);
  ASSERT_GE(m.knots().size(), 5u);
  EXPECT_LE(m.knots().size(), 2 * 64u);  // two knots a block, at most 64 bins
  for (size_t i = 1; i < m.knots().size(); ++i) {
    EXPECT_GT(m.knots()[i].first, m.knots()[i - 1].first);
    EXPECT_GE(m.knots()[i].second, m.knots()[i - 1].second);
  }
  for (double c : {0.2, 0.5, 0.8}) EXPECT_NEAR(m.Map(c), 0.3 + 0.6 * c * c, 0.06) << c;
  // A constant accuracy pools into one block: no map (the identity).
  const TopMap flat = TopMap::Fit(conf, std::vector<double>(conf.size(), 1.0), w);
  EXPECT_TRUE(flat.empty());
  EXPECT_TRUE(TopMap::Fit({}, {}, {}).empty());
}

TEST(TopMap, ApplyKeepsADistributionItsOrderAndItsArgmax) {
  const TopMap up = *TopMap::FromJson(nlohmann::json::parse("[[0.0, 0.3], [0.5, 0.9], [1.0, 1.0]]"));
  std::vector<double> p = {0.2, 0.5, 0.3};
  up.Apply(p);
  EXPECT_NEAR(p[1], 0.9, 1e-12);  // the top: 0.5 → 0.9
  EXPECT_NEAR(p[0], 0.2 * 0.1 / 0.5, 1e-12);  // the rest scaled by (1 − 0.9)/(1 − 0.5)
  EXPECT_NEAR(p[2], 0.3 * 0.1 / 0.5, 1e-12);
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-12);
  // A map that would drop the top below the runner-up stops just short of a tie: the argmax stays,
  // wherever it stands among the candidates.
  const TopMap down = *TopMap::FromJson(nlohmann::json::parse("[[0.0, 0.1], [1.0, 0.2]]"));
  std::vector<double> q = {0.9, 0.08, 0.02};
  down.Apply(q);
  EXPECT_GT(q[0], q[1]);
  EXPECT_NEAR(q[0], q[1], 1e-3);
  std::vector<double> late = {0.08, 0.02, 0.9};
  down.Apply(late);
  EXPECT_GT(late[2], late[0]);
  EXPECT_NEAR(q[0] + q[1] + q[2], 1.0, 1e-12);
  EXPECT_GT(q[1], q[2]);
  // Never certain: a miss keeps a finite likelihood, unless the model itself was more certain.
  const TopMap sure = *TopMap::FromJson(nlohmann::json::parse("[[0.0, 1.0], [1.0, 1.0]]"));
  std::vector<double> r = {0.6, 0.4};
  sure.Apply(r);
  EXPECT_NEAR(r[0], 1 - 1e-4, 1e-12);
  EXPECT_GT(r[1], 0);
  std::vector<double> one = {1.0, 0.0, 0.0};  // the top had all the mass: the rest is shared evenly
  down.Apply(one);
  EXPECT_NEAR(one[0], 0.2, 1e-12);
  EXPECT_NEAR(one[1], 0.4, 1e-12);
  EXPECT_NEAR(one[2], 0.4, 1e-12);
  // One candidate, or an empty map: unchanged.
  std::vector<double> single = {1.0};
  up.Apply(single);
  EXPECT_EQ(single[0], 1.0);
  std::vector<double> same = {0.2, 0.5, 0.3};
  TopMap().Apply(same);
  EXPECT_EQ(same, (std::vector<double>{0.2, 0.5, 0.3}));
}

TEST(TopMap, JsonRoundTripsAndBadMapsAreRefusedNamingTheKnot) {
  const TopMap m = TopMap::Fit(std::vector<double>{0.1, 0.2, 0.3, 0.4}, std::vector<double>{1, 0, 1, 1},
                               std::vector<double>{1, 1, 1, 1});
  auto back = TopMap::FromJson(m.ToJson());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->knots(), m.knots());
  for (const char* bad : {R"({"a": 1})", "[[0.1, 0.5], [0.2, 0.4]]", "[[0.1, 0.5], [0.05, 0.6]]", "[[0.1, 1.5], [0.2, 1.6]]",
                          "[[0.1, 0.5], [0.2]]", "[[0.1, 0.5]]", R"([[0.1, 0.5], ["x", 0.6]])"}) {
    auto r = TopMap::FromJson(nlohmann::json::parse(bad));
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("top_map"), std::string::npos) << r.status();
  }
  auto msg = TopMap::FromJson(nlohmann::json::parse("[[0.1, 0.5], [0.2, 0.4]]"));
  EXPECT_NE(msg.status().message().find("top_map[1]"), std::string::npos) << msg.status();
  EXPECT_TRUE(TopMap::FromJson(nlohmann::json::array())->empty());
}

}  // namespace
}  // namespace schedcast::model
