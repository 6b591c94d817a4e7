// Unit tests of the v1 (Go <= 1.21) trace parser: real traces from tests/traceprogs (ordering
// invariants, links, stacks), hand-built traces whose expected dump was checked against
// `go tool trace -d` of Go 1.19 and 1.21, and malformed input (every error names an offset).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "common/status.h"
#include "gotrace/v1/dump.h"
#include "gotrace/v1/parser.h"
#include "testutil.h"

namespace schedcast::gotrace::v1 {
namespace {

using namespace std::string_literals;

// ---- generated traces -------------------------------------------------------------------------

struct NamedTrace {
  std::string path;
  std::string data;
};

// Every go1.19 / go1.21 trace gen.sh wrote. Fails (never skips) when there are none.
std::vector<NamedTrace> V1Traces() {
  std::vector<NamedTrace> out;
  for (const auto& p : testutil::GeneratedTraces()) {
    const std::string v = testutil::GoVersionOfTraceName(p);
    if (v != "1.19" && v != "1.21") continue;
    auto d = ReadFileToString(p);
    EXPECT_TRUE(d.ok()) << d.status();
    if (d.ok()) out.push_back({p, std::move(*d)});
  }
  EXPECT_GE(out.size(), 20u) << "expected go1.19 and go1.21 traces in " << SCHEDCAST_TRACE_DIR
                             << " (written by the gen_traces fixture)";
  return out;
}

const std::vector<NamedTrace>& Traces() {
  static const std::vector<NamedTrace> traces = V1Traces();
  return traces;
}

bool IsBlocking(uint8_t t) {
  switch (t) {
    case kEvGoSleep: case kEvGoBlock: case kEvGoBlockSend: case kEvGoBlockRecv: case kEvGoBlockSelect:
    case kEvGoBlockSync: case kEvGoBlockCond: case kEvGoBlockNet: case kEvGoBlockGC:
      return true;
    default:
      return false;
  }
}

bool EndsRun(uint8_t t) {
  return IsBlocking(t) || t == kEvGoEnd || t == kEvGoStop || t == kEvGoSched || t == kEvGoPreempt ||
         t == kEvGoSysBlock;
}

TEST(V1Parse, GeneratedTracesParseWithOrderedTimestamps) {
  ASSERT_FALSE(Traces().empty());
  for (const auto& [path, data] : Traces()) {
    SCOPED_TRACE(path);
    auto t = Parse(data);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->version(), testutil::GoVersionOfTraceName(path) == "1.19" ? 1019 : 1021);
    const auto& ev = t->events();
    ASSERT_FALSE(ev.empty());
    EXPECT_EQ(ev.front().ts, 0) << "Go normalises the first event to time 0";
    std::set<uint32_t> offsets;
    for (size_t i = 0; i < ev.size(); ++i) {
      if (i > 0) {
        ASSERT_LE(ev[i - 1].ts, ev[i].ts) << "event " << i;
      }
      ASSERT_LT(ev[i].type, kEvCount);
      // Folded away by the merge; never in the output.
      ASSERT_NE(ev[i].type, kEvGoStartLocal);
      ASSERT_NE(ev[i].type, kEvGoUnblockLocal);
      ASSERT_NE(ev[i].type, kEvGoSysExitLocal);
      ASSERT_NE(ev[i].type, kEvBatch);
      ASSERT_NE(ev[i].type, kEvStack);
      ASSERT_NE(ev[i].type, kEvString);
      ASSERT_GE(ev[i].off, 16u);
      ASSERT_LT(ev[i].off, data.size());
      ASSERT_TRUE(offsets.insert(ev[i].off).second) << "two events at offset " << ev[i].off;
      if (ev[i].type == kEvGoSysExit) {
        EXPECT_EQ(ev[i].p, kSyscallP);
      }
      if (ev[i].type == kEvGCStart) {
        EXPECT_EQ(ev[i].p, kGCP);
      }
    }
  }
}

TEST(V1Parse, GoroutineLifecycleIsConsistent) {
  for (const auto& [path, data] : Traces()) {
    SCOPED_TRACE(path);
    auto t = Parse(data);
    ASSERT_TRUE(t.ok()) << t.status();
    // Replay: a goroutine runs on at most one P, and a P runs at most one goroutine.
    std::map<int, uint64_t> running_on_p;
    std::map<uint64_t, int> p_of_g;
    for (const Event& e : t->events()) {
      if (e.type == kEvGoStart || e.type == kEvGoStartLabel) {
        ASSERT_EQ(running_on_p[e.p], 0u) << "P " << e.p << " already runs a goroutine at off " << e.off;
        ASSERT_EQ(p_of_g.count(e.g), 0u) << "g " << e.g << " already running at off " << e.off;
        running_on_p[e.p] = e.g;
        p_of_g[e.g] = e.p;
      } else if (EndsRun(e.type)) {
        ASSERT_EQ(running_on_p[e.p], e.g) << "off " << e.off;
        running_on_p[e.p] = 0;
        p_of_g.erase(e.g);
      }
    }
  }
}

TEST(V1Parse, LinksPointForwardToTheMatchingEvent) {
  size_t creates = 0, unblocks = 0, blocks = 0, starts = 0;
  for (const auto& [path, data] : Traces()) {
    SCOPED_TRACE(path);
    auto t = Parse(data);
    ASSERT_TRUE(t.ok()) << t.status();
    const auto& ev = t->events();
    for (uint32_t i = 0; i < ev.size(); ++i) {
      const Event& e = ev[i];
      if (e.link == kNoEvent) continue;
      ASSERT_LT(e.link, ev.size());
      ASSERT_GT(e.link, i) << "links go forward";
      const Event& l = ev[e.link];
      SCOPED_TRACE(Cat(t->TypeName(e), " at off ", e.off, " -> ", t->TypeName(l), " at off ", l.off));
      if (e.type == kEvGoCreate) {
        ++creates;
        EXPECT_TRUE(l.type == kEvGoStart || l.type == kEvGoStartLabel);
        EXPECT_EQ(l.g, e.args[0]);
        EXPECT_EQ(l.stack_id, e.args[1]) << "GoStart carries the creation stack";
      } else if (e.type == kEvGoUnblock) {
        ++unblocks;
        EXPECT_TRUE(l.type == kEvGoStart || l.type == kEvGoStartLabel);
        EXPECT_EQ(l.g, e.args[0]);
      } else if (IsBlocking(e.type)) {
        ++blocks;
        EXPECT_EQ(l.type, kEvGoUnblock);
        EXPECT_EQ(l.args[0], e.g);
      } else if (e.type == kEvGoStart || e.type == kEvGoStartLabel) {
        ++starts;
        EXPECT_TRUE(EndsRun(l.type));
        EXPECT_EQ(l.g, e.g);
      } else if (e.type == kEvGCStart) {
        EXPECT_EQ(l.type, kEvGCDone);
      } else if (e.type == kEvSTWStart) {
        EXPECT_EQ(l.type, kEvSTWDone);
      } else if (e.type == kEvGCSweepStart) {
        EXPECT_EQ(l.type, kEvGCSweepDone);
      } else if (e.type == kEvGCMarkAssistStart) {
        EXPECT_EQ(l.type, kEvGCMarkAssistDone);
      } else if (e.type == kEvUserTaskCreate) {
        EXPECT_EQ(l.type, kEvUserTaskEnd);
        EXPECT_EQ(l.args[0], e.args[0]);
      } else if (e.type == kEvUserRegion) {
        EXPECT_EQ(e.args[1], 0u) << "only region starts link";
        EXPECT_TRUE(l.type == kEvUserRegion || l.type == kEvGoEnd);
      }
    }
  }
  EXPECT_GT(creates, 0u);
  EXPECT_GT(unblocks, 0u);
  EXPECT_GT(blocks, 0u);
  EXPECT_GT(starts, 0u);
}

TEST(V1Parse, StacksResolveToMainGoFrames) {
  for (const auto& [path, data] : Traces()) {
    SCOPED_TRACE(path);
    auto t = Parse(data);
    ASSERT_TRUE(t.ok()) << t.status();
    ASSERT_GT(t->num_stacks(), 0u);
    ASSERT_GT(t->num_strings(), 0u);
    bool main_frame = false;
    for (uint64_t id : t->StackIds()) {
      auto frames = t->Stack(id);
      ASSERT_FALSE(frames.empty()) << "stack " << id;
      for (const Frame& f : frames) {
        // The runtime occasionally records an empty frame (pc 0, no symbol); any other resolves.
        if (f.pc == 0) continue;
        EXPECT_FALSE(f.func.empty()) << "stack " << id;
        EXPECT_FALSE(f.file.empty()) << "stack " << id;
        if (f.file.ends_with("/main.go") && f.func.starts_with("main.") && f.line > 0) main_frame = true;
      }
    }
    EXPECT_TRUE(main_frame) << "no frame of the traced program's main.go";
    // Every goroutine created by the program's code has a stack whose innermost frame resolves.
    for (const Event& e : t->events()) {
      if (e.type != kEvGoCreate || e.stack_id == 0) continue;
      EXPECT_FALSE(t->Stack(e.stack_id).empty()) << "GoCreate at off " << e.off;
    }
  }
}

TEST(V1Parse, AnnotatedTracesCarryTaskAndRegionNames) {
  size_t found = 0;
  for (const auto& [path, data] : Traces()) {
    if (path.find("annotated") == std::string::npos) continue;
    SCOPED_TRACE(path);
    auto t = Parse(data);
    ASSERT_TRUE(t.ok()) << t.status();
    for (const Event& e : t->events()) {
      if (e.type == kEvUserTaskCreate || e.type == kEvUserRegion) {
        ++found;
        EXPECT_EQ(t->NumSArgs(e), 1);
        EXPECT_FALSE(t->SArg(e, 0).empty());
        EXPECT_EQ(t->SArg(e, 0), t->String(t->Arg(e, 2)));
      }
    }
  }
  EXPECT_GT(found, 0u) << "no annotated-*.trace with tasks/regions";
}

TEST(V1Stats, CountsAgreeWithParse) {
  for (const auto& [path, data] : Traces()) {
    SCOPED_TRACE(path);
    auto t = Parse(data);
    auto s = ComputeStats(data);
    ASSERT_TRUE(t.ok() && s.ok());
    EXPECT_EQ(s->format, "v1");
    EXPECT_EQ(s->version, t->version());
    EXPECT_EQ(s->events, t->events().size());
    uint64_t sum = 0;
    for (const auto& [name, n] : s->events_by_type) sum += n;
    EXPECT_EQ(sum, s->events);
    EXPECT_GT(s->events_by_type.at("GoCreate"), 0u);
    EXPECT_GE(s->goroutines, 2u);
    EXPECT_GE(s->procs, 1u);
    EXPECT_EQ(s->min_ts, 0);
    EXPECT_EQ(s->max_ts, t->events().back().ts);
    EXPECT_EQ(s->stacks, t->num_stacks());
    EXPECT_EQ(s->strings, t->num_strings());
  }
}

TEST(V1Dump, OneLinePerEventInGoFormat) {
  const auto& [path, data] = Traces().front();
  auto t = Parse(data);
  ASSERT_TRUE(t.ok());
  std::ostringstream out;
  ASSERT_TRUE(Dump(data, out).ok());
  std::istringstream lines(out.str());
  // (string arguments such as log messages may contain spaces)
  static const std::regex re("^-?[0-9]+ [A-Za-z]+ p=-?[0-9]+ g=[0-9]+ off=[0-9]+( [a-z]+=.*)*$");
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line)) {
    ASSERT_TRUE(std::regex_match(line, re)) << line;
    ++n;
  }
  EXPECT_EQ(n, t->events().size());
}

