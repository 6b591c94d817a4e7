// model/neural_predictor.cc — prediction and parameters of the neural predictor (neural_predictor.h), and
// the plugin's load entry point (neural_plugin_abi.h).
#include "model/neural_predictor.h"

#include <bit>
#include <cstring>
#include <string>

#include "common/base64.h"
#include "model/neural_plugin_abi.h"

namespace schedcast::model::neural {

void NeuralPredictor::Logits(const data::Example& ex, std::vector<double>* logits) const {
  logits->clear();
  if (ex.candidates.empty()) return;
  torch::NoGradGuard ng;
  NeuralBatch b;
  enc_.Add(ex, nullptr, &b);
  enc_.Finish(&b);
  const int64_t nc = static_cast<int64_t>(ex.candidates.size());
  const torch::Tensor out = net_->forward(
      torch::from_blob(b.ctx.data(), {1, c_.context}, torch::kLong),
      torch::from_blob(b.cand_ex.data(), {nc}, torch::kLong), torch::from_blob(b.cand_tok.data(), {nc}, torch::kLong),
      torch::from_blob(b.feats.data(), {nc, c_.features}, torch::kLong));
  const torch::Tensor o = out.to(torch::kDouble).contiguous();
  logits->assign(o.data_ptr<double>(), o.data_ptr<double>() + nc);
}

void NeuralPredictor::LogitsBatch(std::span<const data::Example* const> xs,
                                  std::vector<std::vector<double>>* logits) const {
  logits->resize(xs.size());
  torch::NoGradGuard ng;
  NeuralBatch b;
  for (size_t i = 0; i < xs.size(); ++i) {
    (*logits)[i].clear();
    if (!xs[i]->candidates.empty()) enc_.Add(*xs[i], nullptr, &b);
  }
  enc_.Finish(&b);
  if (b.n == 0) return;
  const int64_t nb = static_cast<int64_t>(b.n), nc = static_cast<int64_t>(b.cand_tok.size());
  const torch::Tensor out = folded_->Logits(
      torch::from_blob(b.ctx.data(), {nb, c_.context}, torch::kLong),
      torch::from_blob(b.cand_ex.data(), {nc}, torch::kLong), torch::from_blob(b.cand_tok.data(), {nc}, torch::kLong),
      torch::from_blob(b.feats.data(), {nc, c_.features}, torch::kLong));
  const torch::Tensor o = out.to(torch::kDouble).contiguous();
  const double* l = o.data_ptr<double>();
  size_t k = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (xs[i]->candidates.empty()) continue;
    (*logits)[i].assign(l + b.ex_off[k], l + b.ex_off[k + 1]);
    ++k;
  }
}

nlohmann::json NeuralPredictor::Params() const {
  nlohmann::json tensors = nlohmann::json::object();
  for (const auto& item : net_->named_parameters()) {
    const torch::Tensor t = item.value().detach().to(torch::kCPU, torch::kFloat).contiguous();
    static_assert(std::endian::native == std::endian::little, "weights are stored little-endian");
    tensors[item.key()] = {{"shape", t.sizes().vec()},
                           {"f32", Base64Encode(std::string_view(static_cast<const char*>(t.data_ptr()), t.numel() * 4))}};
  }
  return {{"version", kNeuralParamsVersion}, {"config", c_.ToJson()}, {"tensors", std::move(tensors)}};
}

absl::Status NeuralPredictor::SetTensors(const nlohmann::json& tensors) {
  if (!tensors.is_object()) return BadInputError("neural: 'tensors' is not an object");
  torch::NoGradGuard ng;
  std::string bytes;
  for (auto& item : net_->named_parameters()) {
    const std::string& name = item.key();
    if (!tensors.contains(name)) return BadInputError(Cat("neural: tensor '", name, "' missing"));
    const nlohmann::json& t = tensors[name];
    if (!t.is_object() || !t.contains("shape") || t["shape"] != nlohmann::json(item.value().sizes().vec()))
      return BadInputError(Cat("neural: tensor '", name, "' has the wrong shape for the config"));
    if (!t.contains("f32") || !t["f32"].is_string() || !Base64Decode(t["f32"].get<std::string>(), &bytes) ||
        bytes.size() != static_cast<size_t>(item.value().numel()) * 4)
      return BadInputError(Cat("neural: tensor '", name, "' data is not base64 float32 of its shape"));
    std::memcpy(item.value().data_ptr(), bytes.data(), bytes.size());
    if (!torch::isfinite(item.value()).all().item<bool>())
      return BadInputError(Cat("neural: tensor '", name, "' holds NaN or infinite values"));
  }
  if (tensors.size() != net_->named_parameters().size())
    return BadInputError("neural: the file has tensors this network does not");
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ScoredPredictor>> FromParams(const nlohmann::json& p) {
  if (!p.is_object() || !p.contains("version") || !p["version"].is_number_integer())
    return BadInputError("neural: params have no integer 'version'");
  const int v = p["version"].get<int>();
  if (v < 1 || v > kNeuralParamsVersion)
    return absl::FailedPreconditionError(Cat("neural: parameter version ", v, ", this schedcast reads versions 1 to ",
                                             kNeuralParamsVersion, " (retrain the model)"));
  SC_ASSIGN_OR_RETURN(NeuralConfig c, NeuralConfig::FromJson(p.value("config", nlohmann::json()), v));
  auto m = std::make_unique<NeuralPredictor>(c);
  SC_RETURN_IF_ERROR(m->SetTensors(p.value("tensors", nlohmann::json())));
  m->net()->eval();
  m->Fold();
  return std::unique_ptr<ScoredPredictor>(std::move(m));
}

}  // namespace schedcast::model::neural

extern "C" __attribute__((visibility("default"))) void schedcast_neural_load(
    const nlohmann::json* params, absl::StatusOr<std::unique_ptr<schedcast::model::ScoredPredictor>>* out) {
  static_assert(std::is_same_v<decltype(&schedcast_neural_load), schedcast::model::NeuralLoadFn*>);
  *out = schedcast::model::neural::FromParams(*params);
}
