// collect/toolchain.cc — Go toolchain lookup (see toolchain.h).
#include "collect/toolchain.h"

#include <unistd.h>

#include <cstdlib>
#include <regex>

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

std::vector<std::string> InstalledVersions() {
  std::vector<std::string> out;
  for (int minor = 19; minor <= 30; ++minor) {
    std::string v = Cat("1.", minor);
    if (Executable(CandidateFromEnv(v)) || Executable(Cat("/usr/lib/go-", v, "/bin/go"))) out.push_back(v);
  }
  return out;
}

absl::StatusOr<Toolchain> FindToolchain(const std::string& version) {
  static const std::regex ok(R"(1\.[0-9]+)");
  if (!std::regex_match(version, ok)) {
    return absl::InvalidArgumentError(Cat("--go ", version, ": expected a version like 1.22"));
  }
  std::string from_env = CandidateFromEnv(version);
  std::string deb = Cat("/usr/lib/go-", version, "/bin/go");
  std::string bin = Executable(from_env) ? from_env : Executable(deb) ? deb : "";
  if (bin.empty()) {
    return absl::NotFoundError(Cat("Go ", version, " not found (tried ",
                                   from_env.empty() ? "" : from_env + ", ", deb, "; installed: ",
                                   [] { std::string s; for (auto& v : InstalledVersions()) CatAppend(s, s.empty() ? "" : " ", v); return s.empty() ? std::string("none") : s; }(),
                                   ")"));
  }
  ProcessSpec spec;
  spec.argv = {bin, "env", "GOVERSION"};
  spec.env = EnvironWith(GoEnv());
  spec.hard_timeout = std::chrono::seconds(60);
  SC_ASSIGN_OR_RETURN(ProcessResult r, RunProcess(spec));
  std::string out = r.out.Text();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (r.exit_code != 0 || out.rfind("go" + version, 0) != 0) {
    return absl::FailedPreconditionError(Cat(bin, " env GOVERSION: unexpected answer '", out, r.err.Text(), "'"));
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