// ---- hand-built traces --------------------------------------------------------------------------

void PutVarint(std::string& s, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    s.push_back(static_cast<char>(v ? b | 0x80 : b));
  } while (v);
}

// One event record: inline when it has < 4 arguments, else length-prefixed.
std::string Ev(uint8_t type, std::initializer_list<uint64_t> args) {
  std::string body;
  for (uint64_t a : args) PutVarint(body, a);
  std::string out;
  if (args.size() < 4) {
    out.push_back(static_cast<char>(type | ((args.size() - 1) << 6)));
    return out + body;
  }
  out.push_back(static_cast<char>(type | (3 << 6)));
  PutVarint(out, body.size());
  return out + body;
}

std::string Str(uint64_t id, std::string_view s) {
  std::string out(1, static_cast<char>(kEvString));
  PutVarint(out, id);
  PutVarint(out, s.size());
  return out.append(s);
}

std::string Header(int minor) { return Cat("go 1.", minor, " trace") + std::string(3, '\0'); }

// Two Ps; P1's batch comes first in the file but starts a goroutine P0 creates later in the file.
std::string HandTrace(int minor) {
  std::string d = Header(minor);
  d += Ev(kEvFrequency, {1000000000});  // 1 tick = 1 ns
  d += Ev(kEvBatch, {1, 500});
  d += Ev(kEvProcStart, {0, 7});
  d += Ev(kEvGoStart, {100, 2, 1});
  d += Ev(kEvUserTaskCreate, {10, 1, 0, 3, 1});
  std::string log = Ev(kEvUserLog, {5, 1, 4, 1});
  PutVarint(log, 5);
  d += log + "hello";
  d += Ev(kEvGoEnd, {5});
  d += Ev(kEvProcStop, {10});
  d += Ev(kEvBatch, {0, 100});
  d += Ev(kEvProcStart, {0, 8});
  d += Ev(kEvGoCreate, {50, 2, 1, 1});
  d += Ev(kEvSTWStart, {5, 1});
  d += Ev(kEvSTWDone, {5});
  d += Ev(kEvGCStart, {5, 0, 0});
  d += Ev(kEvGCDone, {5});
  d += Ev(kEvProcStop, {10});
  d += Str(1, "main.main") + Str(2, "/src/main.go") + Str(3, "job") + Str(4, "cat");
  d += Ev(kEvStack, {1, 1, 0x401000, 1, 2, 42});
  return d;
}

