// Unit tests of the v2 (Go >= 1.22) trace parser.
//
// 1. Hand-built traces (TraceBuilder below writes the wire format) whose expected dumps are the
//    output of `go tool trace -d=1` of Go 1.22 / 1.23 for the same bytes (pasted verbatim):
//    generation boundaries and Sync events, cross-thread ordering by sequence numbers with
//    timestamp bumps, tasks/regions/logs/labels/STW, GC ranges and metrics, and the Go 1.23
//    additions (GoSwitch, GoCreateBlocked, GoStatusStack, experimental events, CPU samples).
// 2. Every go1.22 / go1.23 trace written by the gen_traces fixture: parses to the end, ordering
//    invariants (strictly increasing time, per-goroutine and per-proc state chains, contexts),
//    generation boundaries, stacks resolve to main.go frames, stats agree with the dump.
// 3. Malformed input: truncation at every offset, bit flips, absurd varints and lengths, and
//    inconsistent event streams; every failure is "offset N: reason" with N inside the file.
#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gotrace/v2/dump.h"
#include "gotrace/v2/reader.h"
#include "gotrace/v2/text.h"
#include "testutil.h"

namespace schedcast::gotrace::v2 {
namespace {

// ---- a writer of the wire format ----------------------------------------------------------------

constexpr uint64_t kNeg1 = ~uint64_t{0};

std::string Uv(uint64_t x) {
  std::string out;
  do {
    uint8_t b = x & 0x7f;
    x >>= 7;
    out.push_back(static_cast<char>(x ? (b | 0x80) : b));
  } while (x);
  return out;
}

std::string Ev(uint8_t type, uint64_t dt, std::initializer_list<uint64_t> args = {}) {
  std::string out(1, static_cast<char>(type));
  out += Uv(dt);
  for (uint64_t a : args) out += Uv(a);
  return out;
}

struct Fr {
  uint64_t pc, func, file, line;
};

class TraceBuilder {
 public:
  explicit TraceBuilder(int minor) {
    out_ = "go 1." + std::to_string(minor) + " trace";
    out_.append(3, '\0');
  }
  TraceBuilder& Batch(uint64_t gen, uint64_t m, uint64_t ts, const std::string& body) {
    out_ += '\x01';
    out_ += Uv(gen) + Uv(m) + Uv(ts) + Uv(body.size());
    body_at_ = out_.size();
    out_ += body;
    return *this;
  }
  TraceBuilder& ExpBatch(uint64_t gen, uint64_t m, uint64_t ts, uint8_t exp, const std::string& body) {
    out_ += '\x31';
    out_ += static_cast<char>(exp);
    out_ += Uv(gen) + Uv(m) + Uv(ts) + Uv(body.size());
    out_ += body;
    return *this;
  }
  TraceBuilder& Freq(uint64_t gen, uint64_t f = 1000000000) { return Batch(gen, 0, 0, "\x08" + Uv(f)); }
  TraceBuilder& Strings(uint64_t gen, const std::vector<std::pair<uint64_t, std::string>>& s) {
    std::string body = "\x04";
    for (const auto& [id, str] : s) body += "\x05" + Uv(id) + Uv(str.size()) + str;
    return Batch(gen, 0, 0, body);
  }
  TraceBuilder& Stacks(uint64_t gen, const std::vector<std::pair<uint64_t, std::vector<Fr>>>& s) {
    std::string body = "\x02";
    for (const auto& [id, frames] : s) {
      body += "\x03" + Uv(id) + Uv(frames.size());
      for (const Fr& f : frames) body += Uv(f.pc) + Uv(f.func) + Uv(f.file) + Uv(f.line);
    }
    return Batch(gen, 0, 0, body);
  }
  TraceBuilder& CpuSamples(uint64_t gen, const std::vector<std::vector<uint64_t>>& samples) {
    std::string body = "\x06";
    for (const auto& s : samples) {
      body += '\x07';
      for (uint64_t v : s) body += Uv(v);
    }
    return Batch(gen, 0, 0, body);
  }
  // The usual tables of the hand-built traces.
  TraceBuilder& Tables(uint64_t gen) {
    Strings(gen, {{1, "main.main"}, {2, "/src/main.go"}, {3, "chan receive"}, {4, "preempted"}, {5, "job"},
                  {6, "step"}, {7, "k"}, {8, "v\t\"q\"\xc3\xa9"}, {9, "start trace"}});
    return Stacks(gen, {{1, {{0x401000, 1, 2, 10}}}, {2, {{0x401100, 1, 2, 20}, {0x401200, 1, 2, 30}}}});
  }
  size_t body_at() const { return body_at_; }  // offset of the last batch's body
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
  size_t body_at_ = 0;
};

struct DumpResult {
  std::string text;
  absl::Status status;
};

DumpResult DumpBytes(std::string_view data) {
  std::ostringstream os;
  absl::Status s = Dump(data, os);
  return {os.str(), s};
}

// "offset N: ..." -> N; -1 if the message does not start that way.
int64_t ErrorOffset(const absl::Status& s) {
  std::string m(s.message());
  if (m.rfind("offset ", 0) != 0) return -1;
  int64_t n = -1;
  auto r = std::from_chars(m.data() + 7, m.data() + m.size(), n);
  if (r.ec != std::errc() || r.ptr == m.data() + m.size() || *r.ptr != ':') return -1;
  return n;
}

// Event type numbers used below.
enum : uint8_t {
  ProcsChange = 9, ProcSteal = 12, ProcStatus = 13, GoCreate = 14, GoCreateSyscall = 15, GoStart = 16,
  GoDestroy = 17, GoDestroySyscall = 18, GoStop = 19, GoBlock = 20, GoUnblock = 21, GoStatus = 25,
  STWBegin = 26, STWEnd = 27, GCActive = 28, GCBegin = 29, GCEnd = 30, GCSweepActive = 31, GCSweepBegin = 32,
  GCSweepEnd = 33, GCMarkAssistActive = 34, GCMarkAssistBegin = 35, GCMarkAssistEnd = 36, HeapAlloc = 37,
  HeapGoal = 38, GoLabel = 39, UserTaskBegin = 40, UserTaskEnd = 41, UserRegionBegin = 42, UserRegionEnd = 43,
  UserLog = 44, GoSwitch = 45, GoSwitchDestroy = 46, GoCreateBlocked = 47, GoStatusStack = 48, Span = 128,
  HeapObjectFree = 133,
};

std::string TwoGenerations(int minor) {
  TraceBuilder b(minor);
  b.Tables(1).Freq(1).Batch(
      1, 1, 1000,
      Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 5, {1, kNeg1, 2}) + Ev(GoCreate, 5, {2, 2, 1}) + Ev(GoBlock, 10, {3, 1}) +
          Ev(GoStart, 5, {2, 1}) + Ev(UserTaskBegin, 3, {1, 0, 5, 1}) + Ev(UserRegionBegin, 1, {1, 6, 2}) +
          Ev(UserLog, 1, {1, 7, 8, 0}) + Ev(GoLabel, 1, {6}) + Ev(UserRegionEnd, 1, {1, 6, 0}) +
          Ev(STWBegin, 2, {9, 0}) + Ev(STWEnd, 2) + Ev(HeapAlloc, 1, {4096}) + Ev(GoStop, 4, {4, 2}));
  b.Tables(2).Freq(2).Batch(2, 1, 2000,
                            Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 4}) + Ev(GoStatus, 1, {2, kNeg1, 1}) +
                                Ev(GoStart, 5, {2, 1}) + Ev(UserTaskEnd, 1, {1, 1}) + Ev(GoDestroy, 5));
  return b.bytes();
}

