#include "common/json.h"
#include "model/io.h"

#include <cmath>
#include <fstream>
#include <utility>

#include "common/hash.h"
#include "model/registry.h"

namespace schedcast::model {

namespace {
constexpr const char* kFormat = "schedcast-model";

absl::StatusOr<std::unique_ptr<Predictor>> FromParams(std::string_view kind, const nlohmann::json& p) {
  absl::StatusOr<const ModelKind*> k = FindKind(kind);
  if (!k.ok()) return BadInputError(Cat("unknown model kind '", kind, "' (want ", KindList(), ")"));
  SC_ASSIGN_OR_RETURN(std::unique_ptr<ScoredPredictor> m, (*k)->load(p));
  return std::unique_ptr<Predictor>(std::move(m));
}
}  // namespace

nlohmann::json ToFileJson(const Predictor& m) {
  const ModelMeta& meta = m.meta();
  nlohmann::json j;
  j["format"] = kFormat;
  j["version"] = kModelFormatVersion;
  j["kind"] = std::string(m.kind());
  j["objective"] = meta.objective;
  j["hyper"] = meta.hyper;
  j["data"] = {{"dir", meta.data_dir},
               {"hash", meta.data_hash},
               {"level", meta.level},
               {"key", meta.key},
               {"train_examples", meta.train_examples},
               {"validation_examples", meta.validation_examples}};
  const auto* sp = dynamic_cast<const ScoredPredictor*>(&m);
  j["temperature"] = sp ? sp->temperature() : 1.0;
  if (sp && !sp->top_map().empty()) j["top_map"] = sp->top_map().ToJson();
  j["metrics"] = meta.metrics;
  j["params"] = m.Params();
  return j;
}

absl::Status Save(const Predictor& m, const std::string& path) {
  return WriteStringToFile(path, JsonText(ToFileJson(m)) + "\n");
}

namespace {

absl::StatusOr<std::unique_ptr<Predictor>> FromFileJsonUnchecked(const nlohmann::json& j, std::string_view want_kind) {
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string() || j["format"] != kFormat)
    return BadInputError(Cat("not a schedcast model file (field 'format' is not \"", kFormat, "\")"));
  if (!j.contains("version") || !j["version"].is_number_integer())
    return BadInputError("missing integer field 'version'");
  const int version = j["version"].get<int>();
  if (version != kModelFormatVersion)
    return absl::FailedPreconditionError(
        Cat("model format version ", version, ", this schedcast reads version ", kModelFormatVersion, " (retrain the model)"));
  const std::string kind = j.value("kind", "");
  if (!want_kind.empty() && kind != want_kind)
    return BadInputError(Cat("model kind '", kind, "', expected '", want_kind, "'"));
  if (!j.contains("params")) return BadInputError("missing field 'params'");
  SC_ASSIGN_OR_RETURN(auto m, FromParams(kind, j["params"]));
  ModelMeta& meta = m->meta();
  meta.kind = kind;
  meta.objective = j.value("objective", "");
  meta.hyper = j.value("hyper", nlohmann::json::object());
  meta.metrics = j.value("metrics", nlohmann::json::object());
  const nlohmann::json d = j.value("data", nlohmann::json::object());
  meta.data_dir = d.value("dir", "");
  meta.data_hash = d.value("hash", "");
  meta.level = d.value("level", "");
  meta.key = d.value("key", "");
  // json::value's get<uint64_t> converts a float without a check (out of range: undefined behaviour).
  for (auto [name, field] : {std::pair{"train_examples", &meta.train_examples},
                             std::pair{"validation_examples", &meta.validation_examples}}) {
    if (!d.contains(name)) continue;
    if (!d[name].is_number_unsigned()) return BadInputError(Cat("data.", name, " is not a non-negative integer"));
    *field = d[name].get<uint64_t>();
  }
  if (auto* sp = dynamic_cast<ScoredPredictor*>(m.get())) {
    const double t = j.value("temperature", 1.0);
    if (!(t > 0) || !std::isfinite(t)) return BadInputError(Cat("temperature ", t, " is not positive"));
    sp->set_temperature(t);
    if (j.contains("top_map")) {
      SC_ASSIGN_OR_RETURN(TopMap tm, TopMap::FromJson(j["top_map"]));
      sp->set_top_map(std::move(tm));
    }
  }
  return m;
}

}  // namespace

// json::value and get throw when a field has another type than its default (e.g. "format" or
// "data" an object, "temperature" a string): that is a bad model file, not a crash.
absl::StatusOr<std::unique_ptr<Predictor>> FromFileJson(const nlohmann::json& j, std::string_view want_kind) {
  try {
    return FromFileJsonUnchecked(j, want_kind);
  } catch (const nlohmann::json::exception& e) {
    return BadInputError(Cat("bad model file: ", e.what()));
  }
}

absl::StatusOr<std::unique_ptr<Predictor>> Load(const std::string& path, std::string_view want_kind) {
  SC_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return BadInputError(Cat(path, ": not valid JSON"));
  auto m = FromFileJson(j, want_kind);
  if (!m.ok()) return WithContext(m.status(), path);
  return m;
}

absl::StatusOr<std::string> HashTrainingData(const std::string& dir) {
  Fnv1a64 h;
  for (const char* f : {"train.jsonl", "validation.jsonl"}) {
    SC_ASSIGN_OR_RETURN(std::string text, ReadFileToString(dir + "/" + f));
    h.AddField(text);
  }
  return h.hex();
}

}  // namespace schedcast::model
