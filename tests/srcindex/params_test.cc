// Program facts across parameters (and calls from the external test package) on real runs: tools/srcindex/testdata/params collected by the real
// collector (tests/srcindex/make_params_store.sh), its source index made by this build's helper.
// A channel passed to a worker function is one object inside and outside it (the index names the
// parameter by its argument), so `partner:` facts fire between the worker and its caller; a function
// started on two channels lists both as aliases of its parameter, which match either.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "data/program_facts.h"
#include "pipeline/run.h"
#include "srcindex/index.h"
#include "store/source_index.h"

namespace schedcast {
namespace {

// The facts of every candidate of every step of the program's runs, with the step's state.
struct Observed {
  std::string state, candidate;
  std::vector<std::string> facts;
};

class ParamsStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::Store::OpenExisting(SCHEDCAST_PARAMS_DB);
    ASSERT_TRUE(st.ok()) << st.status();
    st_ = std::move(*st);
    auto runs = st_->ListRuns();
    ASSERT_TRUE(runs.ok()) << runs.status();
    runs_ = std::move(*runs);
  }

  // Loads the stored index of the program's package and replays its successful runs.
  void Replay(const std::string& name, srcindex::Index* index, std::vector<Observed>* out) {
    std::vector<const store::StoredRun*> mine;
    for (const auto& r : runs_)
      if (r.program.name == name && r.outcome == store::Outcome::kOk) mine.push_back(&r);
    ASSERT_GE(mine.size(), 6u) << "the params store has too few runs of " << name;
    auto rec = store::GetSourceIndex(*st_, mine[0]->program.package, mine[0]->program.source_hash);
    ASSERT_TRUE(rec.ok()) << rec.status();
    ASSERT_TRUE(rec->has_value() && (*rec)->ok) << "no source index of " << mine[0]->program.package;
    auto idx = srcindex::Index::Parse((*rec)->data, mine[0]->program.package);
    ASSERT_TRUE(idx.ok()) << idx.status();
    *index = std::move(*idx);
    pipeline::LoadedRuns loaded = pipeline::LoadInputs(*st_, mine);
    ASSERT_TRUE(loaded.failures.empty());
    for (const pipeline::RunInput& in : loaded.inputs) {
      auto tok = pipeline::Tokenize(in, {});
      ASSERT_TRUE(tok.ok()) << tok.status();
      data::FactTracker tracker(index, tok->parsed.timeline, tok->parsed.canon, in.name);
      for (const sched::Step& step : tok->steps) {
        tracker.AdvanceTo(step.event_index);
        const auto facts = tracker.Facts(step.candidates);
        ASSERT_EQ(facts.size(), step.candidates.size());
        for (size_t i = 0; i < facts.size(); ++i) out->push_back({step.state_key, step.candidates[i], facts[i]});
      }
    }
  }

  std::unique_ptr<store::Store> st_;
  std::vector<store::StoredRun> runs_;
};

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
bool HasPrefix(const std::vector<std::string>& v, const std::string& p) {
  for (const auto& s : v)
    if (s.rfind(p, 0) == 0) return true;
  return false;
}
// The candidate's goroutine ("GoBlock(recv) T" → "T"; "GoCreate T>T.0" → "T").
std::string Who(const std::string& c) {
  std::string w = c.substr(c.rfind(' ') + 1);
  return w.substr(0, w.find('>'));
}

// The test goroutine's GoCreate candidate "GoCreate T>T.k": k, the child it would create; -1 other.
int TestChild(const std::string& candidate) {
  const std::string prefix = "GoCreate T>T.";
  if (candidate.rfind(prefix, 0) != 0 || candidate.find('.', prefix.size()) != std::string::npos) return -1;
  return std::stoi(candidate.substr(prefix.size()));
}

const srcindex::Op* OpIn(const srcindex::Index& idx, const std::string& fn, const std::string& kind) {
  for (const auto& o : idx.ops())
    if (idx.funcs()[o.func].name == fn && o.kind == kind) return &o;
  return nullptr;
}

// TestHandOff: `go produce(results, 5)` sends on its parameter `out` (chan<- int) while the test
// receives on `results` (chan int). Named apart and typed apart, no partner fact could link them
// before; now the test, about to receive while the producer is parked in its send, has
// "partner:blocked", and the parked producer has a partner (the receiving test).
TEST_F(ParamsStore, PartnerFactsFollowAChannelThroughAParameter) {
  srcindex::Index idx;
  std::vector<Observed> seen;
  ASSERT_NO_FATAL_FAILURE(Replay("TestHandOff", &idx, &seen));
  const srcindex::Op* send = OpIn(idx, "produce", "send");
  const srcindex::Op* recv = OpIn(idx, "TestHandOff", "recv");
  ASSERT_TRUE(send && recv);
  EXPECT_EQ(send->obj, recv->obj);
  EXPECT_NE(send->type, recv->type);  // chan<- int, chan int: partner_type could not say it
  size_t test_sees_parked = 0, producer_sees_test = 0, parked_steps = 0;
  for (const Observed& o : seen) {
    EXPECT_FALSE(HasPrefix(o.facts, "partner_type:")) << o.state << " " << o.candidate;
    // A blocked partner is always another goroutine parked in the trace's state.
    if (Has(o.facts, "partner:blocked")) {
      const std::string other = Who(o.candidate) == "T" ? "T.0:blk(" : "T:blk(";
      EXPECT_NE(o.state.find(other), std::string::npos) << o.state << " " << o.candidate;
    }
    if (Who(o.candidate) == "T" && o.state.find("T.0:blk(send)") != std::string::npos) {
      ++parked_steps;
      test_sees_parked += Has(o.facts, "partner:blocked");
    }
    if (Who(o.candidate) == "T.0" && HasPrefix(o.facts, "partner:")) ++producer_sees_test;
  }
  EXPECT_GT(parked_steps, 0u);
  // The test's pending op is the receive whenever the producer is parked (the loop's only op).
  EXPECT_EQ(test_sees_parked, parked_steps);
  EXPECT_GT(producer_sees_test, 0u);
}

