// collect/srcindex.cc — runs tools/srcindex on one package (see srcindex.h).
#include "collect/srcindex.h"

#include <unistd.h>

#include <cstdlib>

#include "collect/subprocess.h"

namespace schedcast::collect {

std::string SrcIndexHelper() {
  if (const char* env = std::getenv("SCHEDCAST_SRCINDEX"); env != nullptr)
    return access(env, X_OK) == 0 ? std::string(env) : "";
#ifdef SCHEDCAST_SRCINDEX_BIN
  if (access(SCHEDCAST_SRCINDEX_BIN, X_OK) == 0) return SCHEDCAST_SRCINDEX_BIN;
#endif
  return "";
}

store::SourceIndexRecord IndexPackage(const std::string& helper, const Package& pkg, const std::atomic<bool>* cancel) {
  store::SourceIndexRecord r;
  r.package = pkg.import_path;
  r.source_hash = pkg.source_hash;
  ProcessSpec spec;
  spec.argv = {helper, pkg.dir};
  spec.env = EnvironWith({"GOTOOLCHAIN=local"});
  spec.cwd = pkg.dir;
  spec.hard_timeout = std::chrono::seconds(60);
  spec.capture_head = 64 << 20;  // the JSON must come back whole
  spec.capture_tail = 0;
  spec.cancel = cancel;
  absl::StatusOr<ProcessResult> p = RunProcess(spec);
  if (!p.ok()) {
    r.error = Cat(helper, ": ", std::string(p.status().message()));
    return r;
  }
  r.wall_ms = p->wall_ms;
  const std::string out = p->out.Text();
  if (p->exit_code != 0 || p->timed_out || p->cancelled || out.empty() || out[0] != '{' || p->out.cut()) {
    r.error = Cat(helper, " ", pkg.dir, ": ", p->timed_out ? "timed out" : p->cancelled ? "cancelled" : "failed",
                  p->exit_code ? Cat(" (exit ", *p->exit_code, ")") : "", ": ", p->err.Text().substr(0, 2000));
    return r;
  }
  r.ok = true;
  r.data = out;
  return r;
}

absl::StatusOr<int64_t> InjectDelays(const std::string& helper, const std::string& copy_dir,
                                     const std::atomic<bool>* cancel) {
  ProcessSpec spec;
  spec.argv = {helper, "-inject", copy_dir};
  spec.env = EnvironWith({"GOTOOLCHAIN=local"});
  spec.cwd = copy_dir;
  spec.hard_timeout = std::chrono::seconds(120);
  spec.capture_head = 1 << 20;
  spec.capture_tail = 0;
  spec.cancel = cancel;
  absl::StatusOr<ProcessResult> run = RunProcess(spec);
  if (!run.ok()) return WithContext(run.status(), Cat(helper, " -inject ", copy_dir));
  const ProcessResult& p = *run;
  const std::string out = p.out.Text();
  const std::string key = "\"sites\":";
  const size_t at = out.find(key);
  if (p.exit_code != 0 || p.timed_out || p.cancelled || at == std::string::npos)
    return absl::InternalError(Cat(helper, " -inject ", copy_dir, ": ",
                                   p.timed_out ? "timed out" : p.cancelled ? "cancelled" : "failed",
                                   p.exit_code ? Cat(" (exit ", *p.exit_code, ")") : "", ": ",
                                   p.err.Text().substr(0, 2000)));
  return std::strtoll(out.c_str() + at + key.size(), nullptr, 10);
}

}  // namespace schedcast::collect
