#include "empirical/distribution.h"

#include <gtest/gtest.h>

#include <cmath>

#include "empirical/key.h"
#include "empirical/table.h"

namespace schedcast::empirical {
namespace {

TEST(Distribution, CountsEntropyAndLeaveOneOut) {
  Distribution d;
  d.Add("a", 3);
  d.Add("b", 1);
  EXPECT_EQ(d.total(), 4u);
  EXPECT_DOUBLE_EQ(d.P("a"), 0.75);
  EXPECT_NEAR(d.Entropy(), -(0.75 * std::log(0.75) + 0.25 * std::log(0.25)), 1e-12);
  Distribution own;
  own.Add("b", 1);
  d.Subtract(own);
  EXPECT_EQ(d.support(), 1u);
  EXPECT_EQ(d.total(), 3u);
  EXPECT_DOUBLE_EQ(d.Entropy(), 0.0);
}

TEST(Keys, PrefixStateWindow) {
  std::vector<sched::Step> steps(3);
  steps[0].token = "GoStart T";
  steps[1].token = "GoBlock(recv) T";
  steps[2].token = "GoStart T.0";
  steps[2].state_key = "T:blk(recv) T.0:rdy";
  auto w = ComputeKeys(steps, *ParseKeySpec("window:1"));
  EXPECT_EQ(w[0], "^");
  EXPECT_EQ(w[2], "GoBlock(recv) T");
  auto p = ComputeKeys(steps, *ParseKeySpec("prefix"));
  EXPECT_NE(p[0], p[1]);
  EXPECT_EQ(ComputeKeys(steps, *ParseKeySpec("state"))[2], "T:blk(recv) T.0:rdy");
  EXPECT_FALSE(ParseKeySpec("window:0").ok());
  EXPECT_FALSE(ParseKeySpec("bogus").ok());
}

TEST(Table, LeaveOneRunOutExcludesTheRunsOwnLabel) {
  std::vector<sched::Step> a(1), b(1);
  a[0].token = "x";
  b[0].token = "y";
  const std::vector<std::string> keys = {"k"};
  RunCounts ra = CountRun(a, keys), rb = CountRun(b, keys);
  Table t;
  t.AddRun(ra);
  t.AddRun(rb);
  Distribution target = t.LeaveOneOut("k", &ra.at("k"));
  EXPECT_EQ(target.Count("x"), 0u);
  EXPECT_EQ(target.Count("y"), 1u);
  EXPECT_EQ(t.MostVisited(10, 2).size(), 1u);
  EXPECT_EQ(t.MostVisited(10, 3).size(), 0u);
}

}  // namespace
}  // namespace schedcast::empirical
