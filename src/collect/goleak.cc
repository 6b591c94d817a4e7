// collect/goleak.cc — the goleak module and the leak checks' build settings (see goleak.h).
#include "collect/goleak.h"

#include <filesystem>
#include <regex>

#include "collect/subprocess.h"

namespace schedcast::collect {
namespace {

int Minor(const std::string& version) {  // "1.26" -> 26
  static const std::regex re(R"(1\.([0-9]+))");
  std::smatch m;
  return std::regex_match(version, m, re) ? std::stoi(m[1].str()) : 0;
}

std::string JsonField(const std::string& json, const std::string& key) {
  std::regex re("\"" + key + "\"\\s*:\\s*\"([^\"]*)\"");
  std::smatch m;
  return std::regex_search(json, m, re) ? m[1].str() : "";
}

}  // namespace

bool NeedsLeakExperiment(const std::string& version) { return Minor(version) == 26; }
bool HasLeakProfile(const std::string& version) { return Minor(version) >= 26; }
bool CanRunGoleak(const std::string& version) { return Minor(version) >= 20; }

absl::StatusOr<GoleakModule> ResolveGoleak(const Toolchain& t, const std::vector<std::string>& extra_env) {
  ProcessSpec p;
  p.argv = {t.go_binary, "mod", "download", "-json", Cat(kGoleakModule, "@", kGoleakVersion)};
  std::vector<std::string> env = GoEnv();
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  p.env = EnvironWith(env);
  p.cwd = std::filesystem::temp_directory_path().string();
  p.hard_timeout = std::chrono::minutes(2);
  SC_ASSIGN_OR_RETURN(ProcessResult r, RunProcess(p));
  const std::string out = r.out.Text();
  GoleakModule m{JsonField(out, "Version"), JsonField(out, "Sum"), JsonField(out, "GoModSum")};
  if (r.exit_code != 0 || m.version.empty() || m.sum.empty() || m.gomod_sum.empty()) {
    return absl::UnavailableError(Cat("go", t.version, " mod download ", kGoleakModule, "@", kGoleakVersion,
                                      " failed (needed by --goleak): ", out, r.err.Text()));
  }
  return m;
}

absl::Status AddGoleakRequirement(const std::string& root, const GoleakModule& m) {
  const std::string gomod = root + "/go.mod";
  SC_ASSIGN_OR_RETURN(std::string text, ReadFileToString(gomod));
  if (text.find(kGoleakModule) != std::string::npos) return absl::OkStatus();
  SC_RETURN_IF_ERROR(WriteStringToFile(
      gomod, Cat(text, text.empty() || text.back() == '\n' ? "" : "\n",
                 "\n// Added by schedcast collect --goleak (temporary copy only).\nrequire ", kGoleakModule, " ",
                 m.version, "\n")));
  const std::string gosum = root + "/go.sum";
  std::string sum;
  if (std::filesystem::exists(gosum)) {
    SC_ASSIGN_OR_RETURN(sum, ReadFileToString(gosum));
  }
  if (!sum.empty() && sum.back() != '\n') sum += '\n';
  CatAppend(sum, kGoleakModule, " ", m.version, " ", m.sum, "\n", kGoleakModule, " ", m.version, "/go.mod ",
            m.gomod_sum, "\n");
  return WriteStringToFile(gosum, sum);
}

}  // namespace schedcast::collect