// Verified byte for byte against `go tool trace -d` of Go 1.19 and Go 1.21.
constexpr std::string_view kHandDumpTail =
    "65 GCStart p=1000004 g=0 off=73 seq=0\n"
    "70 GCDone p=0 g=0 off=77\n"
    "80 ProcStop p=0 g=0 off=79\n"
    "400 ProcStart p=1 g=0 off=26 thread=7\n"
    "500 GoStart p=1 g=2 off=29 g=2 seq=1\n"
    "510 UserTaskCreate p=1 g=2 off=33 taskid=1 pid=0 typeid=3 name=job\n"
    "515 UserLog p=1 g=2 off=40 id=1 keyid=4 category=cat message=hello\n"
    "520 GoEnd p=1 g=2 off=52\n"
    "530 ProcStop p=1 g=0 off=54\n";

TEST(V1Hand, DumpMatchesGo119) {
  std::ostringstream out;
  ASSERT_TRUE(Dump(HandTrace(19), out).ok());
  EXPECT_EQ(out.str(), Cat("0 ProcStart p=0 g=0 off=59 thread=8\n"
                           "50 GoCreate p=0 g=0 off=62 g=2 stack=1\n"
                           "55 GCSTWStart p=0 g=0 off=68 kindid=1 kind=sweep termination\n"
                           "60 GCSTWDone p=0 g=0 off=71\n",
                           kHandDumpTail));
}

