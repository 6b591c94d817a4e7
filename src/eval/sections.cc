#include "eval/sections.h"

#include <algorithm>
#include <set>

#include "common/json.h"
#include "data/example.h"
#include "data/stats.h"
#include "eval/eval.h"
#include "eval/metric_json.h"
#include "eval/scoring.h"

namespace schedcast::eval {

using ojson = nlohmann::ordered_json;

bool IsBug(const data::ProgramMeta& m) { return !m.bug.empty() && m.bug != "none"; }

std::vector<std::vector<size_t>> ChooseSamples(const EvalInputs& in, uint64_t seed) {
  const size_t P = in.programs();
  std::vector<std::vector<size_t>> samples(P), multi(P), single(P);
  for (size_t i = 0; i < in.examples.size(); ++i)
    (Uncertain(in.examples[i].target_counts) ? multi : single)[in.ex_prog[i]].push_back(i);
  Rng rng(seed ^ 0x5a17u);
  for (size_t p = 0; p < P; ++p) {
    for (auto* pool : {&multi[p], &single[p]}) {
      for (size_t j = 0; j < pool->size() && samples[p].size() < 3; ++j) {
        std::swap((*pool)[j], (*pool)[j + rng.Below(pool->size() - j)]);  // partial Fisher–Yates
        samples[p].push_back((*pool)[j]);
      }
    }
    std::sort(samples[p].begin(), samples[p].end());
  }
  return samples;
}

ojson ComparisonJson(const ojson& models) {
  ojson comparison = ojson::array();
  std::map<std::string, std::map<std::string, const ojson*>> by_kind;
  for (const auto& j : models)
    if (j["source"] == "model") by_kind[j["kind"].get<std::string>()][j["objective"].get<std::string>()] = &j;
  for (const auto& [kind, objs] : by_kind) {
    if (!objs.count("kl") || !objs.count("ce")) continue;
    ojson c;
    c["kind"] = kind;
    for (const char* o : {"kl", "ce"}) {
      const ojson& r = *objs.at(o);
      c[o] = {{"name", r["name"]}, {"accuracy", r["overall"]["accuracy"]["value"]}, {"ece", r["overall"]["ece"]["value"]},
              {"nll", r["overall"]["nll"]["value"]}};
      if (r.contains("macro"))
        c[o]["macro"] = {{"accuracy", r["macro"]["accuracy"]["value"]}, {"ece", r["macro"]["ece"]["value"]},
                         {"nll", r["macro"]["nll"]["value"]}};
    }
    comparison.push_back(c);
  }
  return comparison;
}

ojson ProgramsJson(const EvalInputs& in, const std::vector<std::string>& row_names,
                   const std::vector<std::vector<double>>& prog_acc, const std::vector<std::vector<size_t>>& samples,
                   const std::map<size_t, std::map<std::string, std::vector<double>>>& sample_preds) {
  const auto& names = in.prog_names;
  std::string common = names.empty() ? "" : names[0].substr(0, names[0].rfind('/') + 1);
  for (const auto& name : names)
    while (!common.empty() && name.rfind(common, 0) != 0) {
      common.pop_back();
      common = common.substr(0, common.rfind('/') + 1);
    }
  ojson programs = ojson::array();
  std::vector<size_t> prog_examples(in.programs(), 0);
  for (size_t i = 0; i < in.examples.size(); ++i) ++prog_examples[in.ex_prog[i]];
  std::set<std::string> slugs;
  for (size_t p = 0; p < in.programs(); ++p) {
    ojson j;
    j["program"] = names[p];
    std::string slug = Slug(names[p], common);
    for (int n = 2; !slugs.insert(slug).second; ++n) slug = Cat(Slug(names[p], common), "-", n);
    j["slug"] = slug;
    j["category"] = in.pmeta[p].category;
    j["bug"] = IsBug(in.pmeta[p]) ? in.pmeta[p].bug : "";
    j["primitives"] = in.pmeta[p].primitives;
    j["examples"] = prog_examples[p];
    ojson acc;
    for (size_t ri = 0; ri < row_names.size(); ++ri) acc[row_names[ri]] = prog_acc[ri][p];
    j["accuracy"] = acc;
    ojson ss = ojson::array();
    for (size_t i : samples[p]) {
      const data::Example& ex = in.examples[i];
      // The dataset's own JSON form of the example (docs/DATASET.md), plus its normalised target.
      ojson s = ojson::parse(JsonText(data::ToJson(ex)));
      s["target"] = ex.target();
      ojson pr;
      const auto& sp = sample_preds.at(i);
      for (const auto& r : row_names) pr[r] = sp.count(r) ? sp.at(r) : std::vector<double>{};
      s["predictions"] = pr;
      ss.push_back(std::move(s));
    }
    j["samples"] = ss;
    programs.push_back(std::move(j));
  }
  return programs;
}

ojson DatasetJson(const EvalInputs& in) {
  ojson dataset;
  ojson splits;
  std::map<std::string, size_t> progs_in;
  for (const auto& [name, m] : in.programs_meta) progs_in[m.split] += m.examples > 0;  // programs with examples
  for (const char* s : {"train", "validation", "test"}) {
    size_t n = 0;
    if (in.meta.contains("examples") && in.meta["examples"].contains(s) && in.meta["examples"][s].is_number())
      n = in.meta["examples"][s].get<size_t>();
    splits[s] = {{"examples", n}, {"programs", progs_in[s]}};
  }
  dataset["splits"] = splits;
  const data::SplitStats stats = data::ComputeStats(in.examples);
  dataset["configs"] = stats.configs;
  dataset["uncertain_fraction"] = stats.uncertain_fraction;
  dataset["candidates_mean"] = stats.mean_candidates;
  return dataset;
}

}  // namespace schedcast::eval
