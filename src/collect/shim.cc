// collect/shim.cc — Go source text of the tracing shims (see shim.h).
#include "collect/shim.h"

#include <regex>

namespace schedcast::collect {
namespace {

// Shared body; "P" is replaced by the identifier prefix (schedcastTest / schedcastMain).
// Only APIs available in Go 1.19 are used.
constexpr const char* kBody = R"go(
var (
	PMu     PSync.Mutex
	PEnded  bool
	PActive bool
	PFile   *POs.File
	PTimer  *PTime.Timer
	PBase   int
	PStop   chan struct{} // closes to stop the perturber (SCHEDCAST_PERTURB)
	PDone   chan struct{} // closed by the perturber when it stopped
)

// PStart starts the tracer and the deadline watchdog when SCHEDCAST_TRACE names a file.
func PStart() {
	path := POs.Getenv("SCHEDCAST_TRACE")
	if path == "" || PActive {
		return
	}
	f, err := POs.Create(path)
	if err != nil {
		PFatal(err)
	}
	if err := PTrace.Start(f); err != nil {
		PFatal(err)
	}
	PFile = f
	PActive = true
	PBase = PRuntime.NumGoroutine()
	if ms, err := PStrconv.Atoi(POs.Getenv("SCHEDCAST_DEADLINE_MS")); err == nil && ms > 0 {
		PTimer = PTime.AfterFunc(PTime.Duration(ms)*PTime.Millisecond, PDeadline)
	}
	if seed, err := PStrconv.ParseInt(POs.Getenv("SCHEDCAST_PERTURB"), 10, 64); err == nil && seed != 0 {
		PStop, PDone = make(chan struct{}), make(chan struct{})
		go PPerturb(seed, PStop, PDone)
	}
}

// PPerturb is the schedule perturber of a perturbed run: seeded by the run, it keeps disturbing
// the scheduler until stopped, without touching the program's state: it holds a P busy for up to
// 200us (other goroutines wait or migrate), yields, sleeps up to 100us (timer and netpoll wake-ups),
// and now and then changes GOMAXPROCS between 1 and twice the configured value (a stop-the-world).
func PPerturb(seed int64, stop, done chan struct{}) {
	defer close(done)
	r := PRand.New(PRand.NewSource(seed))
	base := PRuntime.GOMAXPROCS(0)
	defer PRuntime.GOMAXPROCS(base)
	for {
		select {
		case <-stop:
			return
		default:
		}
		switch r.Intn(16) {
		case 0, 1, 2, 3, 4, 5:
			end := PTime.Now().Add(PTime.Duration(r.Intn(200)) * PTime.Microsecond)
			for PTime.Now().Before(end) {
			}
		case 6, 7, 8, 9, 10:
			PRuntime.Gosched()
		case 11, 12, 13, 14:
			PTime.Sleep(PTime.Duration(r.Intn(100)) * PTime.Microsecond)
		default:
			PRuntime.GOMAXPROCS(1 + r.Intn(2*base))
		}
	}
}

func PStopPerturb() {
	if PStop != nil {
		close(PStop)
		<-PDone
		PStop = nil
	}
}

func PFatal(err error) {
	POs.Stderr.WriteString("schedcast shim: " + err.Error() + "\n")
	POs.Exit(98)
}

// PFinish records the end state and flushes the trace after a normal end.
func PFinish() {
	if !PActive {
		return
	}
	PMu.Lock()
	if PEnded {
		PMu.Unlock()
		select {} // the watchdog is writing the end state and will exit the process
	}
	PEnded = true
	if PTimer != nil {
		PTimer.Stop()
	}
	PStopPerturb()
	for i := 0; i < 20 && PRuntime.NumGoroutine() > PBase; i++ {
		PTime.Sleep(PTime.Millisecond)
	}
	PEnd("exit")
	PGoleakCheck()
}

// PExit is where os.Exit calls of the rewritten user file go: flush first, then exit.
func PExit(code int) {
	PFinish()
	POs.Exit(code)
}

// PDeadline runs on the watchdog timer: the program is hung or deadlocked.
func PDeadline() {
	PMu.Lock()
	if PEnded {
		PMu.Unlock()
		return
	}
	PEnded = true
	PStopPerturb()
	PEnd("deadline")
	POs.Exit(97)
}

func PEnd(reason string) {
	buf := make([]byte, 1<<16)
	for {
		n := PRuntime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var kept []string
	for _, g := range PStrings.Split(string(buf), "\n\n") {
		// The tracer's reader goroutine (runtime/trace.Start's before Go 1.26, the trace
		// multiplexer's from 1.26 on) and our own.
		if PStrings.Contains(g, "runtime/trace.Start") || PStrings.Contains(g, "runtime.ReadTrace(") ||
			PStrings.Contains(g, ".PEnd(") {
			continue
		}
		kept = append(kept, g)
	}
	if p := POs.Getenv("SCHEDCAST_END"); p != "" {
		POs.WriteFile(p, []byte("schedcast-end-state: "+reason+"\n\n"+PStrings.Join(kept, "\n\n")), 0644) // not 0o644: modules may declare go < 1.13
	}
	PTrace.Stop()
	PFile.Close()
	PLeakProfile()
}

// PLeakProfile writes the goroutineleak profile (Go >= 1.26 built with
// GOEXPERIMENT=goroutineleakprofile; standard from Go 1.27) as debug=2 stacks, where the goroutines
// the garbage collector found unreachable-blocked are marked "(leaked)". Without the profile the
// file is not written.
func PLeakProfile() {
	p := POs.Getenv("SCHEDCAST_LEAKPROF")
	prof := PPprof.Lookup("goroutineleak")
	if p == "" || prof == nil {
		return
	}
	var b PStrings.Builder
	if err := prof.WriteTo(&b, 2); err == nil {
		POs.WriteFile(p, []byte(b.String()), 0644)
	}
}
)go";

// goleak's check after the test returned and the end state was written (its own retries give
// exiting goroutines up to about half a second): "" when it found nothing, else its message.
constexpr const char* kGoleakCheck = R"go(
func PGoleakCheck() {
	if p := POs.Getenv("SCHEDCAST_GOLEAK"); p != "" {
		msg := ""
		if err := PGoleak.Find(); err != nil {
			msg = err.Error()
		}
		POs.WriteFile(p, []byte(msg), 0644)
	}
}
)go";

constexpr const char* kNoGoleakCheck = R"go(
func PGoleakCheck() {}
)go";