TEST(V1Hand, DumpMatchesGo121) {
  std::ostringstream out;
  ASSERT_TRUE(Dump(HandTrace(21), out).ok());
  EXPECT_EQ(out.str(), Cat("0 ProcStart p=0 g=0 off=59 thread=8\n"
                           "50 GoCreate p=0 g=0 off=62 g=2 stack=1\n"
                           "55 STWStart p=0 g=0 off=68 kindid=1 kind=GC mark termination\n"
                           "60 STWDone p=0 g=0 off=71\n",
                           kHandDumpTail));
}

TEST(V1Hand, ParsedFieldsLinksAndStacks) {
  auto t = Parse(HandTrace(21));
  ASSERT_TRUE(t.ok()) << t.status();
  const auto& ev = t->events();
  ASSERT_EQ(ev.size(), 13u);
  const Event& create = ev[1];
  ASSERT_EQ(create.type, kEvGoCreate);
  EXPECT_EQ(create.args[0], 2u);
  EXPECT_EQ(create.stack_id, 1u);
  ASSERT_NE(create.link, kNoEvent);
  const Event& start = ev[create.link];
  EXPECT_EQ(start.type, kEvGoStart);
  EXPECT_EQ(start.p, 1);
  EXPECT_EQ(start.g, 2u);
  EXPECT_EQ(start.stack_id, 1u) << "GoStart takes the new goroutine's stack from GoCreate";
  ASSERT_NE(start.link, kNoEvent);
  EXPECT_EQ(ev[start.link].type, kEvGoEnd);
  EXPECT_EQ(ev[2].type, kEvSTWStart);
  EXPECT_EQ(ev[ev[2].link].type, kEvSTWDone);
  EXPECT_EQ(ev[4].type, kEvGCStart);
  EXPECT_EQ(ev[4].p, kGCP);
  EXPECT_EQ(ev[ev[4].link].type, kEvGCDone);
  const Event& log = ev[10];
  ASSERT_EQ(log.type, kEvUserLog);
  EXPECT_EQ(t->SArg(log, 0), "cat");
  EXPECT_EQ(t->SArg(log, 1), "hello");
  EXPECT_EQ(t->TypeName(ev[2]), "STWStart");
  auto frames = t->Stack(1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].pc, 0x401000u);
  EXPECT_EQ(frames[0].func, "main.main");
  EXPECT_EQ(frames[0].file, "/src/main.go");
  EXPECT_EQ(frames[0].line, 42);
  EXPECT_TRUE(t->Stack(99).empty());
  EXPECT_EQ(t->String(99), "");
}

