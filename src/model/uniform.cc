#include "model/uniform.h"

namespace schedcast::model {

void UniformPredictor::Logits(const data::Example& ex, std::vector<double>* logits) const {
  logits->assign(ex.candidates.size(), 0.0);
}

}  // namespace schedcast::model
