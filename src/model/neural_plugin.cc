// model/neural_plugin.cc — the neural model's entry points in a build with libtorch: they load
// libschedcast_neural.so (neural_net/predictor/train.cc + libtorch, a CMake MODULE) on first use and call into it.
// Why: linking libtorch into every schedcast binary cost ~160 MB of RSS and a few hundred ms of
// start-up (libtorch's static initializers) for every command, `trace dump` included; now only
// commands that train or load a neural model pay it.
// Where: $SCHEDCAST_NEURAL_PLUGIN if set, else libschedcast_neural.so beside the running executable,
// else the build tree's copy (SCHEDCAST_NEURAL_PLUGIN_PATH). The plugin resolves the rest of
// schedcast (model, data, common) against the executable, which is linked with exported symbols
// (CMAKE_ENABLE_EXPORTS). A plugin that cannot be loaded is a FailedPrecondition naming the path
// and dlerror(). Thread-safe (loaded once under a function-local static).
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "model/neural.h"
#include "model/neural_plugin_abi.h"

namespace schedcast::model {

namespace {

struct Plugin {
  absl::Status status;
  NeuralTrainFn* train = nullptr;
  NeuralLoadFn* load = nullptr;
};

std::string ExecutableDir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

Plugin LoadPlugin() {
  Plugin p;
  std::vector<std::string> tried;
  if (const char* env = std::getenv("SCHEDCAST_NEURAL_PLUGIN"); env != nullptr && *env != '\0') {
    tried.push_back(env);
  } else {
    if (std::string dir = ExecutableDir(); !dir.empty()) tried.push_back(dir + "/" + kNeuralPluginFile);
    tried.push_back(SCHEDCAST_NEURAL_PLUGIN_PATH);
  }
  std::string errors;
  for (const std::string& path : tried) {
    if (access(path.c_str(), F_OK) != 0) {
      errors += Cat(errors.empty() ? "" : "; ", path, ": not found");
      continue;
    }
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      const char* e = dlerror();
      errors += Cat(errors.empty() ? "" : "; ", path, ": ", e ? e : "dlopen failed");
      continue;
    }
    p.train = reinterpret_cast<NeuralTrainFn*>(dlsym(h, kNeuralTrainSymbol));
    p.load = reinterpret_cast<NeuralLoadFn*>(dlsym(h, kNeuralLoadSymbol));
    if (p.train == nullptr || p.load == nullptr) {
      errors += Cat(errors.empty() ? "" : "; ", path, ": not a schedcast neural plugin (missing entry points)");
      p.train = nullptr, p.load = nullptr;
      continue;
    }
    return p;
  }
  p.status = absl::FailedPreconditionError(
      Cat("the neural model's libtorch plugin (", kNeuralPluginFile, ") could not be loaded: ", errors,
          " (set SCHEDCAST_NEURAL_PLUGIN to its path)"));
  return p;
}

const Plugin& GetPlugin() {
  static const Plugin p = LoadPlugin();
  return p;
}

}  // namespace

bool NeuralAvailable() { return true; }

absl::StatusOr<std::unique_ptr<ScoredPredictor>> TrainNeural(const std::vector<data::Example>& train,
                                                             const std::vector<data::Example>& validation,
                                                             const Objective& obj, const NeuralOptions& opt,
                                                             std::ostream* progress) {
  const Plugin& p = GetPlugin();
  if (!p.status.ok()) return p.status;
  absl::StatusOr<std::unique_ptr<ScoredPredictor>> out = absl::UnknownError("neural plugin returned nothing");
  p.train(&train, &validation, &obj, &opt, progress, &out);
  return out;
}

absl::StatusOr<std::unique_ptr<ScoredPredictor>> NeuralFromParams(const nlohmann::json& params) {
  const Plugin& p = GetPlugin();
  if (!p.status.ok()) return p.status;
  absl::StatusOr<std::unique_ptr<ScoredPredictor>> out = absl::UnknownError("neural plugin returned nothing");
  p.load(&params, &out);
  return out;
}

}  // namespace schedcast::model