TEST(V1Hand, TraceOutlivesItsInput) {
  absl::StatusOr<Trace> t;
  {
    std::string data = HandTrace(21);
    t = Parse(data);
    std::fill(data.begin(), data.end(), 'x');
  }
  ASSERT_TRUE(t.ok());
  Trace moved = std::move(*t);
  EXPECT_EQ(moved.Stack(1)[0].func, "main.main");
  EXPECT_EQ(moved.SArg(moved.events()[10], 1), "hello");
}

// A syscall whose exit is written late (on another P) but carries its real time, plus 14 more Ps
// that are all ready at once (more candidates than Go's insertion-sort regime).
std::string SyscallAndManyPsTrace() {
  std::string d = Header(21);
  d += Ev(kEvFrequency, {1000000000});
  d += Ev(kEvBatch, {0, 100});
  d += Ev(kEvProcStart, {0, 1});
  d += Ev(kEvGoCreate, {10, 2, 0, 0});
  d += Ev(kEvGoStart, {10, 2, 1});
  d += Ev(kEvGoSysCall, {10, 0});
  d += Ev(kEvGoSysBlock, {10});
  d += Ev(kEvHeapAlloc, {60, 4096});
  d += Ev(kEvProcStop, {10});
  d += Ev(kEvBatch, {1, 250});
  d += Ev(kEvProcStart, {0, 2});
  d += Ev(kEvGoSysExit, {50, 2, 2, 150});
  d += Ev(kEvGoStart, {10, 2, 3});
  d += Ev(kEvGoEnd, {10});
  d += Ev(kEvProcStop, {10});
  for (uint64_t p = 2; p < 16; ++p) d += Ev(kEvBatch, {p, 400 + p}) + Ev(kEvProcStart, {0, 10 + p}) + Ev(kEvProcStop, {100});
  return d;
}

TEST(V1Hand, SyscallExitTakesItsRealTimeAndManyPsMerge) {
  std::ostringstream out;
  ASSERT_TRUE(Dump(SyscallAndManyPsTrace(), out).ok());
  std::string want =  // verified against `go tool trace -d` of Go 1.21
      "0 ProcStart p=0 g=0 off=25 thread=1\n"
      "10 GoCreate p=0 g=0 off=28 g=2 stack=0\n"
      "20 GoStart p=0 g=2 off=34 g=2 seq=1\n"
      "30 GoSysCall p=0 g=2 off=38\n"
      "40 GoSysBlock p=0 g=2 off=41\n"
      "50 GoSysExit p=1000003 g=2 off=56 g=2 seq=2 ts=150\n"
      "100 HeapAlloc p=0 g=0 off=43 mem=4096\n"
      "110 ProcStop p=0 g=0 off=47\n"
      "150 ProcStart p=1 g=0 off=53 thread=2\n"
      "210 GoStart p=1 g=2 off=63 g=2 seq=3\n"
      "220 GoEnd p=1 g=2 off=67\n"
      "230 ProcStop p=1 g=0 off=69\n";
  for (int p = 2; p < 16; ++p) want += Cat(300 + p, " ProcStart p=", p, " g=0 off=", 75 + 9 * (p - 2), " thread=", 10 + p, "\n");
  for (int p = 2; p < 16; ++p) want += Cat(400 + p, " ProcStop p=", p, " g=0 off=", 78 + 9 * (p - 2), "\n");
  EXPECT_EQ(out.str(), want);

  auto t = Parse(SyscallAndManyPsTrace());
  ASSERT_TRUE(t.ok());
  const auto& ev = t->events();
  ASSERT_EQ(ev[3].type, kEvGoSysCall);
  ASSERT_NE(ev[3].link, kNoEvent);
  EXPECT_EQ(ev[ev[3].link].type, kEvGoSysExit);
  EXPECT_EQ(t->Arg(ev[ev[3].link], 2), 150u);
  EXPECT_EQ(ev[ev[ev[3].link].link].type, kEvGoStart) << "the exit links to the next start";
}

