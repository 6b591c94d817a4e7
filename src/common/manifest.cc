#include "common/manifest.h"

#include "nlohmann/json.hpp"

namespace schedcast {
namespace {

absl::Status StringField(const nlohmann::json& t, const char* field, bool required, std::string* out,
                         const std::string& where) {
  if (!t.contains(field)) {
    if (required) return BadInputError(Cat(where, " lacks \"", field, "\""));
    return absl::OkStatus();
  }
  if (!t[field].is_string()) return BadInputError(Cat(where, ".", field, " is not a string"));
  *out = t[field].get<std::string>();
  if (required && out->empty()) return BadInputError(Cat(where, ".", field, " is empty"));
  return absl::OkStatus();
}

absl::Status StringList(const nlohmann::json& t, const char* field, std::vector<std::string>* out,
                        const std::string& where) {
  if (!t.contains(field)) return absl::OkStatus();
  if (!t[field].is_array()) return BadInputError(Cat(where, ".", field, " is not an array of strings"));
  for (const auto& s : t[field]) {
    if (!s.is_string()) return BadInputError(Cat(where, ".", field, " holds a non-string"));
    out->push_back(s.get<std::string>());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Manifest> ParseManifest(std::string_view text, const std::string& path) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return BadInputError(Cat(path, ": not a manifest (not a JSON object)"));
  if (!j.contains("version") || !j["version"].is_number_integer())
    return BadInputError(Cat(path, ": not a manifest (no integer \"version\")"));
  if (j["version"].get<int64_t>() != kManifestVersion)
    return BadInputError(Cat(path, ": manifest version ", j["version"].get<int64_t>(), ", this schedcast reads version ",
                             kManifestVersion));
  if (!j.contains("tests") || !j["tests"].is_array())
    return BadInputError(Cat(path, ": not a manifest (want a JSON object with a \"tests\" array)"));
  Manifest m;
  m.path = path;
  if (j.contains("module") && j["module"].is_string()) m.module = j["module"].get<std::string>();
  const auto& tests = j["tests"];
  for (size_t i = 0; i < tests.size(); ++i) {
    const auto& t = tests[i];
    const std::string where = Cat(path, ": tests[", i, "]");
    if (!t.is_object()) return BadInputError(Cat(where, " is not an object"));
    ManifestTest e;
    SC_RETURN_IF_ERROR(StringField(t, "package", true, &e.package, where));
    SC_RETURN_IF_ERROR(StringField(t, "name", true, &e.name, where));
    SC_RETURN_IF_ERROR(StringField(t, "split", true, &e.split, where));
    if (e.split != "train" && e.split != "validation" && e.split != "test")
      return BadInputError(Cat(where, " has unknown split '", e.split, "' (want train, validation or test)"));
    SC_RETURN_IF_ERROR(StringField(t, "dir", false, &e.dir, where));
    SC_RETURN_IF_ERROR(StringField(t, "file", false, &e.file, where));
    SC_RETURN_IF_ERROR(StringField(t, "category", false, &e.category, where));
    SC_RETURN_IF_ERROR(StringField(t, "bug", false, &e.bug, where));
    if (e.bug.empty()) return BadInputError(Cat(where, ".bug is empty (\"none\" for a correct program)"));
    if (t.contains("line")) {
      if (!t["line"].is_number_integer()) return BadInputError(Cat(where, ".line is not an integer"));
      e.line = t["line"].get<int64_t>();
    }
    SC_RETURN_IF_ERROR(StringList(t, "primitives", &e.primitives, where));
    SC_RETURN_IF_ERROR(StringList(t, "block_sites", &e.block_sites, where));
    auto [it, fresh] = m.index.emplace(e.Program(), m.tests.size());
    if (!fresh)
      return BadInputError(Cat(where, " repeats ", e.Program(), " (first at tests[", it->second, "])"));
    m.tests.push_back(std::move(e));
  }
  return m;
}

absl::StatusOr<Manifest> LoadManifest(const std::string& path) {
  SC_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseManifest(text, path);
}

}  // namespace schedcast