std::string CrossThread(int minor) {
  // M 2's GoStart of goroutine 2 (seq 2) is earlier in time than M 1's GoUnblock of it (seq 1).
  TraceBuilder b(minor);
  b.Tables(1).Freq(1);
  b.Batch(1, 1, 100,
          Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 0, {1, kNeg1, 2}) + Ev(GoStatus, 0, {2, kNeg1, 4}) +
              Ev(GoUnblock, 50, {2, 1, 1}));
  b.Batch(1, 2, 101, Ev(ProcStatus, 0, {1, 1}) + Ev(GoStart, 10, {2, 2}) + Ev(GoDestroy, 10));
  return b.bytes();
}

std::string SyscallDestroy(int minor) {
  TraceBuilder b(minor);
  b.Tables(1).Freq(1).Batch(1, 3, 10, Ev(ProcStatus, 0, {0, 3}) + Ev(GoCreateSyscall, 1, {7}) + Ev(GoDestroySyscall, 1));
  return b.bytes();
}

std::string GCRanges(int minor) {
  TraceBuilder b(minor);
  b.Tables(1).Freq(1, 500000000).Batch(
      1, 1, 10,
      Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 2}) + Ev(GCActive, 1, {5}) + Ev(GCMarkAssistActive, 1, {1}) +
          Ev(GCSweepActive, 1, {0}) + Ev(GCSweepEnd, 1, {100, 50}) + Ev(GCMarkAssistEnd, 1) + Ev(GCEnd, 1, {6}) +
          Ev(HeapGoal, 1, {1 << 20}) + Ev(GCBegin, 1, {7, 1}) + Ev(GCSweepBegin, 1, {2}) + Ev(GCSweepEnd, 1, {1, 2}) +
          Ev(GCMarkAssistBegin, 1, {0}) + Ev(GCMarkAssistEnd, 1) + Ev(GCEnd, 1, {8}) + Ev(ProcsChange, 1, {4, 1}));
  return b.bytes();
}

std::string Go123Features() {
  TraceBuilder b(23);
  b.Tables(1).Freq(1).CpuSamples(1, {{15, 1, 0, 1, 2}, {13, 1, 0, 0, 1}}).ExpBatch(1, 1, 0, 1, "\x01\x02\x03");
  b.Batch(1, 1, 10,
          Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 2}) + Ev(GoCreateBlocked, 1, {3, 2, 1}) +
              Ev(GoSwitch, 5, {3, 1}) + Ev(Span, 1, {77, 8, 3}) + Ev(GoSwitchDestroy, 1, {1, 1}) +
              Ev(HeapObjectFree, 1, {99}) + Ev(GoCreate, 1, {4, 0, 0}));
  b.Tables(2).Freq(2).Batch(2, 1, 100,
                            Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatusStack, 1, {1, kNeg1, 2, 1}) +
                                Ev(GoStatus, 1, {4, kNeg1, 1}));
  return b.bytes();
}


// Strings that exercise Go's %q: controls, invalid UTF-8, non-printable and unassigned runes.
std::string QuotingTrace() {
  const std::vector<std::string> texts = {
      "plain",
      std::string("\x00\x01\x07\x08\x0c\x0a\x0d\x09\x0b\x1b\x7f", 11),
      "\xc3\xa9\xc2\xa0\xe2\x80\x8b\xef\xbb\xbf\xe2\x80\xa8",
      "\xff\xfe\xc3",
      "\xf0\x9f\x98\x80\xee\x80\x80\xf4\x8f\xbf\xbf\xf3\xa0\x80\x81",
      "a\xcc\x81 \xe4\xb8\xad\xe6\x96\x87 \xd8\x80 \xc2\xad \xe1\x9a\x80 \xe3\x80\x80 \xef\xbf\xbd",
      "\xed\xa0\x80 surrogate",
      "\xf4\x90\x80\x80 too big",
      "\xc0\xaf overlong",
      "\xcd\xb8 \xe0\xa2\x90 \xf0\x9f\x80\x80 \xf3\xb0\x80\x80",
  };
  TraceBuilder b(23);
  std::vector<std::pair<uint64_t, std::string>> strs;
  std::string body = Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 2});
  for (size_t i = 0; i < texts.size(); ++i) {
    strs.push_back({i + 1, texts[i]});
    body += Ev(UserLog, 1, {0, i + 1, i + 1, 0});
  }
  b.Strings(1, strs).Freq(1).Batch(1, 1, 10, body);
  return b.bytes();
}

// ---- goldens: `go tool trace -d=1` output for the traces above ----------------------------------

constexpr std::string_view kTwoGensGolden = R"golden(M=1 P=-1 G=-1 StateTransition Time=1000 Resource=Proc(0) Reason="" ProcID=0 Undetermined->Running
M=1 P=0 G=-1 StateTransition Time=1005 Resource=Goroutine(1) Reason="" GoID=1 Undetermined->Running
M=1 P=0 G=1 StateTransition Time=1010 Resource=Goroutine(2) Reason="" GoID=2 NotExist->Runnable
TransitionStack=
	main.main @ 0x401100
		/src/main.go:20
	main.main @ 0x401200
		/src/main.go:30

Stack=
	main.main @ 0x401000
		/src/main.go:10

M=1 P=0 G=1 StateTransition Time=1020 Resource=Goroutine(1) Reason="chan receive" GoID=1 Running->Waiting
TransitionStack=
	main.main @ 0x401000
		/src/main.go:10

Stack=
	main.main @ 0x401000
		/src/main.go:10

M=1 P=0 G=-1 StateTransition Time=1025 Resource=Goroutine(2) Reason="" GoID=2 Runnable->Running
M=1 P=0 G=2 TaskBegin Time=1028 ID=1 Parent=18446744073709551615 Type="job"
Stack=
	main.main @ 0x401000
		/src/main.go:10

