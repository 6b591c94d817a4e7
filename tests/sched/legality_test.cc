// The state machine's invariant over real traces: every observed scheduling event is in the legal
// set of the state before it (Tokenize fails, naming run, event index and state, otherwise).
// Runs over every trace that every installed Go toolchain wrote for tests/traceprogs.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "common/status.h"
#include "sched/canon.h"
#include "sched/timeline.h"
#include "sched/token.h"
#include "test_paths.h"
#include "testutil.h"

namespace schedcast::sched {
namespace {

TEST(Legality, EveryObservedEventIsLegalInEveryGeneratedTrace) {
  const auto traces = testutil::GeneratedTraces();
  ASSERT_GE(traces.size(), 40u);
  size_t events = 0, steps_checked = 0;
  std::map<std::string, size_t> events_of;  // per Go version
  for (const auto& path : traces) {
    auto data = ReadFileToString(path);
    ASSERT_TRUE(data.ok()) << data.status();
    auto t = BuildTimeline(*data);
    ASSERT_TRUE(t.ok()) << path << ": " << t.status();
    const Canonicalization canon = Canonicalize(*t);
    TokenizeOptions opt;
    opt.include_runtime = true;
    auto steps = Tokenize(*t, canon, opt);
    ASSERT_TRUE(steps.ok()) << path << ": " << steps.status();
    for (const Step& s : *steps) {
      ASSERT_TRUE(std::binary_search(s.candidates.begin(), s.candidates.end(), s.base_token))
          << path << " event " << s.event_index << ": " << s.base_token << " not among candidates";
    }
    events += t->events.size();
    events_of[testutil::GoVersionOfTraceName(path)] += t->events.size();
    steps_checked += steps->size();
  }
  // Every toolchain gen.sh used (1.19 - 1.27, whatever is installed) contributed checked events.
  for (const std::string& v : testutil::GeneratedVersions()) {
    EXPECT_GT(events_of[v], 1000u) << "go" << v;
    std::cout << "go" << v << ": " << events_of[v] << " events legal\n";
  }
  std::cout << "checked " << steps_checked << " steps over " << events << " events in " << traces.size() << " traces\n";
  EXPECT_GT(events, 10000u);
}

// The call sites above an event's site (Timeline::callers) are the user frames of its stack: in
// tests/traceprogs the scenarios are functions main calls through `fn(*n)`, so the main goroutine's
// events inside a scenario name main.main at that line as their caller, with nothing above it
// (runtime.main is the distribution's); the goroutines a scenario starts have no callers (goexit).
TEST(Callers, ScenarioEventsNameTheCallInMainInEveryGeneratedTrace) {
  int call_line = 0, n = 0;
  std::ifstream in(std::string(SCHEDCAST_SOURCE_DIR) + "/tests/traceprogs/main.go");
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find("\tfn(*n)") != std::string::npos) call_line = n;
  }
  ASSERT_GT(call_line, 0) << "tests/traceprogs/main.go calls its scenario as fn(*n)";
  size_t checked = 0;
  for (const auto& path : testutil::GeneratedTraces()) {
    if (path.find("/unbuffered-") == std::string::npos && path.find("/mutex-") == std::string::npos) continue;
    auto data = ReadFileToString(path);
    ASSERT_TRUE(data.ok()) << data.status();
    auto t = BuildTimeline(*data);
    ASSERT_TRUE(t.ok()) << path << ": " << t.status();
    const Canonicalization canon = Canonicalize(*t);
    ASSERT_FALSE(t->callers.empty()) << path;
    EXPECT_TRUE(t->callers[0].empty()) << path << ": chain 0 is none";
    for (const Event& e : t->events) {
      if (e.site == 0 || e.kind == Kind::kGoCreate) continue;
      ASSERT_LT(e.callers, t->callers.size()) << path;
      const std::vector<uint32_t>& chain = t->callers[e.callers];
      const std::string& func = t->sites[e.site].func;
      if (e.g == canon.root && (func == "main.unbuffered" || func == "main.mutex")) {
        ASSERT_EQ(chain.size(), 1u) << path << " event " << e.source_index << " in " << func;
        EXPECT_EQ(t->sites[chain[0]].func, "main.main") << path;
        EXPECT_EQ(t->sites[chain[0]].line, static_cast<uint64_t>(call_line)) << path;
        ++checked;
      } else if (e.g != canon.root && e.kind == Kind::kGoBlock) {
        EXPECT_TRUE(chain.empty()) << path << " event " << e.source_index << " of a started goroutine in " << func;
      }
    }
  }
  EXPECT_GT(checked, 20u) << "the main goroutine's events inside the scenarios";
}

TEST(Canonical, MainGoroutineIsRootAndChildrenAreNumberedInCreationOrder) {
  // traceprogs is a package main program: the root is main's goroutine "M".
  for (const auto& path : testutil::GeneratedTraces()) {
    if (path.find("/waitgroup-") == std::string::npos) continue;
    auto data = ReadFileToString(path);
    ASSERT_TRUE(data.ok());
    auto t = BuildTimeline(*data);
    ASSERT_TRUE(t.ok()) << path << ": " << t.status();
    const Canonicalization canon = Canonicalize(*t);
    ASSERT_NE(canon.root, 0u) << path;
    EXPECT_EQ(canon.Of(canon.root).path, "M") << path;
    int children = 0;
    for (const auto& [raw, id] : canon.ids)
      if (id.path.rfind("M.", 0) == 0 && id.path.find('.', 2) == std::string::npos) {
        ++children;
        EXPECT_NE(id.create_site.find("main.go:"), std::string::npos) << path << " " << id.Full();
      }
    EXPECT_GE(children, 20) << path;  // the scenario starts 20 goroutines from main
  }
}

}  // namespace
}  // namespace schedcast::sched
