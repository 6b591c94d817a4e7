#include "model/registry.h"

#include <algorithm>

#include "common/json.h"

namespace schedcast::model {

#define SCHEDCAST_MODEL_KIND(X) ModelKind X##Kind();
#include "model/kinds.inc"
#undef SCHEDCAST_MODEL_KIND

const std::vector<ModelKind>& Kinds() {
  static const std::vector<ModelKind> kinds = {
#define SCHEDCAST_MODEL_KIND(X) X##Kind(),
#include "model/kinds.inc"
#undef SCHEDCAST_MODEL_KIND
  };
  return kinds;
}

std::string KindList() {
  std::string s;
  const auto& ks = Kinds();
  for (size_t i = 0; i < ks.size(); ++i) CatAppend(s, i == 0 ? "" : i + 1 == ks.size() ? " or " : ", ", ks[i].name);
  return s;
}

absl::StatusOr<const ModelKind*> FindKind(std::string_view name) {
  for (const ModelKind& k : Kinds())
    if (k.name == name) return &k;
  return absl::InvalidArgumentError(Cat("unknown model '", name, "' (want ", KindList(), ")"));
}

absl::StatusOr<nlohmann::json> ResolveOptions(const ModelKind& kind, const nlohmann::json& given) {
  nlohmann::json out = nlohmann::json::object();
  for (const OptionSpec& o : kind.options) out[o.name] = o.value;
  if (given.is_null()) return out;
  if (!given.is_object()) return absl::InvalidArgumentError(Cat(kind.name, ": options must be a JSON object"));
  for (const auto& [name, v] : given.items()) {
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& o : kind.options)
      if (o.name == name) spec = &o;
    if (spec == nullptr) return absl::InvalidArgumentError(Cat("model '", kind.name, "' has no option '", name, "'"));
    const nlohmann::json& d = spec->value;
    const bool ok = d.is_number_float()     ? v.is_number()
                    : d.is_number_unsigned() ? v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0)
                    : d.is_number_integer()  ? v.is_number_integer()
                                             : v.type() == d.type();
    if (!ok) return absl::InvalidArgumentError(Cat(kind.name, " option '", name, "': ", JsonText(v), " is not a ", d.type_name()));
    if (!spec->choices.empty() && std::find(spec->choices.begin(), spec->choices.end(), v.get<std::string>()) == spec->choices.end())
      return absl::InvalidArgumentError(Cat(kind.name, " option '", name, "': '", v.get<std::string>(), "' is not one of its choices"));
    // Keep the declared type (an integer given for a number option is stored as a number).
    if (d.is_number_float()) out[name] = v.get<double>();
    else if (d.is_number_unsigned()) out[name] = v.get<uint64_t>();
    else out[name] = v;
  }
  return out;
}

std::vector<OptionSpec> LoopOptionSpecs(const LoopOptions& d) {
  return {{"seed", "shuffling seed", d.seed},
          {"epochs", "maximum epochs", d.epochs},
          {"patience", "early-stopping patience in epochs", d.patience},
          {"lr", "Adam step size", d.lr},
          {"l2", "L2 regularisation", d.l2}};
}

void ReadLoopOptions(const nlohmann::json& o, LoopOptions* out) {
  out->seed = o.at("seed").get<uint64_t>();
  out->epochs = o.at("epochs").get<int>();
  out->patience = o.at("patience").get<int>();
  out->lr = o.at("lr").get<double>();
  out->l2 = o.at("l2").get<double>();
}

absl::StatusOr<nlohmann::json> ParseOptionValue(const OptionSpec& spec, const std::string& text) {
  const nlohmann::json& d = spec.value;
  if (d.is_string()) return nlohmann::json(text);
  if (d.is_boolean()) {
    if (text == "true" || text == "1") return nlohmann::json(true);
    if (text == "false" || text == "0") return nlohmann::json(false);
  } else {
    size_t used = 0;
    try {
      nlohmann::json v;
      if (d.is_number_float()) v = std::stod(text, &used);
      else if (d.is_number_unsigned() && !text.empty() && text[0] != '-') v = std::stoull(text, &used);
      else if (d.is_number_integer() && !d.is_number_unsigned()) v = std::stoll(text, &used);
      if (!v.is_null() && used == text.size()) return v;
    } catch (...) {
    }
  }
  return absl::InvalidArgumentError(Cat("--", spec.name, " ", text, ": not a ", d.type_name()));
}

}  // namespace schedcast::model