M=1 P=0 G=2 RegionBegin Time=1029 Task=1 Type="step"
Stack=
	main.main @ 0x401100
		/src/main.go:20
	main.main @ 0x401200
		/src/main.go:30

M=1 P=0 G=2 Log Time=1030 Task=1 Category="k" Message="v\t\"q\"é"
M=1 P=0 G=2 Label Time=1031 Label="step" Resource=Goroutine(2)
M=1 P=0 G=2 RegionEnd Time=1032 Task=1 Type="step"
M=1 P=0 G=2 RangeBegin Time=1034 Name="stop-the-world (start trace)" Scope=Goroutine(2)
M=1 P=0 G=2 RangeEnd Time=1036 Name="stop-the-world (start trace)" Scope=Goroutine(2) Attributes=[]
M=1 P=0 G=2 Metric Time=1037 Name="/memory/classes/heap/objects:bytes" Value=Uint64(4096)
M=1 P=0 G=2 StateTransition Time=1041 Resource=Goroutine(2) Reason="preempted" GoID=2 Running->Runnable
TransitionStack=
	main.main @ 0x401100
		/src/main.go:20
	main.main @ 0x401200
		/src/main.go:30

Stack=
	main.main @ 0x401100
		/src/main.go:20
	main.main @ 0x401200
		/src/main.go:30

M=-1 P=-1 G=-1 Sync Time=1042
M=1 P=0 G=-1 StateTransition Time=2000 Resource=Proc(0) Reason="" ProcID=0 Running->Running
M=1 P=0 G=-1 StateTransition Time=2001 Resource=Goroutine(1) Reason="" GoID=1 Waiting->Waiting
M=1 P=0 G=-1 StateTransition Time=2002 Resource=Goroutine(2) Reason="" GoID=2 Runnable->Runnable
M=1 P=0 G=-1 StateTransition Time=2007 Resource=Goroutine(2) Reason="" GoID=2 Runnable->Running
M=1 P=0 G=2 TaskEnd Time=2008 ID=1 Parent=18446744073709551615 Type="job"
Stack=
	main.main @ 0x401000
		/src/main.go:10

M=1 P=0 G=2 StateTransition Time=2013 Resource=Goroutine(2) Reason="" GoID=2 Running->NotExist
M=-1 P=-1 G=-1 Sync Time=2014
)golden";

constexpr std::string_view kCrossMGolden = R"golden(M=1 P=-1 G=-1 StateTransition Time=100 Resource=Proc(0) Reason="" ProcID=0 Undetermined->Running
M=1 P=0 G=-1 StateTransition Time=101 Resource=Goroutine(1) Reason="" GoID=1 Undetermined->Running
M=1 P=0 G=1 StateTransition Time=102 Resource=Goroutine(2) Reason="" GoID=2 Undetermined->Waiting
M=2 P=-1 G=-1 StateTransition Time=103 Resource=Proc(1) Reason="" ProcID=1 Undetermined->Running
M=1 P=0 G=1 StateTransition Time=150 Resource=Goroutine(2) Reason="" GoID=2 Waiting->Runnable
Stack=
	main.main @ 0x401000
		/src/main.go:10

M=2 P=1 G=-1 StateTransition Time=151 Resource=Goroutine(2) Reason="" GoID=2 Runnable->Running
M=2 P=1 G=2 StateTransition Time=152 Resource=Goroutine(2) Reason="" GoID=2 Running->NotExist
M=-1 P=-1 G=-1 Sync Time=153
)golden";

constexpr std::string_view kSysDestroy122Golden = R"golden(M=3 P=-1 G=-1 StateTransition Time=10 Resource=Proc(0) Reason="" ProcID=0 Undetermined->Running
M=3 P=0 G=-1 StateTransition Time=11 Resource=Goroutine(7) Reason="" GoID=7 NotExist->Syscall
M=3 P=0 G=7 StateTransition Time=12 Resource=Goroutine(7) Reason="" GoID=7 Syscall->NotExist
M=3 P=0 G=7 StateTransition Time=13 Resource=Proc(0) Reason="" ProcID=0 Running->Idle
M=-1 P=-1 G=-1 Sync Time=14
)golden";

constexpr std::string_view kSysDestroy123Golden = R"golden(M=3 P=-1 G=-1 StateTransition Time=10 Resource=Proc(0) Reason="" ProcID=0 Undetermined->Running
M=3 P=0 G=-1 StateTransition Time=11 Resource=Goroutine(7) Reason="" GoID=7 NotExist->Syscall
M=3 P=0 G=7 StateTransition Time=12 Resource=Proc(0) Reason="" ProcID=0 Running->Idle
M=3 P=0 G=7 StateTransition Time=13 Resource=Goroutine(7) Reason="" GoID=7 Syscall->NotExist
M=-1 P=-1 G=-1 Sync Time=14
)golden";

constexpr std::string_view kFeat123Golden = R"golden(M=1 P=-1 G=-1 StateTransition Time=10 Resource=Proc(0) Reason="" ProcID=0 Undetermined->Running
M=1 P=0 G=-1 StateTransition Time=11 Resource=Goroutine(1) Reason="" GoID=1 Undetermined->Running
M=1 P=0 G=1 StateTransition Time=12 Resource=Goroutine(3) Reason="" GoID=3 NotExist->Waiting
TransitionStack=
	main.main @ 0x401100
		/src/main.go:20
	main.main @ 0x401200
		/src/main.go:30

Stack=
	main.main @ 0x401000
		/src/main.go:10

M=1 P=0 G=-1 StackSample Time=13
Stack=
	main.main @ 0x401000
		/src/main.go:10

M=1 P=0 G=1 StackSample Time=15
Stack=
	main.main @ 0x401100
		/src/main.go:20
	main.main @ 0x401200
		/src/main.go:30

M=1 P=0 G=1 StateTransition Time=17 Resource=Goroutine(3) Reason="" GoID=3 Waiting->Runnable
M=1 P=0 G=1 StateTransition Time=18 Resource=Goroutine(1) Reason="" GoID=1 Running->Waiting
M=1 P=0 G=-1 StateTransition Time=19 Resource=Goroutine(3) Reason="" GoID=3 Runnable->Running
M=1 P=0 G=3 Experimental Time=20 Name=Span ArgNames=[id npages_value kindclass] Args=[77 8 3]
M=1 P=0 G=3 StateTransition Time=21 Resource=Goroutine(1) Reason="" GoID=1 Waiting->Runnable
M=1 P=0 G=3 StateTransition Time=22 Resource=Goroutine(3) Reason="" GoID=3 Running->NotExist
M=1 P=0 G=-1 StateTransition Time=23 Resource=Goroutine(1) Reason="" GoID=1 Runnable->Running
M=1 P=0 G=1 Experimental Time=24 Name=HeapObjectFree ArgNames=[id] Args=[99]
M=1 P=0 G=1 StateTransition Time=25 Resource=Goroutine(4) Reason="" GoID=4 NotExist->Runnable
TransitionStack=

