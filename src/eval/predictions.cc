#include "eval/predictions.h"

#include <cmath>
#include <map>
#include <sstream>
#include <tuple>

#include "data/prompt.h"
#include "nlohmann/json.hpp"

namespace schedcast::eval {

namespace {

using Key = std::tuple<std::string, std::string, int64_t, uint64_t>;

absl::Status LineError(const std::string& path, size_t line, std::string_view what) {
  return absl::DataLossError(Cat(path, ":", line, ": ", what));
}

}  // namespace

absl::StatusOr<Predictions> ParsePredictions(const std::string& text, const std::string& path,
                                             const std::vector<data::Example>& examples) {
  std::map<Key, size_t> index;
  for (size_t i = 0; i < examples.size(); ++i) {
    const auto& e = examples[i];
    index.emplace(Key{e.program, e.config, e.run_id, e.position}, i);
  }
  Predictions out;
  out.probs.resize(examples.size());
  std::istringstream in(text);
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return LineError(path, n, "not a JSON object");
    for (const char* f : {"program", "config"})
      if (!j.contains(f) || !j[f].is_string()) return LineError(path, n, Cat("missing or non-string field \"", f, "\""));
    for (const char* f : {"run_id", "position"})
      if (!j.contains(f) || !j[f].is_number_integer() || (j[f].is_number_integer() && j[f].get<int64_t>() < 0))
        return LineError(path, n, Cat("missing or non-integer field \"", f, "\""));
    if (!j.contains("probs") || !(j["probs"].is_object() || j["probs"].is_array()))
      return LineError(path, n, "missing field \"probs\" (an object of letters or an array)");
    const Key key{j["program"].get<std::string>(), j["config"].get<std::string>(), j["run_id"].get<int64_t>(),
                  j["position"].get<uint64_t>()};
    auto it = index.find(key);
    if (it == index.end())
      return LineError(path, n, Cat("no example ", std::get<0>(key), " ", std::get<1>(key), " run ", std::get<2>(key),
                                    " position ", std::get<3>(key), " in the evaluated split"));
    const data::Example& ex = examples[it->second];
    if (out.probs[it->second]) return LineError(path, n, "duplicate line for this example");
    const size_t k = ex.candidates.size();
    std::vector<double> p(k, kMissingFloor);
    auto take = [&](const nlohmann::json& v, const std::string& what) -> absl::Status {
      if (!v.is_number()) return LineError(path, n, Cat("probability of ", what, " is not a number"));
      const double x = v.get<double>();
      if (!std::isfinite(x) || x < 0) return LineError(path, n, Cat("probability of ", what, " is negative or not finite"));
      return absl::OkStatus();
    };
    if (j["probs"].is_array()) {
      const auto& a = j["probs"];
      if (a.size() != k)
        return LineError(path, n, Cat("\"probs\" has ", a.size(), " entries but the example has ", k, " candidates"));
      for (size_t i = 0; i < k; ++i) {
        SC_RETURN_IF_ERROR(take(a[i], Cat("entry ", i)));
        p[i] = a[i].get<double>();
      }
    } else {
      std::map<std::string, size_t> letters;
      for (size_t i = 0; i < k; ++i) letters[data::Letter(i)] = i;
      for (auto li = j["probs"].begin(); li != j["probs"].end(); ++li) {
        auto l = letters.find(li.key());
        if (l == letters.end())
          return LineError(path, n, Cat("unknown letter \"", li.key(), "\" (the example has ", k, " candidates: A..",
                                        data::Letter(k - 1), ")"));
        SC_RETURN_IF_ERROR(take(li.value(), Cat("letter ", li.key())));
        p[l->second] = li.value().get<double>();
      }
    }
    double sum = 0;
    for (double x : p) sum += x;
    if (!(sum > 0)) return LineError(path, n, "probabilities are all zero");
    for (double& x : p) x /= sum;
    out.probs[it->second] = std::move(p);
    ++out.covered;
  }
  return out;
}

absl::StatusOr<Predictions> ReadPredictions(const std::string& path, const std::vector<data::Example>& examples) {
  SC_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParsePredictions(text, path, examples);
}

}  // namespace schedcast::eval