void ExpectDataError(const std::string& data, std::string_view needle) {
  auto t = Parse(data);
  ASSERT_FALSE(t.ok()) << "expected an error containing '" << needle << "'";
  const std::string msg(t.status().message());
  static const std::regex re("^offset ([0-9]+): .+");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(msg, m, re)) << msg;
  EXPECT_LE(std::stoull(m[1].str()), data.size()) << msg;
  EXPECT_NE(msg.find(needle), std::string::npos) << msg;
}

std::string Minimal(int minor, const std::string& events) {
  return Header(minor) + Ev(kEvFrequency, {1000}) + Ev(kEvBatch, {0, 10}) + events;
}

TEST(V1Errors, SequenceNumbersThatNeverMatchAreRejected) {
  // GoStart of g 2 with seq 5, but g 2 is created with seq 0 -> 1: nothing can ever be merged.
  ExpectDataError(Minimal(21, Ev(kEvGoCreate, {1, 2, 0, 0}) + Ev(kEvBatch, {1, 10}) + Ev(kEvGoStart, {1, 2, 5})),
                  "no consistent ordering");
}

TEST(V1Errors, CausalityAgainstTimestampsIsRejected) {
  // P1 starts g 2 at tick 20; P0 creates it only at tick 30.
  ExpectDataError(Minimal(21, Ev(kEvGoCreate, {20, 2, 0, 0}) + Ev(kEvBatch, {1, 10}) + Ev(kEvGoStart, {10, 2, 1})),
                  "time stamps out of order");
}

TEST(V1Errors, StateMachineViolationsAreRejected) {
  ExpectDataError(Minimal(21, Ev(kEvProcStop, {1})), "not running before stop");
  ExpectDataError(Minimal(21, Ev(kEvProcStart, {1, 1}) + Ev(kEvProcStart, {1, 1})), "running before start");
  ExpectDataError(Minimal(21, Ev(kEvGCDone, {1})), "GC end without a start");
  ExpectDataError(Minimal(21, Ev(kEvGoCreate, {1, 2, 0, 0}) + Ev(kEvGoCreate, {1, 3, 0, 0}) +
                                  Ev(kEvGoStart, {1, 2, 1}) + Ev(kEvGoStart, {1, 3, 1})),
                  "already running g 2");
  // Unblocking a goroutine that is not waiting.
  ExpectDataError(Minimal(21, Ev(kEvGoCreate, {1, 2, 0, 0}) + Ev(kEvGoUnblock, {1, 2, 1, 0})), "");
  // Pre-1.21 traces know only two STW kinds.
  ExpectDataError(Minimal(19, Ev(kEvSTWStart, {1, 7})), "unknown STW kind");
  EXPECT_TRUE(Parse(Minimal(21, Ev(kEvSTWStart, {1, 7}) + Ev(kEvSTWDone, {1}))).ok());
}

