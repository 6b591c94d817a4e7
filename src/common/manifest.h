// common/manifest.h — the corpus manifest (corpus/MANIFEST.json, written by tools/mkmanifest):
// one loader and one validation for every reader (`dataset build` splits and annotations, `leaks
// --manifest` evaluation).
//
// Contract: LoadManifest accepts only a JSON object with "version": 1 and a "tests" array whose
// entries each have non-empty string "package" and "name", a "split" of train/validation/test,
// and, where present, string "dir", "file", "category", "bug", an integer "line", and arrays of
// strings "primitives" and "block_sites". A (package, name) pair appears once. Anything else is a
// BadInputError naming the file and the entry (tests[i]). Thread-safe (pure function; the result
// is an immutable value).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/names.h"
#include "common/status.h"

namespace schedcast {

inline constexpr int kManifestVersion = 1;

struct ManifestTest {
  std::string package, name, dir, file, category, split;
  std::string bug = "none";               // "none" for a correct program, else the bug class
  int64_t line = 0;
  std::vector<std::string> primitives;    // e.g. {"chan", "select"}
  std::vector<std::string> block_sites;   // "dir/file.go:12"
  std::string Program() const { return ProgramKey(package, name); }  // how stores and datasets name it
};

struct Manifest {
  std::string path;
  std::string module;
  std::vector<ManifestTest> tests;      // in file order
  std::map<std::string, size_t> index;  // Program() → position in tests
  const ManifestTest* Find(const std::string& program) const {
    auto it = index.find(program);
    return it == index.end() ? nullptr : &tests[it->second];
  }
};

absl::StatusOr<Manifest> LoadManifest(const std::string& path);
// The same validation on text already read (`path` only names it in errors).
absl::StatusOr<Manifest> ParseManifest(std::string_view text, const std::string& path);

}  // namespace schedcast
