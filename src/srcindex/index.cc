// srcindex/index.cc — parsing and lookups of a package's source index (see index.h).
#include "srcindex/index.h"

#include <algorithm>

#include "nlohmann/json.hpp"

namespace schedcast::srcindex {

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

namespace {

using nlohmann::json;

std::string Str(const json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}
std::vector<std::string> Strs(const json& j, const char* k) {
  std::vector<std::string> out;
  auto it = j.find(k);
  if (it != j.end() && it->is_array())
    for (const auto& x : *it)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}
int Int(const json& j, const char* k, int dflt) {
  auto it = j.find(k);
  return it != j.end() && it->is_number_integer() ? it->get<int>() : dflt;
}

// A duration in nanoseconds: a positive integer, else 0 (unknown).
int64_t Dur(const json& j) {
  auto it = j.find("dur");
  if (it == j.end() || !it->is_number_integer()) return 0;
  const int64_t d = it->get<int64_t>();
  return d > 0 ? d : 0;
}

// The document's `version` field; 0 when absent or not an integer.
int VersionField(const json& j) { return Int(j, "version", 0); }

// Whether an index file name (a base name, or a dependency's path below its module root) names
// the file at `path` (a stack frame's, absolute or module-relative).
bool SameFile(std::string_view name, std::string_view path) {
  if (name.find('/') == std::string_view::npos) return BaseName(path) == name;
  return path == name || (path.size() > name.size() && path.ends_with(name) && path[path.size() - name.size() - 1] == '/');
}

}  // namespace

int VersionOf(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() || !j.is_object() ? 0 : VersionField(j);
}

absl::StatusOr<Index> Index::Parse(std::string_view text, std::string_view what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return BadInputError(Cat(what, ": source index: not a JSON object"));
  // Version 1: parameters keep their own names; 2 adds `aliases`; 3 `dur` (docs/SRCINDEX.md).
  const int version = VersionField(j);
  if (version < 1 || version > kVersion)
    return BadInputError(Cat(what, ": source index: version ", version, ", want 1 to ", kVersion));
  if (!j.contains("ops") || !j["ops"].is_array() || !j.contains("funcs") || !j["funcs"].is_array())
    return BadInputError(Cat(what, ": source index: want arrays 'ops' and 'funcs'"));
  Index idx;
  idx.version_ = version;
  idx.deps_ = Strs(j, "deps");
  auto note_dep_file = [&idx](const std::string& file) {  // a dependency's file: named by its path
    if (file.find('/') != std::string::npos &&
        std::find(idx.dep_files_.begin(), idx.dep_files_.end(), file) == idx.dep_files_.end())
      idx.dep_files_.push_back(file);
  };
  if (auto l = j.find("loops"); l != j.end() && l->is_array()) {
    const int nloops = static_cast<int>(l->size());
    for (int i = 0; i < nloops; ++i) {
      const json& x = (*l)[i];
      Loop loop{Int(x, "id", 0), Int(x, "parent", 0), Int(x, "line", 0), Int(x, "trips", 0)};
      if (!x.is_object() || loop.id != i + 1 || loop.parent < 0 || loop.parent > nloops || loop.trips < 0)
        return BadInputError(Cat(what, ": source index: loops[", i, "] is not an object with id ", i + 1,
                                 " and a parent and trips in range"));
      idx.loops_.push_back(loop);
    }
  }
  const int nops = static_cast<int>(j["ops"].size()), nfuncs = static_cast<int>(j["funcs"].size());
  auto ids = [&](const json& a, int n, const std::string& field, std::vector<int>* out) -> absl::Status {
    if (!a.is_array()) return BadInputError(Cat(what, ": source index: ", field, " is not an array"));
    for (const auto& x : a) {
      if (!x.is_number_integer() || x.get<int>() < 0 || x.get<int>() >= n)
        return BadInputError(Cat(what, ": source index: ", field, " holds an id out of range"));
      out->push_back(x.get<int>());
    }
    return absl::OkStatus();
  };
  for (int i = 0; i < nops; ++i) {
    const json& o = j["ops"][i];
    if (!o.is_object() || Int(o, "id", -1) != i)
      return BadInputError(Cat(what, ": source index: ops[", i, "] is not an object with id ", i));
    Op op;
    op.id = i;
    op.file = Str(o, "file");
    op.line = Int(o, "line", 0);
    op.col = Int(o, "col", 0);
    op.kind = Str(o, "kind");
    op.obj = Str(o, "obj");
    op.type = Str(o, "type");
    op.cap = Int(o, "cap", -1);
    op.aliases = Strs(o, "aliases");
    op.dur = Dur(o);
    op.loop = o.value("loop", false);
    op.indirect = o.value("indirect", false);
    op.pipe = o.value("pipe", false);
    op.pipe_recv = Strs(o, "pipe_recv");
    op.pipe_send = Strs(o, "pipe_send");
    op.pipe_close = Strs(o, "pipe_close");
    op.func = Int(o, "func", -1);
    op.starts = Int(o, "starts", -1);
    op.loop_id = Int(o, "loop_id", 0);
    if (op.loop_id < 0 || op.loop_id > static_cast<int>(idx.loops_.size()))
      return BadInputError(Cat(what, ": source index: ops[", i, "].loop_id ", op.loop_id, " names no loop"));
    if (op.kind.empty() || op.file.empty() || op.func < 0 || op.func >= nfuncs || op.starts >= nfuncs)
      return BadInputError(Cat(what, ": source index: ops[", i, "] lacks kind/file or has a bad func/starts"));
    SC_RETURN_IF_ERROR(ids(o.value("next", json::array()), nops, Cat("ops[", i, "].next"), &op.next));
    if (auto c = o.find("cases"); c != o.end() && c->is_array())
      for (const auto& x : *c)
        op.cases.push_back({Str(x, "kind"), Str(x, "obj"), Str(x, "type"), Int(x, "cap", -1), Strs(x, "aliases"), Dur(x)});
    idx.at_[{std::string(BaseName(op.file)), op.line}].push_back(i);
    note_dep_file(op.file);
    idx.ops_.push_back(std::move(op));
  }
  for (int i = 0; i < nfuncs; ++i) {
    const json& f = j["funcs"][i];
    if (!f.is_object() || Int(f, "id", -1) != i)
      return BadInputError(Cat(what, ": source index: funcs[", i, "] is not an object with id ", i));
    Func fn;
    fn.id = i;
    fn.name = Str(f, "name");
    fn.file = Str(f, "file");
    fn.start = Int(f, "start", 0);
    fn.end = Int(f, "end", 0);
    SC_RETURN_IF_ERROR(ids(f.value("first", json::array()), nops, Cat("funcs[", i, "].first"), &fn.first));
    note_dep_file(fn.file);
    idx.funcs_.push_back(std::move(fn));
  }
  for (auto& [k, v] : idx.at_)
    std::sort(v.begin(), v.end(), [&](int a, int b) { return idx.ops_[a].col < idx.ops_[b].col; });
  return idx;
}

std::vector<const Op*> Index::At(std::string_view file, int line) const {
  std::vector<const Op*> out;
  auto it = at_.find({std::string(BaseName(file)), line});
  if (it == at_.end()) return out;
  const bool dep = InDependency(file);
  for (int id : it->second)
    if (Names(ops_[id].file, file, dep)) out.push_back(&ops_[id]);
  return out;
}

bool Index::InDependency(std::string_view path) const {
  for (const std::string& f : dep_files_)
    if (SameFile(f, path)) return true;
  return false;
}

bool Index::Names(std::string_view name, std::string_view path, bool dep) {
  return (name.find('/') != std::string_view::npos) == dep && SameFile(name, path);
}

const Func* Index::FuncAt(std::string_view file, int line) const {
  const bool dep = InDependency(file);
  const Func* best = nullptr;
  for (const Func& f : funcs_)
    if (f.start <= line && line <= f.end && Names(f.file, file, dep) && (!best || f.end - f.start < best->end - best->start))
      best = &f;
  return best;
}

const Func* Index::FuncNamed(std::string_view name) const {
  for (const Func& f : funcs_)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<const Op*> Index::After(std::string_view file, int line) const {
  const Func* f = FuncAt(file, line);
  if (!f) return {};
  const Op* best = nullptr;
  const Op* ret = nullptr;
  for (const Op& o : ops_) {
    if (o.func != f->id) continue;
    if (o.kind == "return" && o.line == f->end) ret = &o;
    if (o.line < line) continue;
    if (!best || std::pair(o.line, o.col) < std::pair(best->line, best->col)) best = &o;
  }
  if (best) return {best};
  if (ret) return {ret};
  return {};
}

}  // namespace schedcast::srcindex
