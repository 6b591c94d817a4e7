// model/neural_plugin_abi.h — the two entry points libschedcast_neural.so (neural_train.cc, neural_predictor.cc) exports and
// model/neural_plugin.cc looks up with dlsym. They are extern "C" so that their names are fixed;
// arguments and results are schedcast's C++ types, so the plugin must come from the same build as
// the executable that loads it (CMake builds both). Each writes its result to *out.
// Thread-safety: as TrainNeural / NeuralFromParams (neural.h).
#pragma once

#include <memory>
#include <ostream>
#include <vector>

#include "common/status.h"
#include "data/example.h"
#include "model/neural.h"
#include "model/objective.h"
#include "model/predictor.h"
#include "nlohmann/json.hpp"

namespace schedcast::model {

inline constexpr const char* kNeuralPluginFile = "libschedcast_neural.so";
inline constexpr const char* kNeuralTrainSymbol = "schedcast_neural_train";
inline constexpr const char* kNeuralLoadSymbol = "schedcast_neural_load";

using NeuralTrainFn = void(const std::vector<data::Example>* train, const std::vector<data::Example>* validation,
                           const Objective* obj, const NeuralOptions* opt, std::ostream* progress,
                           absl::StatusOr<std::unique_ptr<ScoredPredictor>>* out);
using NeuralLoadFn = void(const nlohmann::json* params, absl::StatusOr<std::unique_ptr<ScoredPredictor>>* out);

}  // namespace schedcast::model