M=-1 P=-1 G=-1 Sync Time=26
M=1 P=0 G=1 StateTransition Time=100 Resource=Proc(0) Reason="" ProcID=0 Running->Running
M=1 P=0 G=1 StateTransition Time=101 Resource=Goroutine(1) Reason="" GoID=1 Running->Running
Stack=
	main.main @ 0x401000
		/src/main.go:10

M=1 P=0 G=1 StateTransition Time=102 Resource=Goroutine(4) Reason="" GoID=4 Runnable->Runnable
M=-1 P=-1 G=-1 Sync Time=103
)golden";

constexpr std::string_view kGCGolden = R"golden(M=1 P=-1 G=-1 StateTransition Time=20 Resource=Proc(0) Reason="" ProcID=0 Undetermined->Running
M=1 P=0 G=-1 StateTransition Time=22 Resource=Goroutine(1) Reason="" GoID=1 Undetermined->Running
M=1 P=0 G=1 RangeActive Time=24 Name="GC concurrent mark phase" Scope=None
M=1 P=0 G=1 RangeActive Time=26 Name="GC mark assist" Scope=Goroutine(1)
M=1 P=0 G=1 RangeActive Time=28 Name="GC incremental sweep" Scope=Proc(0)
M=1 P=0 G=1 RangeEnd Time=30 Name="GC incremental sweep" Scope=Proc(0) Attributes=["bytes swept"=Uint64(100) "bytes reclaimed"=Uint64(50)]
M=1 P=0 G=1 RangeEnd Time=32 Name="GC mark assist" Scope=Goroutine(1) Attributes=[]
M=1 P=0 G=1 RangeEnd Time=34 Name="GC concurrent mark phase" Scope=None Attributes=[]
M=1 P=0 G=1 Metric Time=36 Name="/gc/heap/goal:bytes" Value=Uint64(1048576)
M=1 P=0 G=1 RangeBegin Time=38 Name="GC concurrent mark phase" Scope=None
Stack=
	main.main @ 0x401000
		/src/main.go:10

M=1 P=0 G=1 RangeBegin Time=40 Name="GC incremental sweep" Scope=Proc(0)
Stack=
	main.main @ 0x401100
		/src/main.go:20
	main.main @ 0x401200
		/src/main.go:30

M=1 P=0 G=1 RangeEnd Time=42 Name="GC incremental sweep" Scope=Proc(0) Attributes=["bytes swept"=Uint64(1) "bytes reclaimed"=Uint64(2)]
M=1 P=0 G=1 RangeBegin Time=44 Name="GC mark assist" Scope=Goroutine(1)
M=1 P=0 G=1 RangeEnd Time=46 Name="GC mark assist" Scope=Goroutine(1) Attributes=[]
M=1 P=0 G=1 RangeEnd Time=48 Name="GC concurrent mark phase" Scope=None Attributes=[]
M=1 P=0 G=1 Metric Time=50 Name="/sched/gomaxprocs:threads" Value=Uint64(4)
Stack=
	main.main @ 0x401000
		/src/main.go:10

M=-1 P=-1 G=-1 Sync Time=51
)golden";

constexpr std::string_view kQuotingGolden = R"golden(M=1 P=-1 G=-1 StateTransition Time=10 Resource=Proc(0) Reason="" ProcID=0 Undetermined->Running
M=1 P=0 G=-1 StateTransition Time=11 Resource=Goroutine(1) Reason="" GoID=1 Undetermined->Running
M=1 P=0 G=1 Log Time=12 Task=0 Category="plain" Message="plain"
M=1 P=0 G=1 Log Time=13 Task=0 Category="\x00\x01\a\b\f\n\r\t\v\x1b\x7f" Message="\x00\x01\a\b\f\n\r\t\v\x1b\x7f"
M=1 P=0 G=1 Log Time=14 Task=0 Category="é\u00a0\u200b\ufeff\u2028" Message="é\u00a0\u200b\ufeff\u2028"
M=1 P=0 G=1 Log Time=15 Task=0 Category="\xff\xfe\xc3" Message="\xff\xfe\xc3"
M=1 P=0 G=1 Log Time=16 Task=0 Category="😀\ue000\U0010ffff\U000e0001" Message="😀\ue000\U0010ffff\U000e0001"
M=1 P=0 G=1 Log Time=17 Task=0 Category="á 中文 \u0600 \u00ad \u1680 \u3000 �" Message="á 中文 \u0600 \u00ad \u1680 \u3000 �"
M=1 P=0 G=1 Log Time=18 Task=0 Category="\xed\xa0\x80 surrogate" Message="\xed\xa0\x80 surrogate"
M=1 P=0 G=1 Log Time=19 Task=0 Category="\xf4\x90\x80\x80 too big" Message="\xf4\x90\x80\x80 too big"
M=1 P=0 G=1 Log Time=20 Task=0 Category="\xc0\xaf overlong" Message="\xc0\xaf overlong"
M=1 P=0 G=1 Log Time=21 Task=0 Category="\u0378 \u0890 🀀 \U000f0000" Message="\u0378 \u0890 🀀 \U000f0000"
M=-1 P=-1 G=-1 Sync Time=22
)golden";

// ---- hand-built traces --------------------------------------------------------------------------

TEST(V2Golden, TwoGenerationsMatchGo122And123) {
  for (int minor : {22, 23}) {
    DumpResult r = DumpBytes(TwoGenerations(minor));
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.text, kTwoGensGolden) << "go1." << minor;
  }
}

TEST(V2Golden, CrossThreadOrderingWaitsForSequenceNumbers) {
  for (int minor : {22, 23}) {
    DumpResult r = DumpBytes(CrossThread(minor));
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.text, kCrossMGolden) << "go1." << minor;
  }
}

TEST(V2Golden, GoDestroySyscallStealOrderDiffersByVersion) {
  DumpResult r22 = DumpBytes(SyscallDestroy(22));
  ASSERT_TRUE(r22.status.ok()) << r22.status;
  EXPECT_EQ(r22.text, kSysDestroy122Golden);
  DumpResult r23 = DumpBytes(SyscallDestroy(23));
  ASSERT_TRUE(r23.status.ok()) << r23.status;
  EXPECT_EQ(r23.text, kSysDestroy123Golden);
}

TEST(V2Golden, GCRangesAndMetrics) {
  for (int minor : {22, 23}) {
    DumpResult r = DumpBytes(GCRanges(minor));
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.text, kGCGolden) << "go1." << minor;
  }
}

