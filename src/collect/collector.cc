// collect/collector.cc — orchestration of one collection (see collector.h).
#include "collect/collector.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <thread>
#include <tuple>

#include "collect/build.h"
#include "collect/discover.h"
#include "collect/interrupt.h"
#include "collect/parallel.h"
#include "collect/progress.h"
#include "collect/runner.h"
#include "collect/subprocess.h"
#include "collect/toolchain.h"
#include "collect/workspace.h"
#include "store/store.h"

namespace schedcast::collect {
namespace {

using store::Outcome;

struct Program {
  size_t pkg = 0;
  std::string name;  // TestXxx or "main"
  BuildKind kind = BuildKind::kTest;
  std::string key;
  int64_t id = 0;
  int64_t remaining = 0;  // runs of this collection not finished yet
};

struct Config {
  store::ConfigRecord rec;
  int64_t id = 0;
};

struct Unit {  // one binary: (package, Go version, race, kind)
  size_t pkg = 0;
  std::string go;
  bool race = false;
  BuildKind kind = BuildKind::kTest;
  std::string pkg_dir, binary, refusal;
  BuildResult result;
  bool done = false;
};

struct Task {
  size_t program = 0, config = 0, unit = 0;
  int run_index = 0;
  uint64_t run_seed = 0;
};

std::string FirstLines(const std::string& s, int lines) {
  size_t pos = 0;
  for (int i = 0; i < lines && pos != std::string::npos; ++i) {
    pos = s.find('\n', pos == 0 ? 0 : pos + 1);
  }
  return pos == std::string::npos ? s : s.substr(0, pos);
}

std::string Count(int64_t n, const std::string& one, const std::string& many = "") {
  return Cat(n, " ", n == 1 ? one : many.empty() ? one + "s" : many);
}

}  // namespace

absl::StatusOr<CollectSummary> Collect(const CollectOptions& o, std::ostream& log) {
  auto t0 = std::chrono::steady_clock::now();
  if (o.paths.empty()) return absl::InvalidArgumentError("collect: no PATH given");
  if (o.store_path.empty()) return absl::InvalidArgumentError("collect: --store FILE.db is required");
  if (o.runs < 0) return absl::InvalidArgumentError(Cat("--runs ", o.runs, ": must be >= 0"));
  if (o.timeout.count() <= 0) return absl::InvalidArgumentError("--timeout must be positive");
  if (o.gomaxprocs.empty()) return absl::InvalidArgumentError("--gomaxprocs: empty list");
  if (o.jobs < 0) return absl::InvalidArgumentError(Cat("--jobs ", o.jobs, ": must be >= 1"));
  const int jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  Progress progress(log, o.tty < 0 ? isatty(2) == 1 : o.tty == 1, o.progress_interval);
  CollectSummary sum;

  // Toolchains.
  std::vector<std::string> versions = o.go_versions;
  if (versions.empty()) {
    std::vector<std::string> installed = InstalledVersions();
    if (installed.empty()) return absl::NotFoundError("no Go toolchain found under /usr/lib/go-1.NN (use --go)");
    versions = {installed.back()};
  }
  std::map<std::string, Toolchain> toolchains;
  for (const auto& v : versions) {
    SC_ASSIGN_OR_RETURN(Toolchain t, FindToolchain(v));
    toolchains.emplace(v, std::move(t));
  }

  // Programs of this shard.
  SC_ASSIGN_OR_RETURN(std::vector<Package> packages, Discover(o.paths));
  std::vector<Program> programs;
  std::vector<bool> pkg_used(packages.size(), false);
  for (size_t i = 0; i < packages.size(); ++i) {
    auto add = [&](const std::string& name, BuildKind kind) {
      std::string key = ProgramKey(packages[i].import_path, name);
      if (!InShard(key, o.shard)) return;
      programs.push_back({i, name, kind, key});
      pkg_used[i] = true;
    };
    for (const auto& t : packages[i].tests) add(t, BuildKind::kTest);
    if (packages[i].has_main) add("main", BuildKind::kMain);
  }
  sum.packages = std::count(pkg_used.begin(), pkg_used.end(), true);
  sum.programs = static_cast<int64_t>(programs.size());
  if (programs.empty() && o.shard.count <= 1)
    return absl::NotFoundError(Cat("collect: no programs to run in ", packages.size(),
                                   " package(s) found (no func TestXxx(t *testing.T), no func main)"));

  // Store: configurations and programs.
  SC_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, store::Store::Open(o.store_path));
  std::vector<Config> configs;
  for (const auto& v : versions) {
    for (bool race : o.race ? std::vector<bool>{false, true} : std::vector<bool>{false}) {
      for (int p : o.gomaxprocs) configs.push_back({{v, p, race}, 0});
    }
  }
  {
    SC_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(db->db()));
    for (auto& c : configs) {
      SC_ASSIGN_OR_RETURN(c.id, db->UpsertConfig(c.rec));
    }
    for (auto& p : programs) {
      const Package& pkg = packages[p.pkg];
      SC_ASSIGN_OR_RETURN(p.id, db->UpsertProgram({pkg.import_path, pkg.dir, p.name,
                                                   p.kind == BuildKind::kTest ? "test" : "main", pkg.source_hash}));
    }
    SC_RETURN_IF_ERROR(txn.Commit());
  }
  sum.configs = static_cast<int64_t>(configs.size());

  // Plan: the missing run indices of every (program, configuration), and the binaries they need.
  std::vector<Task> tasks;
  std::vector<Unit> units;
  std::map<std::tuple<size_t, std::string, bool, BuildKind>, size_t> unit_of;
  for (size_t pi = 0; pi < programs.size(); ++pi) {
    const Program& p = programs[pi];
    for (size_t ci = 0; ci < configs.size(); ++ci) {
      SC_ASSIGN_OR_RETURN(auto existing, db->RunIndices(p.id, configs[ci].id));
      sum.runs_already_stored += static_cast<int64_t>(existing.size());
      if (std::any_of(existing.begin(), existing.end(), [](auto& e) { return e.second == Outcome::kBuildFailed; })) {
        continue;
      }
      const store::ConfigRecord& c = configs[ci].rec;
      for (int i = 0; i < o.runs; ++i) {
        if (existing.count(i)) continue;
        auto key = std::make_tuple(p.pkg, c.go_version, c.race, p.kind);
        auto [it, fresh] = unit_of.emplace(key, units.size());
        if (fresh) {
          Unit u;
          u.pkg = p.pkg;
          u.go = c.go_version;
          u.race = c.race;
          u.kind = p.kind;
          units.push_back(std::move(u));
        }
        tasks.push_back({pi, ci, it->second, i, RunSeed(o.seed, p.key, c, i)});
      }
    }
  }
  sum.runs_planned = static_cast<int64_t>(tasks.size());
  progress.Line(Cat(Count(programs.size(), "program"), " in ", Count(sum.packages, "package"),
                    o.shard.count > 1 ? Cat(" (shard ", o.shard.index, "/", o.shard.count, ")") : "", ", ",
                    Count(configs.size(), "configuration"), "; ", tasks.size(), " runs to do, ",
                    sum.runs_already_stored, " already stored; ", Count(units.size(), "binary", "binaries"),
                    " to build; ", Count(jobs, "job")));

  ProgressCounts counts;
  counts.programs_total = sum.programs;
  if (tasks.empty()) {
    counts.programs_done = sum.programs;
    progress.Finish(counts);
    sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return sum;
  }

  // From here on Ctrl-C is polled: builds and runs in flight are killed, nothing half-done is stored.
  InterruptScope interrupt;
  // Workspace: temporary copies with the shim.
  SC_ASSIGN_OR_RETURN(std::unique_ptr<Workspace> ws, Workspace::Create());
  if (ws->orphans_killed() > 0)
    progress.Line(Cat("killed ", ws->orphans_killed(), " processes left running by an interrupted collection"));
  BecomeSubreaper();
  for (Unit& u : units) {
    SC_ASSIGN_OR_RETURN(PreparedPackage pp, ws->PreparePackage(packages[u.pkg], u.go));
    u.pkg_dir = pp.dir;
    u.refusal = u.kind == BuildKind::kTest ? pp.test_error : pp.main_error;
    SC_ASSIGN_OR_RETURN(std::string bindir, ws->NewDir("bin"));
    u.binary = bindir + (u.kind == BuildKind::kTest ? "/pkg.test" : "/main");
  }

  std::atomic<bool> stop{false};
  auto poll_interrupt = [&] {
    if (InterruptScope::Requested()) stop.store(true);
  };

  // Build phase.
  std::function<BuildResult(size_t)> build = [&](size_t i) {
    Unit& u = units[i];
    if (!u.refusal.empty()) return BuildResult{false, false, u.refusal, 0};
    absl::StatusOr<BuildResult> r = BuildPackage({toolchains.at(u.go), u.race, u.kind, u.pkg_dir, u.binary, &stop, ws->ProcessEnv()});
    if (!r.ok()) return BuildResult{false, false, std::string(r.status().message()), 0};
    return *r;
  };
  std::function<absl::Status(size_t, BuildResult&)> built = [&](size_t i, BuildResult& r) {
    units[i].result = std::move(r);
    units[i].done = true;
    const Unit& u = units[i];
    if (!u.result.ok && !u.result.cancelled) {
      progress.Line(Cat("build failed: ", packages[u.pkg].import_path, " (go", u.go, u.race ? " -race" : "",
                        u.kind == BuildKind::kMain ? ", main" : ", tests", "):\n",
                        FirstLines(u.result.output, 12)));
    }
    return absl::OkStatus();
  };
  progress.Line(Cat("building ", Count(units.size(), "binary", "binaries")));
  SC_RETURN_IF_ERROR(RunParallel<BuildResult>(units.size(), jobs, stop, build, built, poll_interrupt));

  // Record builds per (package, Go version, race); a failure becomes a build_failed run of each
  // affected (program, configuration). Interrupted builds are not recorded.
  std::map<std::tuple<size_t, std::string, bool>, std::vector<size_t>> groups;
  for (size_t i = 0; i < units.size(); ++i) groups[{units[i].pkg, units[i].go, units[i].race}].push_back(i);
  std::string now = store::NowUtc();
  for (const auto& [g, members] : groups) {
    const auto& [pkg_i, go, race] = g;
    bool complete = std::all_of(members.begin(), members.end(),
                                [&](size_t i) { return units[i].done && !units[i].result.cancelled; });
    if (!complete) continue;
    store::BuildRecord b{packages[pkg_i].import_path, packages[pkg_i].source_hash, go,
                         toolchains.at(go).full_version, race, true, ""};
    std::vector<std::pair<int64_t, int64_t>> pcs;
    for (size_t i : members) {
      b.ok &= units[i].result.ok;
      CatAppend(b.output, b.output.empty() ? "" : "\n", units[i].result.output);
      ++sum.builds;
      if (!units[i].result.ok) ++sum.builds_failed;
    }
    for (const Task& t : tasks) {
      const Unit& u = units[t.unit];
      if (u.pkg != pkg_i || u.go != go || u.race != race) continue;
      if (!b.ok && u.result.ok) continue;  // only the programs whose binary failed
      std::pair<int64_t, int64_t> pc{programs[t.program].id, configs[t.config].id};
      if (std::find(pcs.begin(), pcs.end(), pc) == pcs.end()) pcs.push_back(pc);
    }
    SC_RETURN_IF_ERROR(db->RecordBuild(b, pcs, o.seed, now));
    if (!b.ok) sum.outcomes["build_failed"] += static_cast<int64_t>(pcs.size());
  }

  // Run phase.
  std::vector<size_t> order;
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (units[tasks[i].unit].result.ok) {
      order.push_back(i);
      ++programs[tasks[i].program].remaining;
    } else {
      ++sum.runs_skipped_build_failed;
    }
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Task& x = tasks[a];
    const Task& y = tasks[b];
    return std::make_tuple(OrderKey(x.run_seed), x.program, x.config, x.run_index) <
           std::make_tuple(OrderKey(y.run_seed), y.program, y.config, y.run_index);
  });
  counts.runs_total = static_cast<int64_t>(order.size());
  counts.programs_done = std::count_if(programs.begin(), programs.end(), [](const Program& p) { return p.remaining == 0; });
  if (!stop.load()) progress.Line(Cat("running ", order.size(), " runs (timeout ", o.timeout.count(), " ms)"));
  progress.StartRuns();

  std::function<absl::StatusOr<RunOutput>(size_t)> run = [&](size_t k) {
    const Task& t = tasks[order[k]];
    const Unit& u = units[t.unit];
    const Program& p = programs[t.program];
    RunSpec spec;
    spec.binary = u.binary;
    spec.cwd = u.pkg_dir;
    spec.test_name = p.kind == BuildKind::kTest ? p.name : "";
    spec.gomaxprocs = configs[t.config].rec.gomaxprocs;
    spec.run_seed = t.run_seed;
    spec.timeout = o.timeout;
    spec.cancel = &stop;
    return ExecuteRun(spec, *ws);
  };
  std::function<absl::Status(size_t, absl::StatusOr<RunOutput>&)> ran = [&](size_t k,
                                                                             absl::StatusOr<RunOutput>& r) {
    const Task& t = tasks[order[k]];
    Program& p = programs[t.program];
    if (!r.ok()) {
      if (sum.run_errors++ == 0) sum.first_run_error = Cat(p.key, " [", ConfigKey(configs[t.config].rec), "]: ", std::string(r.status().message()));
      progress.Line(Cat("run error: ", p.key, " [", ConfigKey(configs[t.config].rec), "] #", t.run_index, ": ",
                        std::string(r.status().message())));
      return absl::OkStatus();
    }
    if (r->cancelled) return absl::OkStatus();  // interrupted: never store a half-run
    store::RunRecord& rec = r->record;
    rec.program_id = p.id;
    rec.config_id = configs[t.config].id;
    rec.seed = o.seed;
    rec.run_index = t.run_index;
    rec.run_seed = t.run_seed;
    SC_ASSIGN_OR_RETURN(bool inserted, db->InsertRun(rec));
    if (inserted) {
      ++sum.runs_stored;
      ++sum.outcomes[std::string(store::OutcomeName(rec.outcome))];
    } else if (sum.runs_discarded++ == 0) {
      progress.Line(Cat(p.key, " [", ConfigKey(configs[t.config].rec), "] #", t.run_index,
                        ": another collection stored this run index meanwhile; discarded (a store keeps one run "
                        "per program, configuration and index, whatever the --seed)"));
    }
    ++counts.runs_done;
    if (store::IsFailure(rec.outcome)) ++counts.failures;
    if (--p.remaining == 0) ++counts.programs_done;
    return absl::OkStatus();
  };
  auto tick = [&] {
    poll_interrupt();
    progress.Update(counts);
  };
  absl::Status run_status = RunParallel<absl::StatusOr<RunOutput>>(order.size(), jobs, stop, run, ran, tick);
  sum.strays_killed = KillStrayChildren();
  sum.interrupted = InterruptScope::Requested().load();
  sum.signal = InterruptScope::Signal();
  progress.Finish(counts);
  SC_RETURN_IF_ERROR(run_status);
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace schedcast::collect
