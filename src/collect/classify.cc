// collect/classify.cc — run outcome rules (see classify.h).
#include "collect/classify.h"

#include <signal.h>
#include <string.h>

#include <regex>
#include <set>

#include "collect/shim.h"

namespace schedcast::collect {
namespace {

using store::Outcome;

bool HasLineStarting(const CappedCapture& c, const std::string& prefix) {
  return c.Contains("\n" + prefix) || c.Text().rfind(prefix, 0) == 0;
}

}  // namespace

std::string EndStateReason(const std::string& end_state) {
  std::string h = kEndStateHeader;
  if (end_state.rfind(h, 0) != 0) return "";
  size_t nl = end_state.find('\n');
  return end_state.substr(h.size(), nl == std::string::npos ? std::string::npos : nl - h.size());
}

bool AllGoroutinesBlocked(const std::string& dump) {
  static const std::set<std::string> kBlocked = {
      "chan send", "chan receive", "chan send (nil chan)", "chan receive (nil chan)", "select",
      "select (no cases)", "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock", "sync.Cond.Wait",
      "sync.WaitGroup.Wait", "semacquire"};
  static const std::regex header(R"((^|\n)goroutine [0-9]+ \[([^\]]*)\]:)");
  int n = 0;
  for (std::sregex_iterator it(dump.begin(), dump.end(), header), end; it != end; ++it) {
    std::string reason = (*it)[2].str();
    if (size_t c = reason.find(", "); c != std::string::npos) reason.resize(c);  // ", 2 minutes" etc.
    if (!kBlocked.count(reason)) return false;
    ++n;
  }
  return n > 0;
}

Classification Classify(const ProcessResult& r, const std::optional<std::string>& end_state,
                        const std::string& test_name) {
  const std::string reason = end_state ? EndStateReason(*end_state) : "";
  if ((r.exit_code == kDeadlineExitCode && reason == "deadline") || r.timed_out) {
    std::string note = r.timed_out ? (reason == "deadline"
                                          ? "hard-killed after the shim's deadline handler started"
                                          : "hard-killed: the shim's watchdog did not fire; no end state")
                                   : "";
    bool blocked = end_state && reason == "deadline" && AllGoroutinesBlocked(*end_state);
    return {blocked ? Outcome::kDeadlock : Outcome::kDeadline, note};
  }
  if (r.err.Contains("fatal error: all goroutines are asleep - deadlock!")) return {Outcome::kDeadlock, ""};
  if (r.err.Contains("WARNING: DATA RACE") || r.out.Contains("WARNING: DATA RACE")) return {Outcome::kRace, ""};
  if (HasLineStarting(r.err, "panic: ")) return {Outcome::kPanic, ""};
  if (HasLineStarting(r.err, "fatal error: ")) return {Outcome::kCrash, "fatal runtime error"};
  if (r.signal) return {Outcome::kCrash, Cat("killed by signal ", *r.signal, " (", strsignal(*r.signal), ")")};
  if (r.exit_code == kShimErrorExitCode && r.err.Contains("schedcast shim: ")) {
    return {Outcome::kCrash, "the tracing shim failed (see stderr)"};
  }
  if (r.exit_code == 0) {
    if (!test_name.empty() && r.out.Contains("--- SKIP: " + test_name + " ") &&
        !r.out.Contains("--- PASS: " + test_name + " ")) {
      return {Outcome::kSkip, ""};
    }
    if (!test_name.empty() && r.out.Contains("testing: warning: no tests to run")) {
      return {Outcome::kFail, Cat("the test binary ran no test named ", test_name)};
    }
    // `go test -v` prints "--- PASS: TestX (…)" when the test returns; exit status 0 without it
    // means the process left in the middle of the test (os.Exit(0) in it, or in a goroutine).
    if (!test_name.empty() && !r.out.Contains("--- PASS: " + test_name + " ")) {
      return {Outcome::kFail, Cat("the test binary exited with status 0 before ", test_name,
                                  " finished (os.Exit(0) during the test?): no '--- PASS' line")};
    }
    return {Outcome::kOk, ""};
  }
  return {Outcome::kFail, r.exit_code ? Cat("exit code ", *r.exit_code) : std::string()};
}

}  // namespace schedcast::collect