constexpr const char* kImports = R"go(import (
	POs "os"
	PRand "math/rand"
	PRuntime "runtime"
	PPprof "runtime/pprof"
	PTrace "runtime/trace"
	PStrconv "strconv"
	PStrings "strings"
	PSync "sync"
	PTime "time"
)
)go";

std::string Expand(std::string text, const std::string& prefix) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    bool ident_start = text[i] == 'P' && (i == 0 || !(std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_'));
    if (ident_start && i + 1 < text.size() && std::isupper(static_cast<unsigned char>(text[i + 1]))) {
      out += prefix;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

constexpr const char* kHeader =
    "// Code generated by schedcast collect; DO NOT EDIT.\n"
    "// Tracing shim: runtime/trace to $SCHEDCAST_TRACE, end state to $SCHEDCAST_END,\n"
    "// watchdog at $SCHEDCAST_DEADLINE_MS. Added to a temporary copy only.\n\n";

}  // namespace

std::string TestShimSource(const std::string& package_name, bool wrap_user_test_main) {
  std::string imports = kImports;
  imports.insert(imports.rfind(')'), "\tPTesting \"testing\"\n");
  const char* own = R"go(
func TestMain(m *PTesting.M) {
	PStart()
	code := m.Run()
	PFinish()
	POs.Exit(code)
}
)go";
  // Go's generated main exits with m.Run's code when TestMain returns (Go >= 1.15).
  const char* wrapped = R"go(
func TestMain(m *PTesting.M) {
	PStart()
	PUserTestMain(m)
	PFinish()
}
)go";
  return Cat(kHeader, "package ", package_name, "\n\n", Expand(imports, "schedcastTest"), "\n",
             Expand(wrap_user_test_main ? wrapped : own, "schedcastTest"), Expand(kBody, "schedcastTest"));
}

std::string MainShimSource() {
  return Cat(kHeader, "package main\n\n", Expand(kImports, "schedcastMain"), "\n", Expand(R"go(
func init() {
	if POs.Getenv("SCHEDCAST_SHIM_MODE") == "main" {
		PStart()
	}
}

func main() {
	PUser()
	PFinish()
}
)go", "schedcastMain"),
             Expand(kBody, "schedcastMain"));
}

std::string GoleakShimSource(const std::string& package_name, bool test, bool with_goleak) {
  const std::string prefix = test ? "schedcastTest" : "schedcastMain";
  if (!with_goleak) {
    return Cat("//go:build !(go1.20 && ", kGoleakTag, ")\n\n", kHeader, "package ", package_name, "\n",
               Expand(kNoGoleakCheck, prefix));
  }
  return Cat("//go:build go1.20 && ", kGoleakTag, "\n\n", kHeader, "package ", package_name, "\n\n",
             Expand("import (\n\tPOs \"os\"\n\tPGoleak \"go.uber.org/goleak\"\n)\n", prefix),
             Expand(kGoleakCheck, prefix));
}

namespace {

// Routes `os.Exit(` through `<prefix>Exit(` when the file imports "os" under its own name, and
// keeps the import used.
std::string RouteExits(const std::string& src, const std::string& prefix) {
  static const std::regex imports_os(R"re((^|\n)[ \t]*(import[ \t]+)?"os"[ \t]*(//[^\n]*)?(\r?\n|$))re");
  static const std::regex exit_call(R"(\bos\.Exit\()");
  if (!std::regex_search(src, imports_os) || !std::regex_search(src, exit_call)) return src;
  return std::regex_replace(src, exit_call, prefix + "Exit(") +
         "\n\n// Added by schedcast: os.Exit calls above go through its tracing shim.\nvar _ = os.Exit\n";
}

}  // namespace

absl::StatusOr<std::string> RenameMain(const std::string& src, const std::string& file) {
  static const std::regex re(R"((^|\n)func[ \t]+main[ \t]*\([ \t]*\))");
  std::string out = std::regex_replace(src, re, "$1func schedcastMainUser()");
  if (out == src) return absl::NotFoundError(Cat(file, ": no `func main()` to wrap"));
  return RouteExits(out, "schedcastMain");
}

absl::StatusOr<std::string> WrapTestMain(const std::string& src, const std::string& file) {
  static const std::regex re(R"((^|\n)func[ \t]+TestMain[ \t]*\()");
  std::string out = std::regex_replace(src, re, "$1func schedcastTestUserTestMain(");
  if (out == src) return absl::NotFoundError(Cat(file, ": no `func TestMain(` to wrap"));
  return RouteExits(out, "schedcastTest");
}

}  // namespace schedcast::collect