TEST(V2Golden, Go123SwitchesExperimentalAndSamples) {
  DumpResult r = DumpBytes(Go123Features());
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.text, kFeat123Golden);
}

TEST(V2Golden, StringsAreQuotedAsGoQuotes) {
  DumpResult r = DumpBytes(QuotingTrace());
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.text, kQuotingGolden);
}

TEST(V2Golden, Go123EventsAreInvalidInA122Trace) {
  std::string data = Go123Features();
  data[5] = '2';  // "go 1.22 trace": the experimental batch is not a batch there
  data[6] = '2';
  DumpResult r = DumpBytes(data);
  EXPECT_FALSE(r.status.ok());
  EXPECT_TRUE(r.text.empty());
  EXPECT_GT(ErrorOffset(r.status), 16) << r.status;
}

TEST(V2Reader, TypedViewsAndGenerations) {
  const std::string data = TwoGenerations(23);
  auto reader = Reader::FromBytes(data);
  ASSERT_TRUE(reader.ok()) << reader.status();
  Reader& r = **reader;
  EXPECT_EQ(r.version(), 1023);
  std::vector<Event> events;
  auto more = r.NextGeneration(&events);
  ASSERT_TRUE(more.ok() && *more) << more.status();
  EXPECT_EQ(r.generation(), 1u);
  ASSERT_EQ(events.size(), 15u);
  EXPECT_EQ(events.back().kind, EventKind::kSync);
  // GoCreate: goroutine 2 created by goroutine 1 on M 1, P 0, with its start stack.
  const Event& create = events[2];
  EXPECT_EQ(create.kind, EventKind::kStateTransition);
  EXPECT_EQ(create.m, 1);
  EXPECT_EQ(create.p, 0);
  EXPECT_EQ(create.g, 1);
  StateTransition st = create.transition();
  EXPECT_EQ(st.resource, ResourceKind::kGoroutine);
  EXPECT_EQ(st.id, 2);
  EXPECT_EQ(st.go_from(), GoState::kNotExist);
  EXPECT_EQ(st.go_to(), GoState::kRunnable);
  ASSERT_EQ(r.table().stack(st.stack).size(), 2u);
  ResolvedFrame f = r.table().resolve(r.table().stack(st.stack)[1]);
  EXPECT_EQ(f.func, "main.main");
  EXPECT_EQ(f.file, "/src/main.go");
  EXPECT_EQ(f.line, 30u);
  EXPECT_EQ(f.pc, 0x401200u);
  // GoBlock carries its reason.
  EXPECT_EQ(r.table().string(events[3].transition().reason), "chan receive");
  EXPECT_EQ(events[5].kind, EventKind::kTaskBegin);
  EXPECT_EQ(events[5].task().parent, kNoTask);
  EXPECT_EQ(r.table().string(events[7].log().message), "v\t\"q\"\xc3\xa9");
  Range stw = events[10].range();
  EXPECT_EQ(stw.name, RangeName::kStopTheWorld);
  EXPECT_EQ(r.table().string(stw.stw_kind), "start trace");
  EXPECT_EQ(events[11].kind, EventKind::kRangeEnd);
  EXPECT_EQ(r.table().string(events[11].range().stw_kind), "start trace");  // carried from the begin
  EXPECT_EQ(events[12].metric().name, MetricName::kHeapObjects);
  EXPECT_EQ(events[12].metric().value, 4096u);

  more = r.NextGeneration(&events);
  ASSERT_TRUE(more.ok() && *more) << more.status();
  EXPECT_EQ(r.generation(), 2u);
  ASSERT_EQ(events.size(), 7u);
  // GoStatus in a later generation restates the state the model already had.
  EXPECT_EQ(events[1].transition().go_from(), GoState::kWaiting);
  EXPECT_EQ(events[1].transition().go_to(), GoState::kWaiting);
  // The task's type name crosses the generation boundary.
  ASSERT_EQ(events[4].kind, EventKind::kTaskEnd);
  Task t = events[4].task();
  EXPECT_TRUE(t.type_is_extra);
  EXPECT_EQ(r.table().extra_string(t.type), "job");
  EXPECT_EQ(events.back().kind, EventKind::kSync);

  more = r.NextGeneration(&events);
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_FALSE(*more);
  EXPECT_EQ(r.generations_read(), 2u);
}

TEST(V2Reader, TimestampsAreBumpedToStayIncreasing) {
  const std::string data = CrossThread(22);
  auto reader = Reader::FromBytes(data);
  ASSERT_TRUE(reader.ok());
  Event ev;
  std::vector<Event> all;
  while (true) {
    auto more = (*reader)->Next(&ev);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    all.push_back(ev);
  }
  ASSERT_EQ(all.size(), 8u);
  // GoStart (wire time 111) had to wait for the GoUnblock at 150, so it is reported at 151.
  EXPECT_EQ(all[4].type, GoUnblock);
  EXPECT_EQ(all[4].time, 150);
  EXPECT_EQ(all[5].type, GoStart);
  EXPECT_EQ(all[5].time, 151);
  EXPECT_EQ(all[5].m, 2);
  EXPECT_EQ(all[6].time, 152);
}

// ---- malformed hand-built traces ----------------------------------------------------------------

struct BadCase {
  const char* name;
  std::string data;
  const char* expect;  // substring of the error message
};

