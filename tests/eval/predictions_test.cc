// Reading a predictions file against hand-built examples: letter and array forms, the floor for
// missing letters and the renormalisation, coverage, and every error naming the file and line.
#include <gtest/gtest.h>

#include "eval/predictions.h"

namespace schedcast::eval {
namespace {

std::vector<data::Example> Examples() {
  data::Example a;
  a.program = "schedcast.dev/corpus/chans.TestA";
  a.config = "go1.23/p2";
  a.run_id = 17;
  a.position = 40;
  a.candidates = {"GoBlock(recv) T", "GoEnd T", "GoUnblock T.0"};
  a.target_counts = {1, 0, 3};
  a.label = "GoUnblock T.0";
  data::Example b = a;
  b.position = 41;
  b.candidates = {"GoStart T", "GoStart T.0"};
  b.target_counts = {2, 2};
  b.label = "GoStart T";
  data::Example c = b;
  c.run_id = 18;
  return {a, b, c};
}

absl::Status ErrorOf(const std::string& text) {
  auto r = ParsePredictions(text, "p.jsonl", Examples());
  return r.ok() ? absl::OkStatus() : r.status();
}

TEST(Predictions, LettersArraysFloorAndCoverage) {
  const std::string text =
      R"({"program": "schedcast.dev/corpus/chans.TestA", "config": "go1.23/p2", "run_id": 17, "position": 40, "probs": {"A": 0.25, "C": 0.75}})"
      "\n\n"
      R"({"program": "schedcast.dev/corpus/chans.TestA", "config": "go1.23/p2", "run_id": 17, "position": 41, "probs": [3, 1]})"
      "\n";
  auto r = ParsePredictions(text, "p.jsonl", Examples());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->covered, 2u);
  ASSERT_EQ(r->probs.size(), 3u);
  ASSERT_TRUE(r->probs[0].has_value());
  const double sum = 1 + 1e-6;  // B was missing: it gets the floor, then all are renormalised
  EXPECT_DOUBLE_EQ((*r->probs[0])[0], 0.25 / sum);
  EXPECT_DOUBLE_EQ((*r->probs[0])[1], 1e-6 / sum);
  EXPECT_DOUBLE_EQ((*r->probs[0])[2], 0.75 / sum);
  ASSERT_TRUE(r->probs[1].has_value());
  EXPECT_DOUBLE_EQ((*r->probs[1])[0], 0.75);
  EXPECT_DOUBLE_EQ((*r->probs[1])[1], 0.25);
  EXPECT_FALSE(r->probs[2].has_value());  // no line: eval scores it as uniform
}

TEST(Predictions, ErrorsNameTheLine) {
  const std::string ok =
      R"({"program": "schedcast.dev/corpus/chans.TestA", "config": "go1.23/p2", "run_id": 17, "position": 40, "probs": {"A": 1}})"
      "\n";
  auto expect = [&](const std::string& second_line, const std::string& words) {
    const absl::Status s = ErrorOf(ok + second_line + "\n");
    ASSERT_FALSE(s.ok()) << second_line;
    const std::string msg(s.message());
    EXPECT_NE(msg.find("p.jsonl:2:"), std::string::npos) << msg;
    EXPECT_NE(msg.find(words), std::string::npos) << msg;
  };
  const std::string head = R"({"program": "schedcast.dev/corpus/chans.TestA", "config": "go1.23/p2", "run_id": 17, )";
  expect(head + R"("position": 41, "probs": {"A": 0.5, "D": 0.5}})", "unknown letter \"D\"");
  expect("{not json", "not a JSON object");
  expect(head + R"("position": 41})", "\"probs\"");
  expect(R"({"config": "go1.23/p2", "run_id": 17, "position": 41, "probs": [1, 0]})", "\"program\"");
  expect(head + R"("position": "41", "probs": [1, 0]})", "\"position\"");
  expect(head + R"("position": 99, "probs": [1, 0]})", "no example");
  expect(head + R"("position": 40, "probs": [1, 0, 0]})", "duplicate");
  expect(head + R"("position": 41, "probs": [1, 0, 0]})", "3 entries but the example has 2");
  expect(head + R"("position": 41, "probs": [-1, 2]})", "negative");
  expect(head + R"("position": 41, "probs": [0, 0]})", "all zero");
  expect(head + R"("position": 41, "probs": {"A": "high"}})", "not a number");
}

TEST(Predictions, MissingFileIsAnError) {
  auto r = ReadPredictions("/nonexistent/p.jsonl", Examples());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("/nonexistent/p.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace schedcast::eval