// TestTwoFeeds: `feed(out)` is started on channels a and b; its send keeps the name `out` with
// aliases a and b, and the test's select on a and b finds its partners through them.
TEST_F(ParamsStore, AliasesMatchPartnersOnEitherChannel) {
  srcindex::Index idx;
  std::vector<Observed> seen;
  ASSERT_NO_FATAL_FAILURE(Replay("TestTwoFeeds", &idx, &seen));
  const srcindex::Op* send = OpIn(idx, "feed", "send");
  const srcindex::Op* sel = OpIn(idx, "TestTwoFeeds", "select");
  ASSERT_TRUE(send && sel);
  ASSERT_EQ(sel->cases.size(), 2u);
  EXPECT_EQ(send->aliases, (std::vector<std::string>{sel->cases[0].obj, sel->cases[1].obj}));
  size_t test_sees_parked = 0, parked_steps = 0, feeder_partner = 0;
  for (const Observed& o : seen) {
    EXPECT_FALSE(HasPrefix(o.facts, "partner_type:")) << o.state << " " << o.candidate;
    const bool feeder_parked = o.state.find(":blk(send)") != std::string::npos;
    // (With two Ps the first feeder can park before the test starts the second: the test's next op
    // is then its go statement, not the select.)
    if (Who(o.candidate) == "T" && feeder_parked && Has(o.facts, "next:select")) {
      ++parked_steps;
      test_sees_parked += Has(o.facts, "partner:blocked");
    }
    if (Who(o.candidate) != "T" && HasPrefix(o.facts, "partner:")) ++feeder_partner;
  }
  EXPECT_GT(parked_steps, 0u);
  EXPECT_EQ(test_sees_parked, parked_steps);
  EXPECT_GT(feeder_partner, 0u);
}

}  // namespace
// TestSpawnFromOutside (params_ext_test.go, package params_test): the external test package calls
// the package's Spawn — a `go func() {` in a function called from two places — from a loop and once
// after it. Its calls are call ops into Spawn (index version 8; before, the package under test was
// not loaded for its external test package and they were no op), and after each GoCreate the
// test goroutine stands at the go statement, whose line also starts the literal: the call stack of
// the event names the call it returns to (the go statement's function, not the literal's), so the
// walk comes back into the loop and reaches the next go statement: the test's GoCreate candidate
// is "walk:1" while Spawns remain (T.0 to T.3), never "walk:?".
TEST_F(ParamsStore, ExternalTestCallsReturnIntoTheLoopAfterAGoStatement) {
  srcindex::Index idx;
  std::vector<Observed> seen;
  ASSERT_NO_FATAL_FAILURE(Replay("TestSpawnFromOutside", &idx, &seen));
  const srcindex::Op* call = OpIn(idx, "TestSpawnFromOutside", "call");
  ASSERT_NE(call, nullptr) << "no call op in TestSpawnFromOutside: the external test package's calls of Spawn";
  EXPECT_EQ(idx.funcs()[call->starts].name, "Spawn");
  size_t creates = 0, walked = 0, unknown = 0;
  for (const Observed& o : seen) {
    const int child = TestChild(o.candidate);
    if (child < 0 || child > 3) continue;  // after the four Spawns
    ++creates;
    walked += Has(o.facts, "walk:1");
    unknown += Has(o.facts, "walk:?");
  }
  std::cout << "GoCreate candidates of the test goroutine before its 4th: " << creates << ", walk:1 " << walked
            << ", walk:? " << unknown << "\n";
  ASSERT_GT(creates, 0u);
  EXPECT_EQ(walked, creates);
  EXPECT_EQ(unknown, 0u);
}

// TestRoundsOfTwo: `for round < 3 { for r < 2 { go … }; wg.Wait() }`. The inner loop is nested,
// so its trips are counted per entry (events at its go statement modulo 2): with an odd number of
// children created the round is half done and the test goroutine's only next event is another
// GoCreate ("walk:only"; before nested loops were counted, the walk also left the inner loop into
// wg.Wait: GoBlock(sync) "walk:1" and no "walk:only").
TEST_F(ParamsStore, NestedCountedLoopsCountTheirTripsPerEntry) {
  srcindex::Index idx;
  std::vector<Observed> seen;
  ASSERT_NO_FATAL_FAILURE(Replay("TestRoundsOfTwo", &idx, &seen));
  size_t mid = 0, only = 0;
  for (const Observed& o : seen) {
    const int child = TestChild(o.candidate);
    if (child < 0 || child % 2 == 0) continue;  // a round's first: the previous one may or may not be over
    ++mid;
    only += Has(o.facts, "walk:only");
  }
  std::cout << "GoCreate candidates of the test goroutine mid-round: " << mid << ", walk:only " << only << "\n";
  ASSERT_GT(mid, 0u);
  EXPECT_EQ(only, mid);
}

}  // namespace schedcast
