// collect/toolchain.cc — Go toolchain lookup (see toolchain.h).
#include "collect/toolchain.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <utility>

#include "collect/subprocess.h"

namespace schedcast::collect {
namespace {

std::string Getenv(const char* k) {
  const char* v = std::getenv(k);
  return v ? v : "";
}

bool Executable(const std::string& p) { return !p.empty() && access(p.c_str(), X_OK) == 0; }

std::string CandidateFromEnv(const std::string& version) {
  std::string key = "SCHEDCAST_GO_" + version;
  for (char& c : key) if (c == '.') c = '_';
  return Getenv(key.c_str());
}

}  // namespace

std::string GoCacheDir() {
  if (std::string s = Getenv("SCHEDCAST_GOCACHE"); !s.empty()) return s;
  if (std::string s = Getenv("GOCACHE"); !s.empty()) return s;
  // Go's own default, so builds share the cache the user's `go` already warmed.
  if (std::string x = Getenv("XDG_CACHE_HOME"); !x.empty()) return x + "/go-build";
  if (std::string h = Getenv("HOME"); !h.empty()) return h + "/.cache/go-build";
  return "/tmp/schedcast-go-build";
}

std::vector<std::string> GoEnv() {
  return {"GOTOOLCHAIN=local", "GOWORK=off", "GO111MODULE=on", "GOCACHE=" + GoCacheDir()};
}

namespace {

// "go1.27.3" / "go1.26rc1" -> "1.27" / "1.26"; "" if not a Go version.
std::string MinorOf(const std::string& full) {
  static const std::regex re(R"(go(1\.[0-9]+)([.a-z].*)?)");
  std::smatch m;
  return std::regex_match(full, m, re) ? m[1].str() : "";
}

// `go env GOVERSION` of a binary ("" if it cannot tell).
std::string GoVersionOf(const std::string& bin) {
  ProcessSpec spec;
  spec.argv = {bin, "env", "GOVERSION"};
  spec.env = EnvironWith(GoEnv());
  spec.hard_timeout = std::chrono::seconds(60);
  absl::StatusOr<ProcessResult> r = RunProcess(spec);
  if (!r.ok() || r->exit_code != 0) return "";
  std::string out = r->out.Text();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string ModCacheDir() {
  if (std::string s = Getenv("GOMODCACHE"); !s.empty()) return s;
  if (std::string s = Getenv("GOPATH"); !s.empty()) return s.substr(0, s.find(':')) + "/pkg/mod";
  if (std::string h = Getenv("HOME"); !h.empty()) return h + "/go/pkg/mod";
  return "";
}

// Toolchains the go command fetched with GOTOOLCHAIN=go1.NN.P: (patch, path) per minor version.
std::map<std::string, std::pair<int, std::string>> ModCacheToolchains() {
  std::map<std::string, std::pair<int, std::string>> out;
  const std::string dir = ModCacheDir();
  if (dir.empty()) return out;
  static const std::regex re(R"(toolchain@v0\.0\.1-go(1\.[0-9]+)\.([0-9]+)\.[a-z0-9]+-[a-z0-9]+)");
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/golang.org", ec)) {
    const std::string name = e.path().filename().string();
    std::smatch m;
    if (!std::regex_match(name, m, re)) continue;
    const std::string bin = e.path().string() + "/bin/go";
    if (!Executable(bin)) continue;
    const int patch = std::stoi(m[2].str());
    auto it = out.find(m[1].str());
    if (it == out.end() || it->second.first < patch) out[m[1].str()] = {patch, bin};
  }
  return out;
}

// `go` on PATH and /usr/local/go, with their versions (asked once per process).
const std::vector<std::pair<std::string, std::string>>& HostToolchains() {
  static const std::vector<std::pair<std::string, std::string>> found = [] {
    std::vector<std::pair<std::string, std::string>> out;
    std::vector<std::string> bins;
    const std::string path = Getenv("PATH");
    for (size_t i = 0; i <= path.size();) {
      size_t j = path.find(':', i);
      if (j == std::string::npos) j = path.size();
      if (j > i) {
        const std::string b = path.substr(i, j - i) + "/go";
        if (Executable(b)) {
          bins.push_back(b);
          break;  // the first go on PATH, as a shell would run it
        }
      }
      i = j + 1;
    }
    bins.push_back("/usr/local/go/bin/go");
    for (const std::string& b : bins) {
      if (!Executable(b)) continue;
      std::error_code ec;
      const std::string real = std::filesystem::canonical(b, ec).string();
      bool dup = false;
      for (const auto& [p, v] : out) dup |= std::filesystem::canonical(p, ec).string() == real;
      if (dup) continue;
      if (std::string v = MinorOf(GoVersionOf(b)); !v.empty()) out.emplace_back(b, v);
    }
    return out;
  }();
  return found;
}

// Every candidate binary for `version`, in the order FindToolchain tries them.
std::vector<std::string> Candidates(const std::string& version) {
  std::vector<std::string> out;
  if (std::string e = CandidateFromEnv(version); Executable(e)) out.push_back(e);
  if (std::string d = Cat("/usr/lib/go-", version, "/bin/go"); Executable(d)) out.push_back(d);
  for (const auto& [bin, v] : HostToolchains())
    if (v == version) out.push_back(bin);
  const auto cached = ModCacheToolchains();
  if (auto it = cached.find(version); it != cached.end()) out.push_back(it->second.second);
  return out;
}

}  // namespace

std::vector<std::string> InstalledVersions() {
  std::vector<std::string> out;
  for (int minor = 19; minor <= 30; ++minor) {
    std::string v = Cat("1.", minor);
    if (!Candidates(v).empty()) out.push_back(v);
  }
  return out;
}

absl::StatusOr<std::string> NewestInstalledVersion() {
  std::vector<std::string> v = InstalledVersions();
  if (v.empty())
    return absl::NotFoundError("no Go toolchain found (looked at $SCHEDCAST_GO_1_NN, /usr/lib/go-1.NN, PATH, "
                               "/usr/local/go and the module cache's golang.org/toolchain)");
  return v.back();
}

absl::StatusOr<Toolchain> FindToolchain(const std::string& version) {
  static const std::regex ok(R"(1\.[0-9]+)");
  if (!std::regex_match(version, ok)) {
    return absl::InvalidArgumentError(Cat("--go ", version, ": expected a version like 1.22"));
  }
  const std::vector<std::string> cands = Candidates(version);
  if (cands.empty()) {
    return absl::NotFoundError(Cat("Go ", version, " not found (tried $", [&] {
      std::string key = "SCHEDCAST_GO_" + version;
      for (char& c : key) if (c == '.') c = '_';
      return key;
    }(), ", /usr/lib/go-", version, "/bin/go, go on PATH, /usr/local/go, ", ModCacheDir(),
                                   "/golang.org/toolchain@v0.0.1-go", version, ".*; installed: ",
                                   [] { std::string s; for (auto& v : InstalledVersions()) CatAppend(s, s.empty() ? "" : " ", v); return s.empty() ? std::string("none") : s; }(),
                                   "; fetch one with GOTOOLCHAIN=go", version, ".0 go version or scripts/install-deps.sh)"));
  }
  const std::string bin = cands.front();
  const std::string out = GoVersionOf(bin);
  if (MinorOf(out) != version) {
    return absl::FailedPreconditionError(Cat(bin, " env GOVERSION: unexpected answer '", out, "' for Go ", version));
  }
  return Toolchain{version, bin, out};
}

absl::StatusOr<std::string> ListStdPackages(const Toolchain& t) {
  ProcessSpec spec;
  spec.argv = {t.go_binary, "list", "std"};
  spec.env = EnvironWith(GoEnv());
  spec.cwd = "/";  // outside any module: std only
  spec.hard_timeout = std::chrono::seconds(120);
  SC_ASSIGN_OR_RETURN(ProcessResult r, RunProcess(spec));
  std::string out = r.out.Text();
  if (r.exit_code != 0 || out.find("runtime\n") == std::string::npos) {
    return absl::FailedPreconditionError(Cat(t.go_binary, " list std failed: ", r.err.Text()));
  }
  return out;
}

}  // namespace schedcast::collect
