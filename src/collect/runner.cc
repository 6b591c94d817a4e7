// collect/runner.cc — execute one traced run (see runner.h).
#include "collect/runner.h"

#include <sys/stat.h>

#include <filesystem>

#include "collect/classify.h"
#include "collect/shim.h"
#include "collect/subprocess.h"
#include "collect/toolchain.h"
#include "gotrace/dump.h"
#include "store/codec.h"
#include "store/store.h"

namespace schedcast::collect {

std::chrono::milliseconds HardKillGrace(std::chrono::milliseconds timeout) {
  return std::chrono::milliseconds(2000) + timeout / 4;
}

absl::StatusOr<RunOutput> ExecuteRun(const RunSpec& spec, Workspace& ws) {
  SC_ASSIGN_OR_RETURN(std::string dir, ws.NewDir("runs"));
  std::string trace_path = dir + "/trace";
  std::string end_path = dir + "/end";
  std::string goleak_path = dir + "/goleak";
  std::string leakprof_path = dir + "/leakprof";

  ProcessSpec p;
  p.argv = {spec.binary};
  if (!spec.test_name.empty()) {
    p.argv.insert(p.argv.end(), {"-test.run", "^" + spec.test_name + "$", "-test.count=1", "-test.v",
                                 "-test.timeout=0"});
  }
  std::vector<std::string> env = GoEnv();
  env.push_back(Cat("GOMAXPROCS=", spec.gomaxprocs));
  env.push_back(Cat(kEnvSeed, "=", spec.run_seed));
  if (spec.traced) {
    env.push_back(Cat(kEnvTrace, "=", trace_path));
    env.push_back(Cat(kEnvEnd, "=", end_path));
    env.push_back(Cat(kEnvDeadlineMs, "=", spec.timeout.count()));
    if (spec.test_name.empty()) env.push_back(Cat(kEnvMode, "=main"));
    if (spec.goleak) env.push_back(Cat(kEnvGoleak, "=", goleak_path));
    if (spec.leak_profile) env.push_back(Cat(kEnvLeakProfile, "=", leakprof_path));
    if (spec.perturb_seed != 0 && spec.perturb_mode != store::PerturbMode::kSource)
      env.push_back(Cat(kEnvPerturb, "=", static_cast<int64_t>(spec.perturb_seed)));
    if (spec.perturb_seed != 0 && spec.perturb_mode != store::PerturbMode::kRuntime)
      env.push_back(Cat(kEnvPerturbSource, "=", spec.perturb_seed));
  } else {
    // A bare run must not inherit a tracing request from our own environment.
    env.push_back(Cat(kEnvTrace, "="));
    env.push_back(Cat(kEnvMode, "=bare"));
  }
  for (auto& kv : ws.ProcessEnv()) env.push_back(std::move(kv));
  p.env = EnvironWith(env);
  p.cwd = spec.cwd;
  p.hard_timeout = spec.timeout + HardKillGrace(spec.timeout);
  p.cancel = spec.cancel;

  RunOutput out;
  store::RunRecord& rec = out.record;
  rec.started_at = store::NowUtc();
  SC_ASSIGN_OR_RETURN(ProcessResult r, RunProcess(p));
  out.cancelled = r.cancelled;

  std::optional<std::string> end_state;
  if (auto e = ReadFileToString(end_path); e.ok()) end_state = std::move(*e);
  if (auto g = ReadFileToString(goleak_path); spec.goleak && g.ok()) rec.goleak = std::move(*g);
  if (auto l = ReadFileToString(leakprof_path); spec.leak_profile && l.ok()) rec.leak_profile = std::move(*l);
  if (spec.perturb_seed != 0) rec.perturb_seed = spec.perturb_seed;
  struct stat sb;
  if (stat(trace_path.c_str(), &sb) == 0) {
    rec.has_trace = true;
    if (static_cast<size_t>(sb.st_size) > kMaxTraceBytes) {
      rec.has_trace = false;
      rec.note = Cat("trace of ", sb.st_size, " bytes dropped (over the limit); ");
    } else if (auto t = ReadFileToString(trace_path); t.ok()) {
      rec.trace = std::move(*t);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);

  Classification c = Classify(r, end_state, spec.test_name);
  rec.outcome = c.outcome;
  CatAppend(rec.note, c.note);
  if (r.out.cut()) CatAppend(rec.note, rec.note.empty() ? "" : "; ", "stdout cut (", r.out.total(), " bytes)");
  if (r.err.cut()) CatAppend(rec.note, rec.note.empty() ? "" : "; ", "stderr cut (", r.err.total(), " bytes)");
  rec.exit_code = r.exit_code;
  rec.signal = r.signal;
  rec.wall_ms = r.wall_ms;
  rec.stdout_text = r.out.Text();
  rec.stderr_text = r.err.Text();
  rec.end_state = std::move(end_state);
  if (rec.has_trace && !rec.trace.empty()) {
    absl::StatusOr<gotrace::TraceStats> st = gotrace::ComputeStats(rec.trace);
    if (st.ok()) rec.event_count = static_cast<int64_t>(st->events);
  }
  if (rec.has_trace) rec.trace_zstd = store::Compress(rec.trace);  // here, in parallel, not in the writer
  return out;
}

}  // namespace schedcast::collect
