// Unit tests of the scheduler state machine's legality rules (the invariant over real traces is
// checked in legality_test.cc).
#include "sched/state.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace schedcast::sched {
namespace {

Event Ev(Kind k, uint64_t g, uint64_t peer = 0, Reason r = Reason::kNone) {
  Event e;
  e.kind = k;
  e.g = g;
  e.peer = peer;
  e.reason = r;
  return e;
}

bool Has(const std::vector<Candidate>& v, Candidate c) { return std::find(v.begin(), v.end(), c) != v.end(); }

TEST(State, LifecycleOfAGoroutine) {
  State s;
  s.AddInitial(1, GState::kRunning);
  ASSERT_TRUE(s.Apply(Ev(Kind::kGoCreate, 1, 2), 0).ok());
  EXPECT_TRUE(Has(s.LegalNext(), {Kind::kGoStart, Reason::kNone, 2, 0}));
  EXPECT_FALSE(s.Matches(Ev(Kind::kGoBlock, 2, 0, Reason::kRecv)));  // runnable cannot block
  ASSERT_TRUE(s.Apply(Ev(Kind::kGoBlock, 1, 0, Reason::kSend), 1).ok());
  ASSERT_TRUE(s.Apply(Ev(Kind::kGoStart, 2), 2).ok());
  EXPECT_TRUE(Has(s.LegalNext(), {Kind::kGoUnblock, Reason::kNone, 0, 1}));
  ASSERT_TRUE(s.Apply(Ev(Kind::kGoUnblock, 2, 1), 3).ok());
  ASSERT_TRUE(s.Apply(Ev(Kind::kGoEnd, 2), 4).ok());
  EXPECT_FALSE(s.Matches(Ev(Kind::kGoStart, 2)));  // done is final
  auto err = s.Apply(Ev(Kind::kGoEnd, 2), 5);
  EXPECT_FALSE(err.ok());
  EXPECT_NE(std::string(err.message()).find("event 5"), std::string::npos) << err;
}

TEST(State, PermanentlyBlockedGoroutineHasNoUnblockCandidate) {
  State s;
  s.AddInitial(1, GState::kRunning);
  s.AddInitial(7, GState::kBlocked, Reason::kSelect);
  EXPECT_TRUE(Has(s.LegalNext(), {Kind::kGoUnblock, Reason::kNone, 0, 7}));
  s.MarkPermanent(7);
  EXPECT_FALSE(Has(s.LegalNext(), {Kind::kGoUnblock, Reason::kNone, 0, 7}));
  EXPECT_FALSE(s.Matches(Ev(Kind::kGoUnblock, 1, 7)));
}

TEST(State, SyscallsAndEveryObservedEventMatchesItsCandidate) {
  State s;
  s.AddInitial(1, GState::kRunning);
  std::vector<Event> evs = {Ev(Kind::kSyscall, 1), Ev(Kind::kSyscallBlock, 1), Ev(Kind::kSyscallExit, 1),
                            Ev(Kind::kGoStart, 1), Ev(Kind::kGoPreempt, 1), Ev(Kind::kGoStart, 1)};
  for (size_t i = 0; i < evs.size(); ++i) {
    ASSERT_TRUE(Has(s.LegalNext(), CandidateOf(evs[i]))) << i;
    ASSERT_TRUE(s.Apply(evs[i], i).ok()) << i;
  }
  EXPECT_EQ(s.CountIn(GState::kRunning), 1);
}

}  // namespace
}  // namespace schedcast::sched