std::vector<BadCase> BadCases() {
  std::vector<BadCase> out;
  auto base = [](int minor = 23) {
    TraceBuilder b(minor);
    b.Tables(1).Freq(1);
    return b;
  };
  {
    TraceBuilder b = base();
    b.Batch(1, 1, 10, Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 2}) + Ev(GoBlock, 1, {3, 42}));
    out.push_back({"missing stack", b.bytes(), "stack id 42"});
  }
  {
    TraceBuilder b = base();
    b.Batch(1, 1, 10, Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 2}) + Ev(GoBlock, 1, {77, 1}));
    out.push_back({"missing string", b.bytes(), "string id 77"});
  }
  {
    TraceBuilder b = base();
    b.Batch(1, 1, 10, Ev(ProcStatus, 0, {0, 1}) + Ev(GoStart, 1, {9, 1}));
    out.push_back({"start of an unknown goroutine", b.bytes(), "broken trace"});
  }
  {
    TraceBuilder b = base();
    b.Batch(1, 1, 10, Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 2}) + Ev(GoCreate, 1, {1, 0, 0}));
    out.push_back({"goroutine created twice", b.bytes(), "created twice"});
  }
  {
    TraceBuilder b = base();
    b.Batch(1, 1, 10, Ev(GoBlock, 1, {3, 1}));
    out.push_back({"block without a goroutine", b.bytes(), "needs a proc"});
  }
  {
    TraceBuilder b = base();
    b.Batch(1, 1, 10, Ev(ProcStatus, 0, {0, 1})).Batch(3, 1, 10, Ev(ProcStatus, 0, {0, 1}));
    out.push_back({"generations out of order", b.bytes(), "out of order"});
  }
  {
    TraceBuilder b = base();
    b.Tables(2).Freq(2).Batch(2, 1, 10, Ev(ProcStatus, 0, {0, 1}));
    out.push_back({"generation without events", b.bytes(), "no events"});
  }
  {
    TraceBuilder b(23);
    b.Tables(1).Batch(1, 1, 10, Ev(ProcStatus, 0, {0, 1}));
    out.push_back({"no frequency", b.bytes(), "no frequency"});
  }
  {
    TraceBuilder b = base();
    b.Freq(1);
    out.push_back({"two frequencies", b.bytes(), "second frequency"});
  }
  {
    TraceBuilder b = base();
    b.Strings(1, {{3, "again"}});
    out.push_back({"duplicate string id", b.bytes(), "duplicate string id 3"});
  }
  {
    TraceBuilder b = base();
    b.Stacks(1, {{5, {{1, 1, 99, 1}}}});
    out.push_back({"frame names a missing string", b.bytes(), "string id 99"});
  }
  {
    TraceBuilder b = base();
    b.Batch(1, 1, 10, std::string(1, '\xc8') + Uv(1));
    out.push_back({"unknown event type", b.bytes(), "invalid event type 200"});
  }
  {
    TraceBuilder b = base();
    b.Batch(1, 1, 10, Ev(ProcStatus, 0, {0, 1}) + Ev(3, 1));  // EvStack inside an event batch
    out.push_back({"structural event in an event batch", b.bytes(), "no timestamp"});
  }
  {
    TraceBuilder b = base();
    b.Batch(1, 1, 10, Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 9}));
    out.push_back({"invalid goroutine status", b.bytes(), "invalid status 9"});
  }
  {
    TraceBuilder b = base();
    b.Batch(1, 1, 10,
            Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 2}) + Ev(UserRegionBegin, 1, {1, 6, 0}) +
                Ev(UserRegionEnd, 1, {1, 5, 0}));
    out.push_back({"mismatched region end", b.bytes(), "innermost active region"});
  }
  {
    TraceBuilder b = base();
    b.Batch(0, 1, 10, Ev(ProcStatus, 0, {0, 1}));
    out.push_back({"generation 0", b.bytes(), "generation 0"});
  }
  {
    TraceBuilder b(22);
    b.Tables(1).Freq(1).Batch(1, 1, 10, Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 2}) + Ev(GoSwitch, 1, {1, 1}));
    out.push_back({"1.23 event in a 1.22 trace", b.bytes(), "invalid event type 45"});
  }
  {
    TraceBuilder b = base();
    b.Batch(1, 1, 10, Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 2}));
    std::string d = b.bytes();
    d += '\x01';
    d += std::string(11, '\xff');  // a varint longer than 10 bytes
    out.push_back({"overlong varint", d, "varint"});
  }
  {
    std::string d = TraceBuilder(23).bytes();
    d += '\x01' + Uv(1) + Uv(1) + Uv(1) + Uv(uint64_t{1} << 62);
    out.push_back({"absurd batch size", d, "exceeds the maximum"});
  }
  {
    std::string d = TraceBuilder(23).bytes();
    d += '\x01' + Uv(1) + Uv(1) + Uv(1) + Uv(60000) + "abc";
    out.push_back({"batch longer than the file", d, "cut short"});
  }
  {
    std::string body = "\x04\x05" + Uv(1) + Uv(uint64_t{1} << 40) + "x";
    std::string d = TraceBuilder(23).bytes();
    d += '\x01' + Uv(1) + Uv(0) + Uv(0) + Uv(body.size()) + body;
    out.push_back({"absurd string length", d, "more than the maximum"});
  }
  {
    std::string body = "\x02\x03" + Uv(1) + Uv(uint64_t{1} << 50);
    std::string d = TraceBuilder(23).bytes();
    d += '\x01' + Uv(1) + Uv(0) + Uv(0) + Uv(body.size()) + body;
    out.push_back({"absurd frame count", d, "more than the maximum"});
  }
  {
    std::string d = TraceBuilder(23).bytes();
    d += '\x07';
    out.push_back({"not a batch", d, "expected a batch header"});
  }
  out.push_back({"header only", TraceBuilder(22).bytes(), "no frequency"});
  return out;
}

TEST(V2BadInput, HandBuiltCasesFailWithOffsets) {
  for (const BadCase& c : BadCases()) {
    DumpResult r = DumpBytes(c.data);
    ASSERT_FALSE(r.status.ok()) << c.name;
    const std::string msg(r.status.message());
    EXPECT_NE(msg.find(c.expect), std::string::npos) << c.name << ": " << msg;
    const int64_t off = ErrorOffset(r.status);
    EXPECT_GE(off, 0) << c.name << ": " << msg;
    EXPECT_LE(off, static_cast<int64_t>(c.data.size())) << c.name << ": " << msg;
    auto stats = ComputeStats(c.data);
    EXPECT_FALSE(stats.ok()) << c.name;
  }
}

TEST(V2BadInput, MissingStackErrorNamesTheEventOffset) {
  TraceBuilder b(23);
  b.Tables(1).Freq(1);
  const std::string ok_part = Ev(ProcStatus, 0, {0, 1}) + Ev(GoStatus, 1, {1, kNeg1, 2});
  b.Batch(1, 1, 10, ok_part + Ev(GoBlock, 1, {3, 42}));
  DumpResult r = DumpBytes(b.bytes());
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(ErrorOffset(r.status), static_cast<int64_t>(b.body_at() + ok_part.size())) << r.status;
  // The two events before the bad one are printed, as Go prints them.
  EXPECT_EQ(std::count(r.text.begin(), r.text.end(), '\n'), 2) << r.text;
}

TEST(V2BadInput, Go123KeepsEventsBeforeAnUnreadableBatch) {
  // Go 1.23 emits the generation read so far (and its Sync) before reporting a broken batch;
  // Go 1.22 reports the error at once.
  for (int minor : {22, 23}) {
    TraceBuilder b(minor);
    b.Tables(1).Freq(1).Batch(1, 1, 10, Ev(ProcStatus, 0, {0, 1}));
    std::string d = b.bytes() + "\x01\x01";  // a batch header cut short
    DumpResult r = DumpBytes(d);
    EXPECT_FALSE(r.status.ok()) << minor;
    if (minor == 23) {
      EXPECT_NE(r.text.find("ProcID=0 Undetermined->Running"), std::string::npos) << r.text;
      EXPECT_NE(r.text.find("Sync"), std::string::npos) << r.text;
    } else {
      EXPECT_TRUE(r.text.empty()) << r.text;
    }
  }
}

