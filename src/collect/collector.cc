// collect/collector.cc — orchestration of one collection (see collector.h).
#include "collect/collector.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <thread>
#include <tuple>

#include "collect/build.h"
#include "collect/discover.h"
#include "collect/goleak.h"
#include "collect/interrupt.h"
#include "collect/parallel.h"
#include "collect/progress.h"
#include "collect/runner.h"
#include "collect/srcindex.h"
#include "collect/subprocess.h"
#include "collect/toolchain.h"
#include "collect/workspace.h"
#include "common/names.h"
#include "srcindex/index.h"
#include "store/store.h"
#include "store/toolchain_std.h"

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
  std::vector<std::string> build_env;  // GOPATH mode (PreparedPackage::build_env)
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

// One collection's state, passed through its stages in order: Validate, ResolveToolchains,
// SelectPrograms, RegisterInStore, PlanTasks, (interrupt scope) PrepareWorkspace, BuildUnits,
// RecordBuilds, RunTasks.
class Collection {
 public:
  Collection(const CollectOptions& o, std::ostream& log)
      : o_(o),
        jobs_(o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency())),
        progress_(log, o.tty < 0 ? isatty(2) == 1 : o.tty == 1, o.progress_interval) {}

  absl::StatusOr<CollectSummary> Run() {
    const auto t0 = std::chrono::steady_clock::now();
    SC_RETURN_IF_ERROR(Validate());
    SC_RETURN_IF_ERROR(ResolveToolchains());
    SC_RETURN_IF_ERROR(SelectPrograms());
    SC_RETURN_IF_ERROR(RegisterInStore());
    SC_RETURN_IF_ERROR(PlanTasks());
    counts_.programs_total = sum_.programs;
    if (tasks_.empty()) {
      // Nothing to run: still index packages the store has no index of (stores from before the index).
      SC_RETURN_IF_ERROR(IndexSources());
      counts_.programs_done = sum_.programs;
      progress_.Finish(counts_);
      sum_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      return sum_;
    }
    // From here on Ctrl-C is polled: builds and runs in flight are killed, nothing half-done is stored.
    InterruptScope interrupt;
    SC_RETURN_IF_ERROR(PrepareWorkspace());
    SC_RETURN_IF_ERROR(BuildUnits());
    SC_RETURN_IF_ERROR(RecordBuilds());
    SC_RETURN_IF_ERROR(IndexSources());
    SC_RETURN_IF_ERROR(RunTasks());
    sum_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return sum_;
  }

 private:
  absl::Status Validate() const {
    if (o_.paths.empty()) return absl::InvalidArgumentError("collect: no PATH given");
    if (o_.store_path.empty()) return absl::InvalidArgumentError("collect: --store FILE.db is required");
    if (o_.runs < 0) return absl::InvalidArgumentError(Cat("--runs ", o_.runs, ": must be >= 0"));
    if (o_.timeout.count() <= 0) return absl::InvalidArgumentError("--timeout must be positive");
    if (o_.gomaxprocs.empty()) return absl::InvalidArgumentError("--gomaxprocs: empty list");
    if (o_.jobs < 0) return absl::InvalidArgumentError(Cat("--jobs ", o_.jobs, ": must be >= 1"));
    if (o_.perturb >= store::kPerturbSeedLimit)
      return absl::InvalidArgumentError(Cat("--perturb ", o_.perturb, ": must be below 2^56"));
    return absl::OkStatus();
  }

  // The requested Go versions (default: the newest installed) and their toolchains.
  absl::Status ResolveToolchains() {
    versions_ = o_.go_versions;
    if (versions_.empty()) {
      SC_ASSIGN_OR_RETURN(std::string newest, NewestInstalledVersion());
      versions_ = {newest};
    }
    for (const auto& v : versions_) {
      SC_ASSIGN_OR_RETURN(Toolchain t, FindToolchain(v));
      toolchains_.emplace(v, std::move(t));
    }
    return absl::OkStatus();
  }

  // The programs (tests and mains) of the discovered packages that fall in this shard.
  // --run / --skip select tests by name (regular expressions, as `go test -run` / `-skip`).
  absl::Status SelectPrograms() {
    std::optional<std::regex> run_re, skip_re;
    for (auto [text, re, flag] : {std::tuple{&o_.run_regex, &run_re, "--run"}, std::tuple{&o_.skip_regex, &skip_re, "--skip"}}) {
      if (text->empty()) continue;
      try {
        re->emplace(*text, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        return absl::InvalidArgumentError(Cat(flag, " '", *text, "': not a regular expression: ", e.what()));
      }
    }
    auto selected = [&](const std::string& test) {
      return (!run_re || std::regex_search(test, *run_re)) && (!skip_re || !std::regex_search(test, *skip_re));
    };
    SC_ASSIGN_OR_RETURN(packages_, Discover(o_.paths, o_.gopaths));
    std::vector<bool> pkg_used(packages_.size(), false);
    for (size_t i = 0; i < packages_.size(); ++i) {
      auto add = [&](const std::string& name, BuildKind kind) {
        std::string key = ProgramKey(packages_[i].import_path, name);
        if (!InShard(key, o_.shard)) return;
        programs_.push_back({i, name, kind, key});
        pkg_used[i] = true;
      };
      for (const auto& t : packages_[i].tests)
        if (selected(t)) add(t, BuildKind::kTest);
      if (packages_[i].has_main) add("main", BuildKind::kMain);
    }
    sum_.packages = std::count(pkg_used.begin(), pkg_used.end(), true);
    sum_.programs = static_cast<int64_t>(programs_.size());
    if (programs_.empty() && o_.shard.count <= 1)
      return absl::NotFoundError(Cat("collect: no programs to run in ", packages_.size(),
                                     " package(s) found (no func TestXxx(t *testing.T), no func main)"));
    return absl::OkStatus();
  }

  // Opens the store and upserts the configurations and programs (one transaction).
  absl::Status RegisterInStore() {
    SC_ASSIGN_OR_RETURN(db_, store::Store::Open(o_.store_path));
    for (const auto& v : versions_)
      for (bool race : o_.race ? std::vector<bool>{false, true} : std::vector<bool>{false})
        for (int p : o_.gomaxprocs) configs_.push_back({{v, p, race}, 0});
    // The standard-library set of each toolchain, once per store (sched/stdlib.h: how frames are
    // told apart from user code when -trimpath removed GOROOT from file names).
    {
      SC_ASSIGN_OR_RETURN(auto known, db_->StdPackageLists());
      for (const auto& [v, t] : toolchains_) {
        if (known.count(t.full_version)) continue;
        SC_ASSIGN_OR_RETURN(std::string list, ListStdPackages(t));
        SC_RETURN_IF_ERROR(db_->PutStdPackageList(t.full_version, list));
      }
    }
    SC_ASSIGN_OR_RETURN(store::Transaction txn, db_->Begin());
    for (auto& c : configs_) {
      SC_ASSIGN_OR_RETURN(c.id, db_->UpsertConfig(c.rec));
    }
    for (auto& p : programs_) {
      const Package& pkg = packages_[p.pkg];
      SC_ASSIGN_OR_RETURN(p.id, db_->UpsertProgram({pkg.import_path, pkg.dir, p.name,
                                                    p.kind == BuildKind::kTest ? "test" : "main", pkg.source_hash}));
    }
    SC_RETURN_IF_ERROR(txn.Commit());
    sum_.configs = static_cast<int64_t>(configs_.size());
    return absl::OkStatus();
  }

  // The missing run indices of every (program, configuration), and the binaries they need.
  absl::Status PlanTasks() {
    std::map<std::tuple<size_t, std::string, bool, BuildKind>, size_t> unit_of;
    for (size_t pi = 0; pi < programs_.size(); ++pi) {
      const Program& p = programs_[pi];
      for (size_t ci = 0; ci < configs_.size(); ++ci) {
        SC_ASSIGN_OR_RETURN(auto existing, db_->RunIndices(p.id, configs_[ci].id, perturb_key_));
        sum_.runs_already_stored += static_cast<int64_t>(existing.size());
        if (std::any_of(existing.begin(), existing.end(), [](auto& e) { return e.second == Outcome::kBuildFailed; }))
          continue;
        const store::ConfigRecord& c = configs_[ci].rec;
        for (int i = 0; i < o_.runs; ++i) {
          if (existing.count(i)) continue;
          auto key = std::make_tuple(p.pkg, c.go_version, c.race, p.kind);
          auto [it, fresh] = unit_of.emplace(key, units_.size());
          if (fresh) {
            Unit u;
            u.pkg = p.pkg;
            u.go = c.go_version;
            u.race = c.race;
            u.kind = p.kind;
            units_.push_back(std::move(u));
          }
          tasks_.push_back({pi, ci, it->second, i, RunSeed(o_.seed, p.key, c, i)});
        }
      }
    }
    sum_.runs_planned = static_cast<int64_t>(tasks_.size());
    progress_.Line(Cat(Count(programs_.size(), "program"), " in ", Count(sum_.packages, "package"),
                       o_.shard.count > 1 ? Cat(" (shard ", o_.shard.index, "/", o_.shard.count, ")") : "", ", ",
                       Count(configs_.size(), "configuration"), "; ", tasks_.size(), " runs to do, ",
                       sum_.runs_already_stored, " already stored; ", Count(units_.size(), "binary", "binaries"),
                       " to build; ", Count(jobs_, "job")));
    return absl::OkStatus();
  }

  // Temporary copies of the packages with the shim, one binary path per unit.
  absl::Status PrepareWorkspace() {
    SC_ASSIGN_OR_RETURN(ws_, Workspace::Create());
    if (ws_->orphans_killed() > 0)
      progress_.Line(Cat("killed ", ws_->orphans_killed(), " processes left running by an interrupted collection"));
    BecomeSubreaper();
    if (o_.goleak) {
      SC_ASSIGN_OR_RETURN(GoleakModule m, ResolveGoleak(toolchains_.at(versions_.back()), ws_->ProcessEnv()));
      ws_->SetGoleak(m);
    }
    const bool inject = o_.perturb != 0 && o_.perturb_mode != store::PerturbMode::kRuntime;
    const std::string helper = inject ? SrcIndexHelper() : "";
    if (inject && helper.empty())
      return absl::FailedPreconditionError(
          "--perturb-mode source|both needs the srcindex helper (build tools/srcindex or set SCHEDCAST_SRCINDEX)");
    std::set<std::string> injected;
    for (Unit& u : units_) {
      SC_ASSIGN_OR_RETURN(PreparedPackage pp, ws_->PreparePackage(packages_[u.pkg], u.go));
      if (inject && injected.insert(pp.dir).second) {
        // Source-level perturbation: delays before the synchronising statements of the copy.
        SC_ASSIGN_OR_RETURN(int64_t sites, InjectDelays(helper, pp.dir, &stop_));
        progress_.Line(Cat("perturbation: ", sites, " delay sites in ", packages_[u.pkg].import_path));
      }
      u.pkg_dir = pp.dir;
      u.build_env = pp.build_env;
      u.refusal = u.kind == BuildKind::kTest ? pp.test_error : pp.main_error;
      SC_ASSIGN_OR_RETURN(std::string bindir, ws_->NewDir("bin"));
      u.binary = bindir + (u.kind == BuildKind::kTest ? "/pkg.test" : "/main");
    }
    return absl::OkStatus();
  }

  void PollInterrupt() {
    if (InterruptScope::Requested()) stop_.store(true);
  }

  absl::Status BuildUnits() {
    std::function<BuildResult(size_t)> build = [&](size_t i) {
      Unit& u = units_[i];
      if (!u.refusal.empty()) return BuildResult{false, false, u.refusal, 0};
      std::vector<std::string> env = ws_->ProcessEnv();
      env.insert(env.end(), u.build_env.begin(), u.build_env.end());
      absl::StatusOr<BuildResult> r = BuildPackage({toolchains_.at(u.go), u.race, u.kind, u.pkg_dir, u.binary, &stop_,
                                                      env, o_.goleak, o_.leak_profile});
      if (!r.ok()) return BuildResult{false, false, std::string(r.status().message()), 0};
      return *r;
    };
    std::function<absl::Status(size_t, BuildResult&)> built = [&](size_t i, BuildResult& r) {
      units_[i].result = std::move(r);
      units_[i].done = true;
      const Unit& u = units_[i];
      if (!u.result.ok && !u.result.cancelled) {
        progress_.Line(Cat("build failed: ", packages_[u.pkg].import_path, " (go", u.go, u.race ? " -race" : "",
                           u.kind == BuildKind::kMain ? ", main" : ", tests", "):\n", FirstLines(u.result.output, 12)));
      }
      return absl::OkStatus();
    };
    progress_.Line(Cat("building ", Count(units_.size(), "binary", "binaries")));
    return RunParallel<BuildResult>(units_.size(), jobs_, stop_, build, built, [&] { PollInterrupt(); });
  }

  // Records builds per (package, Go version, race); a failure becomes a build_failed run of each
  // affected (program, configuration). Interrupted builds are not recorded.
  absl::Status RecordBuilds() {
    std::map<std::tuple<size_t, std::string, bool>, std::vector<size_t>> groups;
    for (size_t i = 0; i < units_.size(); ++i) groups[{units_[i].pkg, units_[i].go, units_[i].race}].push_back(i);
    const std::string now = store::NowUtc();
    for (const auto& [g, members] : groups) {
      const auto& [pkg_i, go, race] = g;
      bool complete = std::all_of(members.begin(), members.end(),
                                  [&](size_t i) { return units_[i].done && !units_[i].result.cancelled; });
      if (!complete) continue;
      store::BuildRecord b{packages_[pkg_i].import_path, packages_[pkg_i].source_hash, go,
                           toolchains_.at(go).full_version, race, true, ""};
      std::vector<std::pair<int64_t, int64_t>> pcs;
      for (size_t i : members) {
        b.ok &= units_[i].result.ok;
        CatAppend(b.output, b.output.empty() ? "" : "\n", units_[i].result.output);
        ++sum_.builds;
        if (!units_[i].result.ok) ++sum_.builds_failed;
      }
      for (const Task& t : tasks_) {
        const Unit& u = units_[t.unit];
        if (u.pkg != pkg_i || u.go != go || u.race != race) continue;
        if (!b.ok && u.result.ok) continue;  // only the programs whose binary failed
        std::pair<int64_t, int64_t> pc{programs_[t.program].id, configs_[t.config].id};
        if (std::find(pcs.begin(), pcs.end(), pc) == pcs.end()) pcs.push_back(pc);
      }
      SC_RETURN_IF_ERROR(db_->RecordBuild(b, pcs, o_.seed, now));
      if (!b.ok) sum_.outcomes["build_failed"] += static_cast<int64_t>(pcs.size());
    }
    return absl::OkStatus();
  }

  // Indexes the source of every package this collection runs (tools/srcindex), once per
  // (package, source hash): a package already indexed in the store is skipped, unless its index
  // is of an older version than this build's helper writes (it lacks fields: made again). A helper that is
  // missing or fails costs the package its program features, never the collection.
  absl::Status IndexSources() {
    if (!o_.source_index) return absl::OkStatus();
    const std::string helper = SrcIndexHelper();
    if (helper.empty()) {
      progress_.Line("source index: no srcindex helper (build tools/srcindex or set SCHEDCAST_SRCINDEX); "
                     "collecting without it");
      return absl::OkStatus();
    }
    if (indexed_) return absl::OkStatus();
    indexed_ = true;
    std::vector<size_t> todo;
    for (const Program& prog : programs_) {
      if (std::find(todo.begin(), todo.end(), prog.pkg) != todo.end()) continue;
      const Package& p = packages_[prog.pkg];
      SC_ASSIGN_OR_RETURN(auto have, store::GetSourceIndex(*db_, p.import_path, p.source_hash));
      if (have && have->ok && srcindex::VersionOf(have->data) >= srcindex::Index::kVersion) continue;
      todo.push_back(prog.pkg);
    }
    if (todo.empty()) return absl::OkStatus();
    const auto t0 = std::chrono::steady_clock::now();
    std::function<store::SourceIndexRecord(size_t)> index = [&](size_t i) {
      return IndexPackage(helper, packages_[todo[i]], &stop_);
    };
    std::function<absl::Status(size_t, store::SourceIndexRecord&)> got = [&](size_t, store::SourceIndexRecord& r) {
      if (r.error.find("cancelled") != std::string::npos) return absl::OkStatus();
      ++sum_.indexes_made;
      if (!r.ok) {
        ++sum_.indexes_failed;
        progress_.Line(Cat("source index failed: ", r.package, ": ", FirstLines(r.error, 3)));
      }
      return store::PutSourceIndex(*db_, r);
    };
    SC_RETURN_IF_ERROR(RunParallel<store::SourceIndexRecord>(todo.size(), jobs_, stop_, index, got, [&] { PollInterrupt(); }));
    sum_.index_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return absl::OkStatus();
  }

  // Runs every task whose binary built, in OrderKey order, storing each finished run.
  absl::Status RunTasks() {
    std::vector<size_t> order;
    for (size_t i = 0; i < tasks_.size(); ++i) {
      if (units_[tasks_[i].unit].result.ok) {
        order.push_back(i);
        ++programs_[tasks_[i].program].remaining;
      } else {
        ++sum_.runs_skipped_build_failed;
      }
    }
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const Task& x = tasks_[a];
      const Task& y = tasks_[b];
      return std::make_tuple(OrderKey(x.run_seed), x.program, x.config, x.run_index) <
             std::make_tuple(OrderKey(y.run_seed), y.program, y.config, y.run_index);
    });
    counts_.runs_total = static_cast<int64_t>(order.size());
    counts_.programs_done =
        std::count_if(programs_.begin(), programs_.end(), [](const Program& p) { return p.remaining == 0; });
    if (!stop_.load()) progress_.Line(Cat("running ", order.size(), " runs (timeout ", o_.timeout.count(), " ms)"));
    progress_.StartRuns();

    std::function<absl::StatusOr<RunOutput>(size_t)> run = [&](size_t k) {
      const Task& t = tasks_[order[k]];
      const Unit& u = units_[t.unit];
      const Program& p = programs_[t.program];
      RunSpec spec;
      spec.binary = u.binary;
      spec.cwd = u.pkg_dir;
      spec.test_name = p.kind == BuildKind::kTest ? p.name : "";
      spec.gomaxprocs = configs_[t.config].rec.gomaxprocs;
      spec.run_seed = t.run_seed;
      spec.timeout = o_.timeout;
      spec.cancel = &stop_;
      spec.goleak = o_.goleak && CanRunGoleak(u.go);
      spec.leak_profile = o_.leak_profile && HasLeakProfile(u.go);
      // The perturbation seed: a stable hash of the run's seed and --perturb, in (0, 2^63).
      // (The runtime mode keeps the derivation of stores made before the modes existed.)
      if (o_.perturb != 0) spec.perturb_seed = (OrderKey(t.run_seed ^ (perturb_key_ * 0x9E3779B97F4A7C15ULL)) >> 1) | 1;
      spec.perturb_mode = o_.perturb_mode;
      return ExecuteRun(spec, *ws_);
    };
    std::function<absl::Status(size_t, absl::StatusOr<RunOutput>&)> ran = [&](size_t k, absl::StatusOr<RunOutput>& r) {
      return StoreRun(tasks_[order[k]], r);
    };
    auto tick = [&] {
      PollInterrupt();
      progress_.Update(counts_);
    };
    absl::Status run_status = RunParallel<absl::StatusOr<RunOutput>>(order.size(), jobs_, stop_, run, ran, tick);
    sum_.strays_killed = KillStrayChildren();
    sum_.interrupted = InterruptScope::Requested().load();
    sum_.signal = InterruptScope::Signal();
    progress_.Finish(counts_);
    return run_status;
  }

  // One finished run: stored unless it failed to start or was interrupted.
  absl::Status StoreRun(const Task& t, absl::StatusOr<RunOutput>& r) {
    Program& p = programs_[t.program];
    const std::string config = store::ConfigName(configs_[t.config].rec);
    if (!r.ok()) {
      if (sum_.run_errors++ == 0) sum_.first_run_error = Cat(p.key, " [", config, "]: ", std::string(r.status().message()));
      progress_.Line(Cat("run error: ", p.key, " [", config, "] #", t.run_index, ": ", std::string(r.status().message())));
      return absl::OkStatus();
    }
    if (r->cancelled) return absl::OkStatus();  // interrupted: never store a half-run
    store::RunRecord& rec = r->record;
    rec.program_id = p.id;
    rec.config_id = configs_[t.config].id;
    rec.seed = o_.seed;
    rec.run_index = t.run_index;
    rec.run_seed = t.run_seed;
    rec.perturb = perturb_key_;
    SC_ASSIGN_OR_RETURN(bool inserted, db_->InsertRun(rec));
    if (inserted) {
      ++sum_.runs_stored;
      ++sum_.outcomes[std::string(store::OutcomeName(rec.outcome))];
    } else if (sum_.runs_discarded++ == 0) {
      progress_.Line(Cat(p.key, " [", config, "] #", t.run_index,
                         ": another collection stored this run index meanwhile; discarded (a store keeps one run "
                         "per program, configuration and index, whatever the --seed)"));
    }
    ++counts_.runs_done;
    if (store::IsFailure(rec.outcome)) ++counts_.failures;
    if (--p.remaining == 0) ++counts_.programs_done;
    return absl::OkStatus();
  }

  const CollectOptions& o_;
  const int jobs_;
  const uint64_t perturb_key_ = o_.perturb == 0 ? 0 : store::PerturbKey(o_.perturb, o_.perturb_mode);
  Progress progress_;
  CollectSummary sum_;
  ProgressCounts counts_;
  std::vector<std::string> versions_;
  std::map<std::string, Toolchain> toolchains_;
  std::vector<Package> packages_;
  std::vector<Program> programs_;
  std::vector<Config> configs_;
  std::vector<Task> tasks_;
  std::vector<Unit> units_;
  bool indexed_ = false;
  std::unique_ptr<store::Store> db_;
  std::unique_ptr<Workspace> ws_;
  std::atomic<bool> stop_{false};
};

}  // namespace

absl::StatusOr<CollectSummary> Collect(const CollectOptions& o, std::ostream& log) { return Collection(o, log).Run(); }

absl::Status ApplyPlanFlags(const std::string& gomaxprocs, const std::string& go, const std::string& timeout,
                            CollectOptions* o) {
  SC_ASSIGN_OR_RETURN(o->gomaxprocs, ParseIntList(gomaxprocs, "--gomaxprocs"));
  if (!go.empty()) {
    SC_ASSIGN_OR_RETURN(o->go_versions, ParseGoVersions(go));
  }
  SC_ASSIGN_OR_RETURN(o->timeout, ParseDuration(timeout, "--timeout"));
  return absl::OkStatus();
}

}  // namespace schedcast::collect
