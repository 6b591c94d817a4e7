// The one run pipeline (pipeline/run.h) on real runs: the leak store (tests/leaks/progs collected by
// the real collector). Checks the policy every consumer now shares: proofs applied by Tokenize, the
// replayed state of StateBefore equal to the tokenizer's at every step, and unreadable end-state
// dumps falling back to the trace-only rules with a note.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "pipeline/run.h"
#include "sched/token.h"
#include "store/store.h"

namespace schedcast::pipeline {
namespace {

std::vector<RunInput> LeakStoreRuns(const std::string& test) {
  auto st = store::Store::OpenExisting(SCHEDCAST_LEAK_DB);
  EXPECT_TRUE(st.ok()) << st.status().message();
  if (!st.ok()) return {};
  auto runs = (*st)->ListRuns();
  EXPECT_TRUE(runs.ok());
  std::vector<const store::StoredRun*> sel;
  for (const auto& r : *runs)
    if (r.program.name == test) sel.push_back(&r);
  LoadedRuns loaded = LoadInputs(**st, sel);
  EXPECT_TRUE(loaded.failures.empty()) << loaded.failures[0].Describe();
  std::vector<RunInput> out = std::move(loaded.inputs);
  EXPECT_EQ(out.size(), sel.size());
  for (const auto& in : out) {
    EXPECT_EQ(in.name, test);
    EXPECT_FALSE(in.source_dir.empty());
    EXPECT_FALSE(in.trace.empty());
  }
  return out;
}

// site → rule ("" = suspected) of the blocked goroutines.
std::map<std::string, std::string> Findings(const leaks::RunAnalysis& a) {
  std::map<std::string, std::string> out;
  for (const leaks::AliveGoroutine* g : a.Blocked()) out[g->site] = g->proved ? g->rule : "";
  return out;
}

TEST(Pipeline, TokenizeAppliesProofsAndStateBeforeReplaysTheTokenizer) {
  size_t runs = 0, perm_steps = 0;
  for (const char* test : {"TestOrphanSend", "TestLockOrderCycle", "TestSelectNoCases", "TestSleeperKeepsAlive"}) {
    for (const RunInput& in : LeakStoreRuns(test)) {
      TokenizeOptions with;
      auto run = Tokenize(in, with);
      ASSERT_TRUE(run.ok()) << test << " run " << in.run_id << ": " << run.status().message();
      TokenizeOptions without = with;
      without.leak_proofs = false;
      auto plain = Tokenize(in, without);
      ASSERT_TRUE(plain.ok());
      EXPECT_TRUE(plain->permanent.empty());
      ASSERT_EQ(run->steps.size(), plain->steps.size());
      ++runs;
      for (size_t i = 0; i < run->steps.size(); ++i) {
        const sched::Step& s = run->steps[i];
        EXPECT_EQ(s.token, plain->steps[i].token) << "proofs change candidates, never the observed events";
        perm_steps += s.state_key.find(",perm") != std::string::npos;
        std::unordered_map<uint64_t, int> children;
        auto st = StateBefore(*run, s.event_index, &children);
        ASSERT_TRUE(st.ok()) << st.status().message();
        EXPECT_EQ(sched::StateKey(*st, run->parsed.canon), s.state_key) << test << " run " << in.run_id << " step " << i;
      }
    }
  }
  EXPECT_GT(runs, 10u);
  EXPECT_GT(perm_steps, 0u) << "the leak programs' proofs must show up in the state keys";
}

TEST(Pipeline, UnreadableDumpFallsBackToTraceOnlyRulesWithANote) {
  size_t compared = 0;
  for (const char* test : {"TestSelectNoCases", "TestOrphanSend"}) {
    for (RunInput in : LeakStoreRuns(test)) {
      ASSERT_FALSE(in.end_state.empty()) << "the collector stores an end state for every run";
      auto parsed = Parse(in.trace);
      ASSERT_TRUE(parsed.ok());
      auto real = AnalyzeLeaks(*parsed, in);
      ASSERT_TRUE(real.ok());
      EXPECT_TRUE(real->notes.empty());
      RunInput none = in, bad = in;
      none.end_state.clear();
      bad.end_state = "not a dump\n" + in.end_state;
      auto a_none = AnalyzeLeaks(*parsed, none);
      auto a_bad = AnalyzeLeaks(*parsed, bad);
      ASSERT_TRUE(a_none.ok() && a_bad.ok());
      EXPECT_TRUE(a_none->notes.empty());
      ASSERT_EQ(a_bad->notes.size(), 1u);
      EXPECT_NE(a_bad->notes[0].find("trace-only"), std::string::npos) << a_bad->notes[0];
      EXPECT_EQ(Findings(a_bad->analysis), Findings(a_none->analysis)) << test << " run " << in.run_id;
      EXPECT_EQ(a_bad->analysis.end, "");
      EXPECT_EQ(real->analysis.end.empty(), false);
      ++compared;
    }
  }
  EXPECT_GT(compared, 0u);
  // R1 needs the dump's wait reason: with the real dump select{} is proved, without it not by R1.
  for (const RunInput& in : LeakStoreRuns("TestSelectNoCases")) {
    auto parsed = Parse(in.trace);
    ASSERT_TRUE(parsed.ok());
    auto real = AnalyzeLeaks(*parsed, in);
    ASSERT_TRUE(real.ok());
    EXPECT_EQ(Findings(real->analysis), (std::map<std::string, std::string>{{"leakprogs_test.go:17", "R1"}}));
  }
}

TEST(Pipeline, ParseErrorsNameTheOffset) {
  RunInput in;
  in.trace = std::string("go 1.22 trace\0\0\0", 16) + "garbage";
  auto run = Tokenize(in, TokenizeOptions{});
  ASSERT_FALSE(run.ok());
  EXPECT_NE(std::string(run.status().message()).find("offset"), std::string::npos) << run.status().message();
}

}  // namespace
}  // namespace schedcast::pipeline