// ---- generated traces ---------------------------------------------------------------------------

struct NamedTrace {
  std::string path;
  std::string version;  // "1.22" / "1.23"
  std::string data;
};

const std::vector<NamedTrace>& Traces() {
  static const std::vector<NamedTrace> traces = [] {
    std::vector<NamedTrace> out;
    for (const auto& p : testutil::GeneratedTraces()) {
      const std::string v = testutil::GoVersionOfTraceName(p);
      if (v != "1.22" && v != "1.23") continue;
      auto d = ReadFileToString(p);
      EXPECT_TRUE(d.ok()) << d.status();
      if (d.ok()) out.push_back({p, v, std::move(*d)});
    }
    return out;
  }();
  return traces;
}

TEST(V2Traces, GeneratedTracesExist) {
  size_t n22 = 0, n23 = 0;
  for (const auto& t : Traces()) (t.version == "1.22" ? n22 : n23)++;
  EXPECT_GE(n22, 10u) << "expected go1.22 traces in " << SCHEDCAST_TRACE_DIR << " (gen_traces fixture)";
  EXPECT_GE(n23, 10u) << "expected go1.23 traces in " << SCHEDCAST_TRACE_DIR << " (gen_traces fixture)";
}

// Replays the events against a small model of goroutine and proc states.
void CheckInvariants(const NamedTrace& t) {
  SCOPED_TRACE(t.path);
  auto reader = Reader::FromBytes(t.data);
  ASSERT_TRUE(reader.ok()) << reader.status();
  Reader& r = **reader;
  EXPECT_EQ(r.version(), t.version == "1.22" ? 1022 : 1023);
  std::map<int64_t, GoState> gstate;
  std::map<int64_t, ProcState> pstate;
  int64_t last_time = INT64_MIN;
  uint64_t events = 0, syncs = 0, stacks_seen = 0;
  bool saw_main_frame = false, last_was_sync = false;
  Event ev;
  while (true) {
    auto more = r.Next(&ev);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    ++events;
    ASSERT_GT(ev.time, last_time) << "event " << events;
    last_time = ev.time;
    last_was_sync = ev.kind == EventKind::kSync;
    if (ev.kind == EventKind::kSync) {
      ++syncs;
      EXPECT_EQ(syncs, r.generations_read());
      EXPECT_EQ(ev.m, kNoThread);
      continue;
    }
    ASSERT_NE(ev.kind, EventKind::kBad);
    // Only goroutine status records (batches of no thread) lack a thread.
    if (ev.m == kNoThread) {
      EXPECT_TRUE(ev.type == kEvGoStatus || ev.type == kEvGoStatusStack) << TypeName(ev.type);
    }
    // The goroutine in the context is executing (running or in a syscall) when we know it.
    if (ev.g != kNoGoroutine && gstate.count(ev.g)) {
      GoState s = gstate[ev.g];
      EXPECT_TRUE(s == GoState::kRunning || s == GoState::kSyscall)
          << "event " << events << " in the context of goroutine " << ev.g << " in state " << GoStateName(s);
    }
    if (uint64_t id = ev.stack(); id != 0) {
      ++stacks_seen;
      auto frames = r.table().stack(id);
      EXPECT_FALSE(frames.empty()) << "stack " << id;
      for (uint32_t fi : frames) {
        ResolvedFrame f = r.table().resolve(fi);
        if (f.func.rfind("main.", 0) == 0 && f.file.size() > 8 && f.file.substr(f.file.size() - 8) == "/main.go")
          saw_main_frame = true;
      }
    }
    if (ev.kind != EventKind::kStateTransition) continue;
    const StateTransition s = ev.transition();
    if (s.resource == ResourceKind::kGoroutine) {
      auto it = gstate.find(s.id);
      if (s.go_from() == GoState::kUndetermined || s.go_from() == GoState::kNotExist) {
        if (it != gstate.end()) {
          EXPECT_EQ(it->second, GoState::kNotExist) << "goroutine " << s.id << " event " << events;
        }
      } else if (it != gstate.end()) {
        EXPECT_EQ(GoStateName(it->second), GoStateName(s.go_from())) << "goroutine " << s.id << " event " << events;
      }
      gstate[s.id] = s.go_to();
    } else {
      ASSERT_EQ(s.resource, ResourceKind::kProc);
      auto it = pstate.find(s.id);
      if (s.proc_from() != ProcState::kUndetermined && s.proc_from() != ProcState::kNotExist && it != pstate.end()) {
        EXPECT_EQ(ProcStateName(it->second), ProcStateName(s.proc_from())) << "proc " << s.id << " event " << events;
      }
      pstate[s.id] = s.proc_to();
    }
  }
  EXPECT_GT(events, 10u);
  EXPECT_TRUE(last_was_sync) << "a trace ends with the Sync of its last generation";
  EXPECT_EQ(syncs, r.generations_read());
  EXPECT_GE(r.generations_read(), 1u);
  EXPECT_GT(stacks_seen, 0u);
  EXPECT_TRUE(saw_main_frame) << "no stack reaches a main.* frame in main.go";
  EXPECT_GE(gstate.size(), 2u);
  EXPECT_GE(pstate.size(), 1u);
}

TEST(V2Traces, OrderingInvariantsHold) {
  for (const auto& t : Traces()) CheckInvariants(t);
}

TEST(V2Traces, StatsAgreeWithTheDump) {
  for (const auto& t : Traces()) {
    SCOPED_TRACE(t.path);
    DumpResult d = DumpBytes(t.data);
    ASSERT_TRUE(d.status.ok()) << d.status;
    uint64_t lines = 0, syncs = 0;
    std::istringstream in(d.text);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("M=", 0) == 0) ++lines;
      if (line.find(" Sync Time=") != std::string::npos) ++syncs;
    }
    auto s = ComputeStats(t.data);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->format, "v2");
    EXPECT_EQ(s->version, t.version == "1.22" ? 1022 : 1023);
    EXPECT_EQ(s->events, lines);
    EXPECT_EQ(s->generations, syncs);
    uint64_t by_type = 0;
    for (const auto& [k, n] : s->events_by_type) by_type += n;
    EXPECT_EQ(by_type, s->events);
    EXPECT_EQ(s->events_by_type["Sync"], syncs);
    EXPECT_GT(s->events_by_type["StateTransition(Goroutine)"], 0u);
    EXPECT_GT(s->stacks, 0u);
    EXPECT_GT(s->strings, 0u);
    EXPECT_GE(s->goroutines, 2u);
    EXPECT_GE(s->procs, 1u);
    EXPECT_LT(s->min_ts, s->max_ts);
  }
}

