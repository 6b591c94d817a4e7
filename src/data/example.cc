#include "data/example.h"

#include <algorithm>

namespace schedcast::data {

uint64_t Example::target_total() const {
  uint64_t t = 0;
  for (uint64_t c : target_counts) t += c;
  return t;
}

std::vector<double> Example::target() const {
  const double t = static_cast<double>(target_total());
  std::vector<double> p(target_counts.size(), 0.0);
  if (t > 0)
    for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<double>(target_counts[i]) / t;
  return p;
}

int Example::label_index() const {
  auto it = std::find(candidates.begin(), candidates.end(), label);
  return it == candidates.end() ? -1 : static_cast<int>(it - candidates.begin());
}

nlohmann::json ToJson(const Example& e) {
  nlohmann::ordered_json j;
  j["program"] = e.program;
  j["config"] = e.config;
  j["run_id"] = e.run_id;
  j["position"] = e.position;
  j["level"] = e.level;
  j["key"] = e.key;
  j["split"] = e.split;
  j["context"] = e.context;
  j["context_total"] = e.context_total;
  j["state"] = e.state;
  j["candidates"] = e.candidates;
  j["target_counts"] = e.target_counts;
  j["target"] = e.target();
  j["label"] = e.label;
  if (!e.facts.empty()) j["facts"] = e.facts;
  return j;
}

absl::StatusOr<Example> FromJson(const nlohmann::json& j) {
  Example e;
  // nlohmann's get<uint64_t> converts a float or a negative number without a check (a float out of
  // range is undefined behaviour), so the counting fields must be non-negative integers first.
  auto count = [](const nlohmann::json& v) {
    return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
  };
  if (j.is_object()) {
    for (const char* f : {"position", "context_total"})
      if (j.contains(f) && !count(j[f]))
        return BadInputError(Cat("bad example: '", f, "' is not a non-negative integer"));
    if (j.contains("run_id") && !j["run_id"].is_number_integer())
      return BadInputError("bad example: 'run_id' is not an integer");
    if (j.contains("target_counts") && j["target_counts"].is_array())
      for (const auto& c : j["target_counts"])
        if (!count(c)) return BadInputError("bad example: a target count is not a non-negative integer");
  }
  try {
    e.program = j.at("program").get<std::string>();
    e.config = j.at("config").get<std::string>();
    e.run_id = j.at("run_id").get<int64_t>();
    e.position = j.at("position").get<uint64_t>();
    e.level = j.at("level").get<std::string>();
    e.key = j.at("key").get<std::string>();
    e.split = j.at("split").get<std::string>();
    e.context = j.at("context").get<std::vector<std::string>>();
    e.context_total = j.at("context_total").get<uint64_t>();
    e.state = j.at("state").get<std::string>();
    e.candidates = j.at("candidates").get<std::vector<std::string>>();
    e.target_counts = j.at("target_counts").get<std::vector<uint64_t>>();
    e.label = j.at("label").get<std::string>();
    if (auto f = j.find("facts"); f != j.end()) e.facts = f->get<std::vector<std::vector<std::string>>>();
  } catch (const nlohmann::json::exception& ex) {
    return BadInputError(Cat("bad example: ", ex.what()));
  }
  if (e.target_counts.size() != e.candidates.size())
    return BadInputError(Cat("bad example: ", e.candidates.size(), " candidates but ",
                                          e.target_counts.size(), " target counts"));
  if (!e.facts.empty() && e.facts.size() != e.candidates.size())
    return BadInputError(Cat("bad example: ", e.candidates.size(), " candidates but ", e.facts.size(), " fact lists"));
  if (e.label_index() < 0) return BadInputError(Cat("bad example: label '", e.label, "' is not a candidate"));
  return e;
}

}  // namespace schedcast::data