TEST(V1Errors, TablesAndFraming) {
  ExpectDataError(Minimal(21, Str(0, "x")), "invalid id 0");
  ExpectDataError(Minimal(21, Str(1, "x") + Str(1, "y")), "duplicate id");
  ExpectDataError(Minimal(21, Str(1, "")), "invalid length 0");
  ExpectDataError(Minimal(21, Ev(kEvStack, {1, 1001})), "frames");
  ExpectDataError(Minimal(21, Ev(kEvStack, {1, 2, 1, 1, 1, 1})), "wrong number of arguments");
  ExpectDataError(Minimal(21, Ev(kEvGoCreate, {1, 2})), "wrong number of arguments");
  ExpectDataError(Minimal(21, std::string(1, '\0')), "unknown event type 0");
  ExpectDataError(Minimal(21, std::string(1, '\x3f')), "unknown event type 63");
  ExpectDataError(Minimal(11, Ev(kEvCPUSample, {1, 1, 0, 1, 0})), "unknown event type 49");
  ExpectDataError(Header(21) + Ev(kEvBatch, {0, 10}) + Ev(kEvProcStart, {1, 1}), "Frequency");
  ExpectDataError(Header(21) + Ev(kEvFrequency, {0}), "frequency");
  ExpectDataError(Header(21) + Ev(kEvFrequency, {1000}), "empty");
  ExpectDataError(Minimal(21, Ev(kEvBatch, {uint64_t{1} << 40, 0})), "P id");
  // A length-prefixed record claiming far more bytes than the file has.
  std::string huge(1, static_cast<char>(kEvGoCreate | (3 << 6)));
  PutVarint(huge, uint64_t{1} << 62);
  ExpectDataError(Minimal(21, huge + "abc"), "exceeds");
  // An 11-byte varint.
  ExpectDataError(Minimal(21, std::string(1, static_cast<char>(kEvProcStop)) + std::string(11, '\xff')), "varint");
}

TEST(V1Errors, HeaderIsChecked) {
  EXPECT_FALSE(Parse("go 1.21 trac").ok());
  EXPECT_FALSE(Parse("go 1.21 trace\0\0X"s).ok());
  auto t = Parse("go 1.17 trace\0\0\0"s);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kUnimplemented);
  // Go 1.5-1.9 wrote one-digit minors: "go 1.7 trace\0\0\0\0" is a valid header.
  std::string one_digit = "go 1.9 trace\0\0\0\0"s + Ev(kEvFrequency, {1000}) + Ev(kEvBatch, {0, 10}) +
                          Ev(kEvProcStart, {1, 1});
  auto t9 = Parse(one_digit);
  ASSERT_TRUE(t9.ok()) << t9.status();
  EXPECT_EQ(t9->version(), 1009);
}

// ---- malformed variants of real traces --------------------------------------------------------------

const NamedTrace& Smallest() {
  const NamedTrace* best = &Traces().front();
  for (const auto& t : Traces())
    if (t.data.size() < best->data.size()) best = &t;
  return *best;
}

void ExpectErrorOrValid(std::string_view data, const std::string& what) {
  std::ostringstream sink;
  for (const absl::Status& s : {Dump(data, sink), ComputeStats(data).status()}) {
    if (s.ok()) continue;
    const std::string msg(s.message());
    static const std::regex re("^offset ([0-9]+): .+");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(msg, m, re)) << what << ": " << msg;
    ASSERT_LE(std::stoull(m[1].str()), data.size()) << what << ": " << msg;
  }
}

TEST(V1Malformed, TruncationAtEveryOffset) {
  const auto& [path, data] = Smallest();
  size_t ok = 0;
  for (size_t n = 0; n <= data.size(); ++n) {
    ExpectErrorOrValid(std::string_view(data).substr(0, n), Cat(path, " truncated at ", n));
    ok += Parse(std::string_view(data).substr(0, n)).ok();
  }
  EXPECT_GT(ok, 0u) << "the full trace, at least, parses";
}

TEST(V1Malformed, RandomBitFlipsAndByteRuns) {
  std::mt19937_64 rng(20261122);
  for (const auto& [path, data] : Traces()) {
    if (data.size() > 8000) continue;  // keep it quick: the small scenarios suffice
    for (int i = 0; i < 200; ++i) {
      std::string m = data;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        const size_t pos = 16 + rng() % (m.size() - 16);
        m[pos] = static_cast<char>(m[pos] ^ (1u << (rng() % 8)));
      }
      if (i % 10 == 0) {  // and a run of 0xff (absurd varints / lengths)
        const size_t pos = 16 + rng() % (m.size() - 16);
        m.replace(pos, std::min<size_t>(12, m.size() - pos), std::string(12, '\xff'));
      }
      ExpectErrorOrValid(m, Cat(path, " mutation ", i));
    }
  }
}

}  // namespace
}  // namespace schedcast::gotrace::v1
