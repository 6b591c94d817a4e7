// collect/workspace.cc — temporary copies with shims (see workspace.h).
#include "collect/workspace.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "collect/shim.h"

namespace schedcast::collect {
namespace fs = std::filesystem;
namespace {

std::string TmpDir() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

// The pid of the collector that owns a workspace named ".../schedcast-<pid>-XXXXXX", or 0.
long OwnerPid(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  if (name.rfind("schedcast-", 0) != 0) return 0;
  char* end;
  long pid = std::strtol(name.c_str() + 10, &end, 10);
  if (end == name.c_str() + 10 || *end != '-' || pid <= 0) return 0;
  return pid;
}

bool Dead(long pid) { return kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH; }

// SIGKILLs every process whose environment holds kEnvWorkspace=<a workspace of a dead collector>.
int KillOrphans() {
  int killed = 0;
  const std::string key = Cat(kEnvWorkspace, "=");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    char* end;
    long pid = std::strtol(name.c_str(), &end, 10);
    if (*end || pid <= 0 || pid == getpid()) continue;
    auto env = ReadFileToString(Cat("/proc/", pid, "/environ"));  // unreadable (another user): skip
    if (!env.ok()) continue;
    for (size_t pos = 0; pos < env->size();) {
      size_t nul = env->find('\0', pos);
      if (nul == std::string::npos) nul = env->size();
      std::string_view kv(env->data() + pos, nul - pos);
      pos = nul + 1;
      if (kv.substr(0, key.size()) != key) continue;
      const long owner = OwnerPid(std::string(kv.substr(key.size())));
      if (owner > 0 && Dead(owner) && kill(static_cast<pid_t>(pid), SIGKILL) == 0) ++killed;
      break;
    }
  }
  return killed;
}

void RemoveDeadWorkspaces() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(TmpDir(), ec)) {
    const long pid = OwnerPid(e.path().string());
    if (pid <= 0 || !Dead(pid)) continue;
    fs::remove_all(e.path(), ec);
  }
}

