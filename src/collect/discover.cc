// collect/discover.cc — package and program discovery by a cheap source scan (see discover.h).
#include "collect/discover.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "common/hash.h"

namespace schedcast::collect {
namespace fs = std::filesystem;
namespace {

bool SkippedDirName(const std::string& name) {
  return name.empty() || name[0] == '.' || name[0] == '_' || name == "testdata" || name == "vendor";
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Removes /* */ and // comments (not inside string or rune literals) so that the line-based
// regexes below do not match commented-out code.
std::string StripComments(const std::string& src) {
  std::string out;
  out.reserve(src.size());
  for (size_t i = 0; i < src.size();) {
    char c = src[i];
    if (c == '"' || c == '\'' || c == '`') {
      size_t j = i + 1;
      while (j < src.size() && src[j] != c && !(c != '`' && src[j] == '\n')) j += (src[j] == '\\' && c != '`') ? 2 : 1;
      j = std::min(j + 1, src.size());
      out.append(src, i, j - i);
      i = j;
    } else if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
      while (i < src.size() && src[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
      size_t j = src.find("*/", i + 2);
      j = j == std::string::npos ? src.size() : j + 2;
      for (size_t k = i; k < j; ++k) if (src[k] == '\n') out.push_back('\n');
      i = j;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

bool HasIgnoreConstraint(const std::string& src) {
  static const std::regex re(R"((^|\n)//go:build[ \t]+ignore[ \t]*(\r?\n|$)|(^|\n)// \+build[ \t]+ignore[ \t]*(\r?\n|$))");
  // Constraints must precede the package clause.
  size_t pkg = src.find("\npackage ");
  return std::regex_search(src.substr(0, pkg == std::string::npos ? src.size() : pkg), re);
}

std::string PackageClause(const std::string& code) {
  static const std::regex re(R"((^|\n)[ \t]*package[ \t]+([A-Za-z_][A-Za-z0-9_]*))");
  std::smatch m;
  return std::regex_search(code, m, re) ? m[2].str() : "";
}

struct ModuleInfo {
  std::string root, path;
};

absl::StatusOr<ModuleInfo> FindModule(const fs::path& dir) {
  for (fs::path d = dir;; d = d.parent_path()) {
    std::error_code ec;
    if (fs::is_regular_file(d / "go.mod", ec)) {
      SC_ASSIGN_OR_RETURN(std::string gomod, ReadFileToString((d / "go.mod").string()));
      std::string mp = ParseModulePath(gomod);
      if (mp.empty()) return BadInputError(Cat((d / "go.mod").string(), ": no module line"));
      return ModuleInfo{d.string(), mp};
    }
    if (d == d.parent_path() || d.empty()) return ModuleInfo{};
  }
}

// `func TestXxx(t *testing.T)`; group 2 is the name.
const std::regex& TestFuncRe() {
  static const std::regex re(R"((^|\n)func[ \t]+(Test(?:[A-Z0-9_][A-Za-z0-9_]*)?)[ \t]*\([ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]+\*testing\.T[ \t]*\))");
  return re;
}

// The GOPATH root among `gopaths` whose src/ holds `dir`, or empty.
std::string GopathOf(const fs::path& dir, const std::vector<std::string>& gopaths) {
  for (const std::string& g : gopaths) {
    std::error_code ec;
    fs::path src = fs::weakly_canonical(fs::path(g) / "src", ec);
    if (ec) continue;
    fs::path rel = dir.lexically_relative(src);
    if (!rel.empty() && rel != "." && *rel.begin() != "..") return fs::path(g).lexically_normal().string();
  }
  return "";
}

absl::StatusOr<std::optional<Package>> ScanDir(const fs::path& dir, const std::vector<std::string>& gopaths) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (EndsWith(name, ".go") && name[0] != '.' && name[0] != '_' && e.is_regular_file(ec)) files.push_back(e.path());
  }
  if (ec) return absl::PermissionDeniedError(Cat(dir.string(), ": cannot list: ", ec.message()));
  if (files.empty()) return std::optional<Package>();
  std::sort(files.begin(), files.end());

  Package p;
  p.dir = dir.string();
  const std::regex& test_re = TestFuncRe();
  static const std::regex test_main_re(R"((^|\n)func[ \t]+TestMain[ \t]*\()");
  static const std::regex main_re(R"((^|\n)func[ \t]+main[ \t]*\([ \t]*\))");
  Fnv1a64 h;
  std::set<std::string> tests;
  bool any = false;
  for (const fs::path& f : files) {
    SC_ASSIGN_OR_RETURN(std::string src, ReadFileToString(f.string()));
    h.AddField(f.filename().string()).AddField(src);
    if (HasIgnoreConstraint(src)) continue;
    any = true;
    std::string code = StripComments(src);
    std::string pkg = PackageClause(code);
    std::string name = f.filename().string();
    if (EndsWith(name, "_test.go")) {
      if (p.test_package_name.empty()) p.test_package_name = pkg;
      for (std::sregex_iterator it(code.begin(), code.end(), test_re), end; it != end; ++it) {
        tests.insert((*it)[2].str());
      }
      if (std::regex_search(code, test_main_re) && !p.has_test_main) {
        p.has_test_main = true;
        p.test_main_file = name;
        p.test_main_package = pkg;
      }
    } else {
      if (p.package_name.empty()) p.package_name = pkg;
      if (pkg == "main" && std::regex_search(code, main_re)) {
        p.has_main = true;
        p.main_file = name;
      }
    }
  }
  if (!any) return std::optional<Package>();
  p.tests.assign(tests.begin(), tests.end());

  SC_ASSIGN_OR_RETURN(ModuleInfo mod, FindModule(dir));
  p.gopath = GopathOf(dir, gopaths);
  if (!p.gopath.empty()) {
    const fs::path src = fs::weakly_canonical(fs::path(p.gopath) / "src");
    fs::path root = dir;
    if (!mod.root.empty()) {
      fs::path r = fs::path(mod.root).lexically_relative(src);
      if (!r.empty() && r != "." && *r.begin() != "..") root = mod.root;
    }
    p.module_root = root.string();
    p.module_path = root.lexically_relative(src).string();
    p.rel = dir.lexically_relative(root).string();
    if (p.rel.empty()) p.rel = ".";
    p.import_path = dir.lexically_relative(src).string();
    p.source_hash = h.AddField("gopath").AddField(p.gopath).hex();
    return std::optional<Package>(std::move(p));
  }
  p.module_root = mod.root;
  p.module_path = mod.path;
  if (mod.root.empty()) {
    p.rel = ".";
    p.import_path = "_" + p.dir;
  } else {
    for (const char* extra : {"go.mod", "go.sum"}) {
      auto data = ReadFileToString((fs::path(mod.root) / extra).string());
      if (data.ok()) h.AddField(extra).AddField(*data);
    }
    p.rel = fs::relative(dir, mod.root).string();
    if (p.rel.empty()) p.rel = ".";
    p.import_path = p.rel == "." ? mod.path : mod.path + "/" + p.rel;
  }
  p.source_hash = h.hex();
  return std::optional<Package>(std::move(p));
}

absl::Status Walk(const fs::path& dir, const std::vector<std::string>& gopaths, std::map<std::string, Package>& out) {
  SC_ASSIGN_OR_RETURN(std::optional<Package> p, ScanDir(dir, gopaths));
  if (p && !out.count(p->dir)) out.emplace(p->dir, std::move(*p));
  std::error_code ec;
  std::vector<fs::path> subdirs;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory(ec) && !e.is_symlink(ec) && !SkippedDirName(e.path().filename().string())) {
      subdirs.push_back(e.path());
    }
  }
  std::sort(subdirs.begin(), subdirs.end());
  for (const auto& d : subdirs) SC_RETURN_IF_ERROR(Walk(d, gopaths, out));
  return absl::OkStatus();
}

}  // namespace

std::string ParseModulePath(const std::string& go_mod) {
  static const std::regex re(R"re((^|\n)[ \t]*module[ \t]+"?([^"\s]+)"?)re");
  std::string code = StripComments(go_mod);
  std::smatch m;
  return std::regex_search(code, m, re) ? m[2].str() : "";
}

namespace {

// The package of one .go file, narrowed to the programs that file declares: its Test functions
// (a _test.go file) or its func main (a file of package main).
absl::Status AddFile(const std::string& path, const fs::path& p, const std::vector<std::string>& gopaths,
                     std::map<std::string, Package>& by_dir, std::set<std::string>& whole_dirs) {
  const std::string name = p.filename().string();
  if (!EndsWith(name, ".go"))
    return absl::InvalidArgumentError(Cat(path, ": not a directory or a .go file (collect takes Go package directories)"));
  SC_ASSIGN_OR_RETURN(std::optional<Package> pkg, ScanDir(p.parent_path(), gopaths));
  if (!pkg) return absl::InvalidArgumentError(Cat(path, ": not part of a Go package (ignored by its build constraint?)"));
  SC_ASSIGN_OR_RETURN(std::string src, ReadFileToString(p.string()));
  const std::string code = StripComments(src);
  std::set<std::string> mine;
  if (EndsWith(name, "_test.go")) {
    for (std::sregex_iterator it(code.begin(), code.end(), TestFuncRe()), end; it != end; ++it) mine.insert((*it)[2].str());
  }
  const bool main_here = pkg->has_main && pkg->main_file == name;
  if (mine.empty() && !main_here)
    return absl::InvalidArgumentError(Cat(path, ": declares no Test function and no func main to collect"));
  if (whole_dirs.count(pkg->dir)) return absl::OkStatus();  // the whole package is collected anyway
  auto [it, fresh] = by_dir.try_emplace(pkg->dir, *pkg);
  Package& out = it->second;
  if (fresh) {
    out.tests.clear();
    out.has_main = false;
  }
  std::set<std::string> tests(out.tests.begin(), out.tests.end());
  for (const auto& t : pkg->tests)
    if (mine.count(t)) tests.insert(t);
  out.tests.assign(tests.begin(), tests.end());
  out.has_main = out.has_main || main_here;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Package>> Discover(const std::vector<std::string>& paths,
                                              const std::vector<std::string>& gopaths) {
  std::map<std::string, Package> by_dir;
  std::set<std::string> whole_dirs;
  // Directories first, so that a file inside one adds nothing.
  std::vector<std::pair<std::string, fs::path>> files;
  for (const std::string& path : paths) {
    if (path.empty()) return absl::InvalidArgumentError("collect: an empty PATH (give a directory of Go packages or a .go file)");
    std::error_code ec;
    fs::path p = fs::canonical(path, ec);
    if (ec) return absl::NotFoundError(Cat(path, ": ", ec.message()));
    if (fs::is_regular_file(p, ec)) {
      files.emplace_back(path, p);
      continue;
    }
    if (!fs::is_directory(p, ec)) return absl::InvalidArgumentError(Cat(path, ": not a directory or a .go file"));
    std::map<std::string, Package> found;
    SC_RETURN_IF_ERROR(Walk(p, gopaths, found));
    if (found.empty()) return absl::NotFoundError(Cat(path, ": no Go packages (no .go files) in it or below it"));
    for (auto& [dir, pkg] : found) {
      whole_dirs.insert(dir);
      by_dir.insert_or_assign(dir, std::move(pkg));
    }
  }
  for (const auto& [path, p] : files) SC_RETURN_IF_ERROR(AddFile(path, p, gopaths, by_dir, whole_dirs));
  std::vector<Package> out;
  for (auto& [dir, p] : by_dir) out.push_back(std::move(p));
  std::sort(out.begin(), out.end(), [](const Package& a, const Package& b) {
    return a.import_path != b.import_path ? a.import_path < b.import_path : a.dir < b.dir;
  });
  return out;
}

}  // namespace schedcast::collect
