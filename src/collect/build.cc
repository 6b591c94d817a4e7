// collect/build.cc — `go test -c` / `go build` of a shimmed package copy (see build.h).
#include "collect/build.h"

#include <unistd.h>

#include "collect/goleak.h"
#include "collect/shim.h"
#include "collect/subprocess.h"

namespace schedcast::collect {

absl::StatusOr<BuildResult> BuildPackage(const BuildSpec& spec) {
  ProcessSpec p;
  p.argv = {spec.toolchain.go_binary};
  if (spec.kind == BuildKind::kTest) {
    p.argv.insert(p.argv.end(), {"test", "-c"});
  } else {
    p.argv.push_back("build");
  }
  // -trimpath: stack and trace file names become "import/path/file.go", stable across machines and
  // temporary copies (no /tmp/schedcast-*/ prefixes), so sites compare across collections.
  p.argv.insert(p.argv.end(), {"-trimpath", "-o", spec.output});
  if (spec.race) p.argv.push_back("-race");
  const bool goleak = spec.goleak && CanRunGoleak(spec.toolchain.version);
  if (goleak) p.argv.insert(p.argv.end(), {"-tags", kGoleakTag});
  p.argv.push_back(".");
  std::vector<std::string> env = GoEnv();
  if (spec.race) env.push_back("CGO_ENABLED=1");
  // The copy requires goleak (collect/goleak.h); a vendored module would otherwise refuse it.
  if (spec.goleak) env.push_back("GOFLAGS=-mod=mod");
  const bool experiment = spec.leak_profile && NeedsLeakExperiment(spec.toolchain.version);
  if (experiment) env.push_back("GOEXPERIMENT=goroutineleakprofile");
  // spec.env overrides GoEnv() (GOPATH mode sets GO111MODULE=off): the first of two entries would win.
  for (const std::string& kv : spec.env) {
    const std::string key = kv.substr(0, kv.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.compare(0, key.size(), key) == 0; });
    env.push_back(kv);
  }
  p.env = EnvironWith(env);
  p.cwd = spec.pkg_dir;
  p.merge_stderr = true;
  p.hard_timeout = std::chrono::minutes(10);
  p.cancel = spec.cancel;
  SC_ASSIGN_OR_RETURN(ProcessResult r, RunProcess(p));
  BuildResult out;
  out.cancelled = r.cancelled;
  out.wall_ms = r.wall_ms;
  std::string cmd = "$";
  for (size_t i = 0; i < p.argv.size(); ++i) CatAppend(cmd, " ", i == 0 ? "go" + spec.toolchain.version : p.argv[i]);
  out.output = Cat(experiment ? "$ export GOEXPERIMENT=goroutineleakprofile\n" : "", cmd, "   # ",
                   spec.toolchain.full_version, "\n", r.out.Text());
  if (r.timed_out) out.output += "\n[schedcast: build killed after 10 minutes]\n";
  out.ok = r.exit_code == 0 && access(spec.output.c_str(), X_OK) == 0;
  return out;
}

}  // namespace schedcast::collect