// Copies `from` into `to` recursively (symlinks as symlinks), skipping VCS directories.
absl::Status CopyTree(const fs::path& from, const fs::path& to, bool recursive, int& budget) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return absl::PermissionDeniedError(Cat(to.string(), ": cannot create: ", ec.message()));
  for (const auto& e : fs::directory_iterator(from, ec)) {
    std::string name = e.path().filename().string();
    fs::path dst = to / name;
    if (--budget < 0) {
      return absl::ResourceExhaustedError(Cat(from.string(), ": more than ", kMaxCopyFiles,
                                              " files to copy; is the go.mod above it the right module?"));
    }
    if (e.is_symlink(ec)) {
      fs::copy_symlink(e.path(), dst, ec);
    } else if (e.is_directory(ec)) {
      if (!recursive || name == ".git" || name == ".hg" || name == ".svn") continue;
      SC_RETURN_IF_ERROR(CopyTree(e.path(), dst, recursive, budget));
      continue;
    } else if (e.is_regular_file(ec)) {
      fs::copy_file(e.path(), dst, ec);
    }
    if (ec) return absl::PermissionDeniedError(Cat(e.path().string(), ": cannot copy: ", ec.message()));
  }
  if (ec) return absl::PermissionDeniedError(Cat(from.string(), ": cannot list: ", ec.message()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Workspace>> Workspace::Create() {
  const int orphans = KillOrphans();
  RemoveDeadWorkspaces();
  std::string tmpl = Cat(TmpDir(), "/schedcast-", getpid(), "-XXXXXX");
  if (!mkdtemp(tmpl.data())) return absl::PermissionDeniedError(Cat(tmpl, ": mkdtemp: ", std::strerror(errno)));
  std::error_code ec;
  fs::create_directories(fs::path(tmpl) / "gotmp", ec);
  if (ec) return absl::PermissionDeniedError(Cat(tmpl, "/gotmp: cannot create: ", ec.message()));
  std::unique_ptr<Workspace> ws(new Workspace(tmpl));
  ws->orphans_killed_ = orphans;
  return ws;
}

std::vector<std::string> Workspace::ProcessEnv() const {
  return {Cat(kEnvWorkspace, "=", root_), Cat("GOTMPDIR=", root_, "/gotmp")};
}

Workspace::~Workspace() {
  if (std::getenv("SCHEDCAST_KEEP_WORK")) return;
  std::error_code ec;
  fs::remove_all(root_, ec);
}

absl::StatusOr<std::string> Workspace::NewDir(const std::string& kind) {
  fs::path d = fs::path(root_) / kind / std::to_string(next_dir_++);
  std::error_code ec;
  fs::create_directories(d, ec);
  if (ec) return absl::PermissionDeniedError(Cat(d.string(), ": cannot create: ", ec.message()));
  return d.string();
}

absl::StatusOr<PreparedPackage> Workspace::PreparePackage(const Package& pkg, const std::string& go_version) {
  const bool gopath = !pkg.gopath.empty();
  bool has_module = !pkg.module_root.empty();
  std::string key = gopath ? "gopath\n" + pkg.module_root : has_module ? pkg.module_root : pkg.dir + "\n" + go_version;
  auto it = copies_.find(key);
  if (it == copies_.end()) {
    const fs::path gopath_root = fs::path(root_) / "gopath" / std::to_string(copies_.size());
    fs::path copy = gopath ? gopath_root / "src" / pkg.module_path : fs::path(root_) / "src" / std::to_string(copies_.size());
    int budget = kMaxCopyFiles;
    SC_RETURN_IF_ERROR(CopyTree(has_module ? pkg.module_root : pkg.dir, copy, /*recursive=*/true, budget));
    if (!has_module && !gopath) {
      SC_RETURN_IF_ERROR(WriteStringToFile((copy / "go.mod").string(),
                                           Cat("module schedcast.tmp/pkg\n\ngo ", go_version, "\n")));
    }
    if (goleak_) SC_RETURN_IF_ERROR(AddGoleakRequirement(copy.string(), *goleak_));
    it = copies_.emplace(key, copy.string()).first;
  }
  std::string pkey = key + "\n" + pkg.dir;
  if (auto p = prepared_.find(pkey); p != prepared_.end()) return p->second;

  PreparedPackage out;
  out.dir = (fs::path(it->second) / pkg.rel).lexically_normal().string();
  if (gopath) {
    // it->second is <gopath root>/src/<module_path>; GOFLAGS is cleared: -mod=... is refused there.
    fs::path copy_root = it->second;
    const fs::path module_path(pkg.module_path);
    for (auto part = module_path.begin(); part != module_path.end(); ++part) copy_root = copy_root.parent_path();
    out.build_env = {"GO111MODULE=off", "GOFLAGS=", Cat("GOPATH=", copy_root.parent_path().string(), ":", pkg.gopath)};
  }
  if (!pkg.tests.empty()) {
    std::string shim_package = pkg.test_package_name;
    bool wrap = false;
    if (pkg.has_test_main) {
      std::string file = (fs::path(out.dir) / pkg.test_main_file).string();
      SC_ASSIGN_OR_RETURN(std::string src, ReadFileToString(file));
      absl::StatusOr<std::string> wrapped = WrapTestMain(src, (fs::path(pkg.dir) / pkg.test_main_file).string());
      if (!wrapped.ok()) {
        out.test_error = Cat(pkg.import_path, ": cannot wrap its TestMain: ", std::string(wrapped.status().message()));
      } else {
        SC_RETURN_IF_ERROR(WriteStringToFile(file, *wrapped));
        shim_package = pkg.test_main_package;
        wrap = true;
      }
    }
    if (out.test_error.empty()) {
      SC_RETURN_IF_ERROR(WriteStringToFile((fs::path(out.dir) / kTestShimFile).string(),
                                           TestShimSource(shim_package, wrap)));
      SC_RETURN_IF_ERROR(WriteStringToFile((fs::path(out.dir) / kTestNoGoleakFile).string(),
                                           GoleakShimSource(shim_package, /*test=*/true, false)));
      if (goleak_) {
        SC_RETURN_IF_ERROR(WriteStringToFile((fs::path(out.dir) / kTestGoleakFile).string(),
                                             GoleakShimSource(shim_package, /*test=*/true, true)));
      }
    }
  }
  if (pkg.has_main) {
    std::string file = (fs::path(out.dir) / pkg.main_file).string();
    SC_ASSIGN_OR_RETURN(std::string src, ReadFileToString(file));
    absl::StatusOr<std::string> renamed = RenameMain(src, (fs::path(pkg.dir) / pkg.main_file).string());
    if (!renamed.ok()) {
      out.main_error = std::string(renamed.status().message());
    } else {
      SC_RETURN_IF_ERROR(WriteStringToFile(file, *renamed));
      SC_RETURN_IF_ERROR(WriteStringToFile((fs::path(out.dir) / kMainShimFile).string(), MainShimSource()));
      SC_RETURN_IF_ERROR(WriteStringToFile((fs::path(out.dir) / kMainNoGoleakFile).string(),
                                           GoleakShimSource("main", /*test=*/false, false)));
      if (goleak_) {
        SC_RETURN_IF_ERROR(WriteStringToFile((fs::path(out.dir) / kMainGoleakFile).string(),
                                             GoleakShimSource("main", /*test=*/false, true)));
      }
    }
  }
  prepared_.emplace(pkey, out);
  return out;
}

}  // namespace schedcast::collect
