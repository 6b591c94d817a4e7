#include "eval/inputs.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

#include <filesystem>

namespace schedcast::eval {

absl::StatusOr<EvalInputs> LoadInputs(const std::string& data_dir, const std::string& split) {
  EvalInputs in;
  SC_ASSIGN_OR_RETURN(in.examples, data::LoadExamples(data_dir, split));
  SC_ASSIGN_OR_RETURN(in.programs_meta, data::LoadPrograms(data_dir));
  if (auto text = ReadFileToString(data_dir + "/meta.json"); text.ok()) {
    in.meta = nlohmann::json::parse(*text, nullptr, false);
    if (in.meta.is_discarded() || !in.meta.is_object())
      return absl::DataLossError(Cat(data_dir, "/meta.json: not a JSON object"));
  }
  // Datasets built before programs.json carried categories: take them from the manifest it names.
  bool annotated = false;
  for (const auto& [p, m] : in.programs_meta) annotated |= !m.category.empty();
  if (!annotated && in.meta.contains("manifest") && in.meta["manifest"].is_string() &&
      std::filesystem::exists(in.meta["manifest"].get<std::string>()))
    SC_RETURN_IF_ERROR(data::AnnotateFromManifest(in.meta["manifest"].get<std::string>(), &in.programs_meta));
  // Drop examples without candidates (none are built today; nothing can score them).
  std::erase_if(in.examples, [](const data::Example& e) { return e.candidates.empty() || e.label_index() < 0; });
  if (in.examples.empty()) return absl::FailedPreconditionError(Cat(data_dir, ": split '", split, "' has no examples"));

  std::map<std::string, size_t> prog_index;
  for (const auto& e : in.examples) prog_index.emplace(e.program, 0);
  for (auto& [name, idx] : prog_index) idx = in.prog_names.size(), in.prog_names.push_back(name);
  in.ex_prog.resize(in.examples.size());
  for (size_t i = 0; i < in.examples.size(); ++i) in.ex_prog[i] = prog_index[in.examples[i].program];
  in.pmeta.resize(in.prog_names.size());
  for (size_t p = 0; p < in.prog_names.size(); ++p)
    if (auto it = in.programs_meta.find(in.prog_names[p]); it != in.programs_meta.end()) in.pmeta[p] = it->second;
  return in;
}

std::vector<std::string> DirFamilies(const std::vector<std::string>& programs) {
  std::vector<std::vector<std::string>> pkgs;
  for (const std::string& p : programs) {
    const std::string pkg = p.substr(0, p.rfind('.'));  // "pkg/path.TestX" → "pkg/path"
    pkgs.push_back(absl::StrSplit(pkg, '/'));
  }
  size_t common = pkgs.empty() ? 0 : pkgs[0].size();
  for (const auto& p : pkgs) {
    size_t i = 0;
    while (i < common && i < p.size() && p[i] == pkgs[0][i]) ++i;
    common = i;
  }
  std::vector<std::string> out;
  for (const auto& p : pkgs) out.push_back(absl::StrJoin(p.begin(), p.begin() + std::min(common + 1, p.size()), "/"));
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> ManifestField(const std::string& manifest, const std::string& field) {
  SC_ASSIGN_OR_RETURN(std::string text, ReadFileToString(manifest));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.contains("tests") || !j["tests"].is_array())
    return absl::InvalidArgumentError(Cat(manifest, ": not a manifest (want a JSON object with a \"tests\" array)"));
  std::map<std::string, std::string> out;
  bool seen = false;
  for (const auto& t : j["tests"]) {
    if (!t.contains("package") || !t.contains("name") || !t["package"].is_string() || !t["name"].is_string()) continue;
    if (!t.contains(field)) continue;
    seen = true;
    const auto& v = t[field];
    std::string s;
    if (v.is_string()) s = v.get<std::string>();
    else if (v.is_array())
      for (const auto& x : v) CatAppend(s, s.empty() ? "" : ",", x.is_string() ? x.get<std::string>() : x.dump());
    else s = v.dump();
    out[t["package"].get<std::string>() + "." + t["name"].get<std::string>()] = s;
  }
  if (!seen) return absl::InvalidArgumentError(Cat(manifest, ": no test has a field \"", field, "\""));
  return out;
}

}  // namespace schedcast::eval