TEST(V2Traces, FileSourceDumpEqualsMemoryDump) {
  size_t n = 0;
  for (const auto& t : Traces()) {
    if (++n > 6) break;
    SCOPED_TRACE(t.path);
    std::ostringstream from_file;
    ASSERT_TRUE(DumpFile(t.path, from_file).ok());
    EXPECT_EQ(from_file.str(), DumpBytes(t.data).text);
  }
  EXPECT_GT(n, 0u);
}

// ---- truncation and corruption of generated traces ----------------------------------------------

// The smallest generated trace of each version.
std::vector<const NamedTrace*> SmallTraces() {
  std::map<std::string, const NamedTrace*> best;
  for (const auto& t : Traces()) {
    auto& b = best[t.version];
    if (b == nullptr || t.data.size() < b->data.size()) b = &t;
  }
  std::vector<const NamedTrace*> out;
  for (auto& [v, t] : best) out.push_back(t);
  return out;
}

void ExpectCleanResult(const std::string& data, const std::string& what) {
  DumpResult r = DumpBytes(data);
  if (!r.status.ok()) {
    const int64_t off = ErrorOffset(r.status);
    EXPECT_GE(off, 0) << what << ": " << r.status;
    EXPECT_LE(off, static_cast<int64_t>(data.size())) << what << ": " << r.status;
  }
  auto s = ComputeStats(data);
  EXPECT_EQ(s.ok(), r.status.ok()) << what;
}

TEST(V2BadInput, TruncationAtEveryOffset) {
  auto small = SmallTraces();
  ASSERT_EQ(small.size(), 2u);
  for (const NamedTrace* t : small) {
    for (size_t n = 0; n < t->data.size(); ++n) {
      std::string cut = t->data.substr(0, n);
      DumpResult r = DumpBytes(cut);
      // A cut inside a generation never parses cleanly: every trace ends with a full generation.
      ASSERT_FALSE(r.status.ok()) << t->path << " cut at " << n;
      if (n >= 16) {
        const int64_t off = ErrorOffset(r.status);
        EXPECT_GE(off, 0) << n << ": " << r.status;
        EXPECT_LE(off, static_cast<int64_t>(n)) << n << ": " << r.status;
      }
    }
  }
}

TEST(V2BadInput, RandomBitFlipsNeverCrash) {
  std::mt19937_64 rng(20240601);
  for (const NamedTrace* t : SmallTraces()) {
    for (int i = 0; i < 1500; ++i) {
      std::string d = t->data;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) {
        const size_t pos = 16 + rng() % (d.size() - 16);
        d[pos] = static_cast<char>(d[pos] ^ (1u << (rng() % 8)));
      }
      ExpectCleanResult(d, t->path + " flip " + std::to_string(i));
    }
  }
}

TEST(V2BadInput, RandomBytesAfterAValidHeader) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string d = i % 2 ? "go 1.22 trace" : "go 1.23 trace";
    d.append(3, '\0');
    const size_t n = rng() % 200;
    // Mostly plausible batch starts so the parser gets past the first byte.
    d += '\x01';
    for (size_t k = 0; k < n; ++k) d += static_cast<char>(rng() % 4 == 0 ? 0xff : rng() % 64);
    ExpectCleanResult(d, "random " + std::to_string(i));
  }
}

}  // namespace
}  // namespace schedcast::gotrace::v2

namespace schedcast::gotrace::v2 {
namespace {

// Go 1.25-1.27 traces ("go 1.25 trace", "go 1.26 trace"): every generation opens with a numbered
// Sync carrying the generation's clock snapshot; one more Sync, without a snapshot, ends the trace.
TEST(V2Reader, NewerTracesOpenEachGenerationWithANumberedSync) {
  int checked = 0;
  for (const auto& p : testutil::GeneratedTraces()) {
    const std::string v = testutil::GoVersionOfTraceName(p);
    if (v != "1.25" && v != "1.26" && v != "1.27") continue;
    auto data = ReadFileToString(p);
    ASSERT_TRUE(data.ok());
    auto reader = Reader::FromBytes(*data);
    ASSERT_TRUE(reader.ok()) << p << ": " << reader.status();
    Reader& r = **reader;
    EXPECT_EQ(r.version(), v == "1.25" ? 1025 : 1026) << p;
    std::vector<Event> events;
    uint64_t n = 0;
    bool saw_final = false;
    for (;;) {
      auto more = r.NextGeneration(&events);
      ASSERT_TRUE(more.ok()) << p << ": " << more.status();
      if (!*more) break;
      ASSERT_FALSE(saw_final) << p << ": events after the final Sync";
      ASSERT_EQ(events.front().kind, EventKind::kSync) << p;
      EXPECT_EQ(events.front().args[0], ++n) << p;
      for (size_t i = 1; i < events.size(); ++i) EXPECT_NE(events[i].kind, EventKind::kSync) << p << " event " << i;
      if (events.size() == 1 && events[0].args[1] == 0) {
        saw_final = true;  // the trace's closing Sync
        continue;
      }
      EXPECT_EQ(events.front().args[1], 1u) << p;
      ASSERT_TRUE(r.table().has_clock_snapshot()) << p;
      const ClockSnapshot& c = r.table().clock_snapshot();
      EXPECT_GT(c.sec, 1700000000u) << p;  // a wall clock of this decade
      EXPECT_LT(c.nsec, 1000000000u) << p;
      EXPECT_GT(c.trace, 0) << p;
      EXPECT_GE(events.back().time, events.front().time) << p;
    }
    EXPECT_TRUE(saw_final) << p;
    EXPECT_GE(n, 2u) << p;
    ++checked;
  }
  // gen.sh found Go 1.26 at least (it is on PATH); 1.25 and 1.27 where fetched.
  EXPECT_GE(checked, 39) << "too few go1.25-1.27 traces in " << SCHEDCAST_TRACE_DIR;
}

TEST(V2Text, WallClockIsRfc3339InTheLocalZone) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(WallClockText(1765000000, 123456000, true), "2025-12-06T05:46:40.123456Z");
  EXPECT_EQ(WallClockText(1765000000, 123456000, false), "2025-12-06T05:46:40Z");
  EXPECT_EQ(WallClockText(1765000000, 0, true), "2025-12-06T05:46:40Z");
  setenv("TZ", "EST5", 1);
  tzset();
  EXPECT_EQ(WallClockText(1765000000, 5, true), "2025-12-06T00:46:40.000000005-05:00");
  unsetenv("TZ");
  tzset();
}

}  // namespace
}  // namespace schedcast::gotrace::v2
