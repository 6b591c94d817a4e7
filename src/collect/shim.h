// collect/shim.h — the Go source of the tracing shim added to each package's temporary copy.
//
// The shim (identifiers prefixed schedcastTest / schedcastMain, imports aliased, so it cannot clash
// with user code) does, when the environment names a trace file (kEnvTrace):
//  - start runtime/trace writing straight to that file (unbuffered: whatever the runtime handed
//    over survives a crash), before any test body / user main runs;
//  - arm a watchdog (kEnvDeadlineMs): at the deadline it writes the end state — all goroutine
//    stacks from runtime.Stack(buf, true), with wait reasons such as [chan send] — to kEnvEnd,
//    stops and flushes the trace, and exits with kDeadlineExitCode; so a hung or deadlocked run
//    still yields a complete trace (plain `go test -trace` loses it);
//  - at a normal end: stops the watchdog, lets exiting goroutines finish (up to ~20 ms), writes
//    the end state (goroutines still alive after the test returned: leaks), stops the trace.
// Without kEnvTrace the shim does nothing but run the tests / main (a "bare" run).
// Optional, per run (each only when its variable is set):
//  - kEnvPerturb=SEED (non-zero): a seeded perturber goroutine disturbs the scheduler (busy P,
//    yields, short sleeps, GOMAXPROCS changes) from the start until the test / main returns or the
//    deadline; it touches no program state and is stopped before the end state is written;
//  - kEnvPerturbSource=SEED is not the shim's: in a copy rewritten by `srcindex -inject`
//    (collect --perturb-mode source|both), it seeds the delays before synchronising statements;
//  - kEnvLeakProfile=FILE: after the trace is stopped, the goroutineleak profile (debug=2 stacks,
//    leaked goroutines marked "(leaked)") goes to FILE when the runtime has it (Go >= 1.26 built
//    with GOEXPERIMENT=goroutineleakprofile, or Go >= 1.27); otherwise FILE is not written;
//  - kEnvGoleak=FILE, in binaries built with -tags kGoleakTag by Go >= 1.20 (the module must then
//    require go.uber.org/goleak): after a normal end (not at the deadline), goleak.Find()'s message
//    goes to FILE ("" when it found none). The check lives in two build-constrained files
//    (GoleakShimSource): the one importing goleak, and a no-op for every other build.
// End-state files start with "schedcast-end-state: exit|deadline\n\n"; the shim's own goroutine
// and the tracer's reader goroutine are left out.
// Test packages get zz_schedcast_shim_test.go defining TestMain. A package that has its own
// TestMain is wrapped: WrapTestMain renames it schedcastTestUserTestMain and the shim's TestMain
// calls it between starting and finishing the trace (when it returns, Go's generated main exits
// with m.Run's code, as for any TestMain since Go 1.15). package main programs get
// zz_schedcast_shim_main.go: an init() that starts tracing when kEnvMode is "main", and a main()
// that calls the user's main, renamed schedcastMainUser by RenameMain. In both rewritten files,
// calls `os.Exit(` are routed through the shim (which flushes first) when the file imports "os"
// under its own name. Limitation: os.Exit called from other files, via an import alias, or
// log.Fatal skips the flush (the trace then holds only what the runtime had handed over).
// Thread-safety: thread-safe (pure functions).
#pragma once

#include <string>

#include "common/status.h"

namespace schedcast::collect {

inline constexpr const char* kEnvTrace = "SCHEDCAST_TRACE";
inline constexpr const char* kEnvEnd = "SCHEDCAST_END";
inline constexpr const char* kEnvDeadlineMs = "SCHEDCAST_DEADLINE_MS";
inline constexpr const char* kEnvMode = "SCHEDCAST_SHIM_MODE";
inline constexpr const char* kEnvSeed = "SCHEDCAST_SEED";  // informational: the run's seed
inline constexpr const char* kEnvPerturb = "SCHEDCAST_PERTURB";
// Read by the delay function `tools/srcindex -inject` adds to a perturbed copy (not by the shim).
inline constexpr const char* kEnvPerturbSource = "SCHEDCAST_PERTURB_SOURCE";
inline constexpr const char* kEnvLeakProfile = "SCHEDCAST_LEAKPROF";
inline constexpr const char* kEnvGoleak = "SCHEDCAST_GOLEAK";
inline constexpr int kDeadlineExitCode = 97;
inline constexpr int kShimErrorExitCode = 98;
inline constexpr const char* kTestShimFile = "zz_schedcast_shim_test.go";
inline constexpr const char* kMainShimFile = "zz_schedcast_shim_main.go";
inline constexpr const char* kEndStateHeader = "schedcast-end-state: ";

// `wrap_user_test_main`: the package's own TestMain was renamed by WrapTestMain.
inline constexpr const char* kGoleakTag = "schedcastgoleak";
inline constexpr const char* kTestGoleakFile = "zz_schedcast_goleak_test.go";
inline constexpr const char* kTestNoGoleakFile = "zz_schedcast_nogoleak_test.go";
inline constexpr const char* kMainGoleakFile = "zz_schedcast_goleak_main.go";
inline constexpr const char* kMainNoGoleakFile = "zz_schedcast_nogoleak_main.go";

std::string TestShimSource(const std::string& package_name, bool wrap_user_test_main = false);
std::string MainShimSource();
// The goleak check (with_goleak, built only with Go >= 1.20 and -tags kGoleakTag) or its no-op
// (every other build) for the test shim (test=true) or the main shim.
std::string GoleakShimSource(const std::string& package_name, bool test, bool with_goleak);

// Renames `func main()` (at the start of a line) to `func schedcastMainUser()` and routes the
// file's os.Exit calls through the shim. Error (naming `file`) if there is no func main().
absl::StatusOr<std::string> RenameMain(const std::string& src, const std::string& file);
// Renames `func TestMain(` to `func schedcastTestUserTestMain(` and routes the file's os.Exit
// calls through the shim. Error (naming `file`) if there is no TestMain.
absl::StatusOr<std::string> WrapTestMain(const std::string& src, const std::string& file);

}  // namespace schedcast::collect
