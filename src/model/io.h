// model/io.h — model files: versioned, self-describing JSON.
//
//   {"format": "schedcast-model", "version": 1, "kind": "structured", "objective": "kl",
//    "hyper": {...}, "data": {"dir", "hash", "level", "key", "train_examples", "validation_examples"},
//    "temperature": 1.0, "top_map": [[c, acc], ...] (optional, topmap.h), "metrics": {validation metrics},
//    "params": {model-specific, see each model}}
// Load checks format, version and kind before reading params; every error names the file. A new
// model kind registers itself in io.cc's FromParams switch (the only place that lists kinds).
// Thread-safe (no shared state).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/predictor.h"

namespace schedcast::model {

inline constexpr int kModelFormatVersion = 1;

absl::Status Save(const Predictor& m, const std::string& path);
nlohmann::json ToFileJson(const Predictor& m);

// `want_kind` (optional) rejects a file of another kind.
absl::StatusOr<std::unique_ptr<Predictor>> Load(const std::string& path, std::string_view want_kind = "");
absl::StatusOr<std::unique_ptr<Predictor>> FromFileJson(const nlohmann::json& j, std::string_view want_kind = "");

// fnv1a64 (hex) over DIR/train.jsonl and DIR/validation.jsonl (each length-prefixed).
absl::StatusOr<std::string> HashTrainingData(const std::string& dir);

}  // namespace schedcast::model
