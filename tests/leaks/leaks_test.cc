// Leak proofs on real runs: tests/leaks/progs collected by the real collector (make_leak_store.sh)
// into a real store; the CLI's exit status and JSON; Wilson intervals; legal_next with proofs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "leaks/prove.h"
#include "leaks/report.h"
#include "nlohmann/json.hpp"
#include "pipeline/run.h"
#include "sched/canon.h"
#include "sched/timeline.h"
#include "sched/token.h"
#include "store/store.h"
#include "testutil.h"

namespace schedcast::leaks {
namespace {

const char* kPkg = "schedcast.test/leakprogs";

struct AnalyzedRun {
  store::StoredRun run;
  sched::Timeline timeline;
  sched::Canonicalization canon;
  RunAnalysis analysis;
};

// Every run of `test` (of package `pkg`) in the leak store, analyzed.
std::vector<AnalyzedRun> Analyze(const std::string& test, const std::string& pkg = kPkg) {
  auto st = store::Store::OpenExisting(SCHEDCAST_LEAK_DB);
  EXPECT_TRUE(st.ok()) << st.status().message();
  if (!st.ok()) return {};
  auto runs = (*st)->ListRuns();
  EXPECT_TRUE(runs.ok());
  std::vector<AnalyzedRun> out;
  for (const auto& r : *runs) {
    if (r.program.package != pkg || r.program.name != test) continue;
    auto trace = (*st)->LoadTrace(r.id);
    EXPECT_TRUE(trace.ok()) << "run " << r.id;
    auto t = sched::BuildTimeline(*trace);
    EXPECT_TRUE(t.ok()) << "run " << r.id << ": " << t.status().message();
    if (!t.ok()) continue;
    AnalyzedRun a{r, std::move(*t), {}, {}};
    a.canon = sched::Canonicalize(a.timeline);
    const pipeline::ParsedRun parsed{a.timeline, a.canon};
    auto an = pipeline::AnalyzeLeaks(parsed, pipeline::InputOf(r, ""));
    EXPECT_TRUE(an.ok()) << "run " << r.id << ": " << an.status().message();
    if (!an.ok()) continue;
    EXPECT_TRUE(an->notes.empty()) << "run " << r.id << ": " << an->notes[0];
    a.analysis = std::move(an->analysis);
    out.push_back(std::move(a));
  }
  EXPECT_EQ(out.size(), 6u) << test << ": 3 runs x 2 Go versions expected";
  return out;
}

// site → rule ("" = suspected) of the blocked goroutines of one run.
std::map<std::string, std::string> Findings(const AnalyzedRun& a) {
  std::map<std::string, std::string> out;
  for (const AliveGoroutine* g : a.analysis.Blocked()) out[g->site] = g->proved ? g->rule : "";
  return out;
}

void ExpectEveryRun(const std::string& test, const std::map<std::string, std::string>& want) {
  for (const auto& a : Analyze(test)) {
    std::string detail;
    for (const auto& g : a.analysis.alive) detail += g.canonical + " " + g.state + " [" + g.wait + "] " + g.site + ": " + g.why + "\n";
    EXPECT_EQ(Findings(a), want) << test << " run " << a.run.id << " (go" << a.run.config.go_version << ")\n" << detail;
  }
}

TEST(LeakProofs, R1SelectNoCases) { ExpectEveryRun("TestSelectNoCases", {{"leakprogs_test.go:17", "R1"}}); }
TEST(LeakProofs, R1NilChannelSend) { ExpectEveryRun("TestNilChanSend", {{"leakprogs_test.go:28", "R1"}}); }
TEST(LeakProofs, R2aOrphanSend) { ExpectEveryRun("TestOrphanSend", {{"leakprogs_test.go:37", "R2a"}}); }
TEST(LeakProofs, R2bLockOrderCycle) {
  ExpectEveryRun("TestLockOrderCycle", {{"leakprogs_test.go:49", "R2b"}, {"leakprogs_test.go:55", "R2b"}});
}
TEST(LeakProofs, R2bSendCycle) {
  ExpectEveryRun("TestSendCycle", {{"leakprogs_test.go:65", "R2b"}, {"leakprogs_test.go:69", "R2b"}});
}
TEST(LeakProofs, R2aStuckTestGoroutineAtDeadline) {
  for (const auto& a : Analyze("TestTestGoroutineStuck")) {
    // The collector labels a deadline whose dump shows every goroutine blocked "deadlock" (the
    // runtime's own check is masked by the shim's pending watchdog timer).
    EXPECT_TRUE(a.run.outcome == store::Outcome::kDeadline || a.run.outcome == store::Outcome::kDeadlock);
    EXPECT_EQ(a.analysis.end, "deadline");
    EXPECT_EQ(Findings(a), (std::map<std::string, std::string>{{"leakprogs_test.go:132", "R2a"}})) << "run " << a.run.id;
  }
}
TEST(LeakProofs, PendingTimerIsNotProved) {
  ExpectEveryRun("TestPendingTimer", {{"leakprogs_test.go:80", ""}});
}
TEST(LeakProofs, SleepingGoroutineBlocksTheProof) {
  // The sleeper is blocked too (reason sleep), but is live: neither it nor the sender is proved.
  ExpectEveryRun("TestSleeperKeepsAlive", {{"leakprogs_test.go:93", ""}, {"leakprogs_test.go:96", ""}});
}
TEST(LeakProofs, AfterFuncHazardOnlyWhereItCanRun) {
  const std::string pkg = std::string(kPkg) + "/hazard";
  for (const auto& a : Analyze("TestOrphanWithAfterFunc", pkg)) {
    EXPECT_EQ(Findings(a), (std::map<std::string, std::string>{{"hazard_test.go:13", ""}})) << "run " << a.run.id;
    ASSERT_EQ(a.analysis.hazards.size(), 1u);
    EXPECT_EQ(a.analysis.hazards[0], "time.AfterFunc in hazard_test.go");
  }
  for (const auto& a : Analyze("TestOrphanBesideAfterFunc", pkg)) {
    EXPECT_EQ(Findings(a), (std::map<std::string, std::string>{{"hazard_test.go:21", "R2a"}})) << "run " << a.run.id;
    EXPECT_TRUE(a.analysis.hazards.empty());
  }
}
TEST(LeakProofs, CorrectProgramHasNoFinding) {
  for (const auto& a : Analyze("TestCorrectPipeline")) {
    EXPECT_TRUE(a.analysis.alive.empty()) << "run " << a.run.id;
    EXPECT_TRUE(a.analysis.hazards.empty());
  }
}

TEST(LeakDump, ParsesRealDumps) {
  for (const auto& a : Analyze("TestLockOrderCycle")) {
    ASSERT_TRUE(a.run.end_state.has_value());
    auto es = ParseEndState(*a.run.end_state);
    ASSERT_TRUE(es.ok()) << es.status().message();
    EXPECT_EQ(es->when, "exit");
    int sync_waits = 0;
    for (const auto& g : es->goroutines) {
      if (WaitClassOf(g.wait) != WaitClass::kSync) continue;
      ++sync_waits;
      ASSERT_FALSE(g.frames.empty());
      EXPECT_GT(g.frames.back().line, 0u);
      EXPECT_NE(g.created_by.file.find("leakprogs_test.go"), std::string::npos) << g.created_by.file;
    }
    EXPECT_EQ(sync_waits, 2) << *a.run.end_state;
  }
  EXPECT_FALSE(ParseEndState("goroutine 1 [running]:\n").ok());
}

TEST(LeakWilson, KnownValues) {
  auto near = [](Interval i, double lo, double hi) {
    EXPECT_NEAR(i.lo, lo, 5e-4);
    EXPECT_NEAR(i.hi, hi, 5e-4);
  };
  near(Wilson(0, 10), 0.0, 0.2775);
  near(Wilson(5, 10), 0.2366, 0.7634);
  near(Wilson(10, 10), 0.7225, 1.0);
  near(Wilson(3, 6), 0.1876, 0.8124);
  near(Wilson(0, 0), 0.0, 0.0);
}

// A goroutine that blocks inside a function its literal calls: the site is the innermost user
// frame (the helper's receive), and the literal's call line is among the site's callers (from the
// end-of-run dump), so a manifest marking the call line finds it (Evaluate).
TEST(LeakProofs, CallersOfTheBlockingFunctionAreKept) {
  ExpectEveryRun("TestOrphanInHelper", {{"leakprogs_test.go:137", "R2a"}});
  auto r = testutil::RunCommand({SCHEDCAST_BIN, "leaks", "--store", SCHEDCAST_LEAK_DB, "--json", "--program",
                                 "TestOrphanInHelper"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["programs"].size(), 1u);
  ASSERT_EQ(j["programs"][0]["sites"].size(), 1u);
  const auto& site = j["programs"][0]["sites"][0];
  EXPECT_EQ(site["site"], "leakprogs_test.go:137");
  EXPECT_EQ(site["callers"], nlohmann::json::array({"leakprogs_test.go:145"})) << site.dump();

  // Evaluated against a manifest that marks the call line (as corpus/README.md asks when the
  // blocking statement is in a package the test calls): the expected site is found, proved.
  std::vector<ManifestTest> manifest(1);
  manifest[0].package = j["programs"][0]["package"];
  manifest[0].name = "TestOrphanInHelper";
  manifest[0].bug = "leak";
  manifest[0].block_sites = {"leakprogs_test.go:145"};
  LeakAggregator agg;
  for (const AnalyzedRun& a : Analyze("TestOrphanInHelper")) agg.Add(a.run, a.analysis);
  const nlohmann::ordered_json ev = Evaluate(agg.Finish(), manifest);
  ASSERT_EQ(ev["tests"].size(), 1u) << ev.dump();
  EXPECT_TRUE(ev["tests"][0]["block_sites"][0]["proved"].get<bool>()) << ev.dump();
  EXPECT_TRUE(ev["tests"][0]["block_sites"][0]["goleak"].get<bool>()) << ev.dump();
}

TEST(LeakCli, ExitStatusAndJson) {
  auto r = testutil::RunCommand({SCHEDCAST_BIN, "leaks", "--store", SCHEDCAST_LEAK_DB, "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["proved_leaks"].get<bool>());
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& p : j["programs"]) by_name[p["name"].get<std::string>()] = p;
  ASSERT_TRUE(by_name.count("TestOrphanSend"));
  const auto& orphan = by_name["TestOrphanSend"];
  EXPECT_EQ(orphan["runs"], 6);
  EXPECT_EQ(orphan["analyzed"], 6);
  ASSERT_EQ(orphan["sites"].size(), 1u);
  const auto& s = orphan["sites"][0];
  EXPECT_EQ(s["site"], "leakprogs_test.go:37");
  EXPECT_EQ(s["status"], "proved");
  EXPECT_EQ(s["rule"], "R2a");
  EXPECT_EQ(s["wait"], "chan send");
  EXPECT_EQ(s["runs"], 6);
  EXPECT_DOUBLE_EQ(s["rate"].get<double>(), 1.0);
  EXPECT_NEAR(s["ci95"][0].get<double>(), Wilson(6, 6).lo, 1e-9);
  EXPECT_EQ(s["ci95"][1].get<double>(), 1.0);
  EXPECT_FALSE(s["example_runs"].empty());
  EXPECT_LE(s["example_runs"].size(), 3u);
  EXPECT_TRUE(by_name["TestCorrectPipeline"]["sites"].empty());
  EXPECT_FALSE(by_name["TestCorrectPipeline"]["proved"].get<bool>());
  ASSERT_EQ(by_name["TestPendingTimer"]["sites"].size(), 1u);
  EXPECT_EQ(by_name["TestPendingTimer"]["sites"][0]["status"], "suspected");

  // Only programs without a proved leak: exit status 0.
  auto ok = testutil::RunCommand({SCHEDCAST_BIN, "leaks", "--store", SCHEDCAST_LEAK_DB, "--program", "TestPendingTimer"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("suspected  leakprogs_test.go:80"), std::string::npos) << ok.out;
  auto text = testutil::RunCommand({SCHEDCAST_BIN, "leaks", "--store", SCHEDCAST_LEAK_DB, "--program", "TestNilChanSend"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("PROVED R1  leakprogs_test.go:28"), std::string::npos) << text.out;
  auto help = testutil::RunCommand({SCHEDCAST_BIN, "leaks", "--help"});
  EXPECT_NE(help.out.find("Exit status"), std::string::npos);
  auto missing = testutil::RunCommand({SCHEDCAST_BIN, "leaks", "--store", "/nonexistent/x.db"});
  EXPECT_EQ(missing.exit_code, 3);
}

// With proofs, no candidate set offers the GoUnblock of a proved-permanent goroutine, and every
// observed event is still one of the candidates; without them, the R1 goroutine's GoUnblock is offered.
TEST(LeakLegalNext, ProvedPermanentGoroutinesAreNeverUnblockCandidates) {
  size_t proved = 0, steps_after_proof = 0;
  for (const char* test : {"TestSelectNoCases", "TestNilChanSend", "TestOrphanSend", "TestLockOrderCycle",
                           "TestSendCycle", "TestTestGoroutineStuck", "TestCorrectPipeline", "TestPendingTimer"}) {
    for (const auto& a : Analyze(test)) {
      for (bool include_runtime : {false, true}) {
        sched::TokenizeOptions opt;
        opt.include_runtime = include_runtime;
        opt.permanent = PermanentOf(a.analysis);
        proved += opt.permanent.size();
        auto steps = sched::Tokenize(a.timeline, a.canon, opt);
        ASSERT_TRUE(steps.ok()) << steps.status().message();
        for (const auto& s : *steps) {
          EXPECT_TRUE(std::binary_search(s.candidates.begin(), s.candidates.end(), s.base_token))
              << test << " run " << a.run.id << " event " << s.event_index << ": " << s.base_token;
          for (const auto& [g, from] : opt.permanent) {
            if (s.event_index <= from) continue;
            ++steps_after_proof;
            const std::string unblock = "GoUnblock " + a.canon.Of(g).path;
            EXPECT_FALSE(std::binary_search(s.candidates.begin(), s.candidates.end(), unblock))
                << test << " run " << a.run.id << " event " << s.event_index << " offers " << unblock;
          }
        }
      }
    }
  }
  EXPECT_GT(proved, 0u);
  EXPECT_GT(steps_after_proof, 0u);

  // The R1 goroutine T.0 blocks before the test goroutine ends (in most runs: on a loaded machine
  // the test goroutine may end before T.0 first runs): without the proof the end of T is then
  // preceded by candidate sets offering "GoUnblock T.0"; with it, never.
  size_t runs_offering = 0;
  for (const auto& a : Analyze("TestSelectNoCases")) {
    sched::TokenizeOptions with, without;
    with.permanent = PermanentOf(a.analysis);
    ASSERT_EQ(with.permanent.size(), 1u);
    auto sw = sched::Tokenize(a.timeline, a.canon, with);
    auto so = sched::Tokenize(a.timeline, a.canon, without);
    ASSERT_TRUE(sw.ok() && so.ok());
    size_t offered_without = 0, offered_with = 0;
    for (const auto& s : *so) offered_without += std::count(s.candidates.begin(), s.candidates.end(), "GoUnblock T.0");
    for (const auto& s : *sw) offered_with += std::count(s.candidates.begin(), s.candidates.end(), "GoUnblock T.0");
    runs_offering += offered_without > 0;
    EXPECT_EQ(offered_with, 0u) << "run " << a.run.id;
  }
  EXPECT_GT(runs_offering, 0u) << "no run of TestSelectNoCases offered GoUnblock T.0 without the proof";
}

// `schedcast dataset build` uses the proofs by default; --no-leak-proofs restores the plain legal set.
TEST(LeakCli, DatasetBuildUsesProofsByDefault) {
  const std::string dir = std::string(SCHEDCAST_LEAK_DB) + ".datasets";
  auto count_unblock = [&](const std::string& out, bool no_proofs) {
    std::vector<std::string> args = {SCHEDCAST_BIN, "dataset", "build", "--store", SCHEDCAST_LEAK_DB, "--out", out,
                                      "--min-visits", "1"};
    if (no_proofs) args.push_back("--no-leak-proofs");
    auto r = testutil::RunCommand(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    size_t n = 0, examples = 0;
    for (const char* split : {"train", "validation", "test"}) {
      std::ifstream in(out + "/" + split + ".jsonl");
      for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line);
        if (j["program"].get<std::string>().find("TestSelectNoCases") == std::string::npos) continue;
        ++examples;
        for (const auto& c : j["candidates"]) n += c.get<std::string>() == "GoUnblock T.0";
      }
    }
    EXPECT_GT(examples, 0u);
    return n;
  };
  std::filesystem::create_directories(dir);
  EXPECT_GT(count_unblock(dir + "/without", true), 0u);
  EXPECT_EQ(count_unblock(dir + "/with", false), 0u);
}

}  // namespace
}  // namespace schedcast::leaks
