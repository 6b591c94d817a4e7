#include "leaks/source.h"

#include <dirent.h>

#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>

namespace schedcast::leaks {

namespace {
void CatLine(std::string& out, std::string_view l) {
  out.append(l);
  out.push_back('\n');
}
}  // namespace

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

const std::string* ProgramSources::File(std::string_view base) {
  auto it = files_.find(std::string(base));
  if (it == files_.end()) {
    std::optional<std::string> text;
    std::ifstream in(dir_ + "/" + std::string(base), std::ios::binary);
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    it = files_.emplace(std::string(base), std::move(text)).first;
  }
  return it->second ? &*it->second : nullptr;
}

std::optional<std::string> ProgramSources::Statement(std::string_view file, uint64_t line) {
  const std::string* text = File(BaseName(file));
  if (text == nullptr || line == 0) return std::nullopt;
  size_t pos = 0;
  for (uint64_t l = 1; l < line; ++l) {
    pos = text->find('\n', pos);
    if (pos == std::string::npos) return std::nullopt;
    ++pos;
  }
  size_t end = text->find('\n', pos);
  if (end == std::string::npos) end = text->size();
  std::string first = text->substr(pos, end - pos);
  if (first.find("select") == std::string::npos) return first;
  // A select: extend to the brace that closes the one opened on this line (comments and strings
  // containing braces would confuse this; the result is only ever used to *withhold* proofs).
  int depth = 0;
  bool opened = false;
  for (size_t i = text->find("select", pos); i < text->size(); ++i) {
    const char c = (*text)[i];
    if (c == '{') ++depth, opened = true;
    if (c == '}' && --depth == 0 && opened) return text->substr(pos, i + 1 - pos);
  }
  return std::nullopt;
}

bool MayInvolveTimer(std::string_view stmt, const std::set<std::string>& timer_names) {
  std::string s;
  if (stmt.find("select") != std::string_view::npos) {
    // The communication clauses only: "case <-x:", "case v := <-y:", "case z <- 1:".
    size_t pos = 0;
    while (pos < stmt.size()) {
      size_t e = stmt.find('\n', pos);
      if (e == std::string_view::npos) e = stmt.size();
      std::string_view l = stmt.substr(pos, e - pos);
      while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
      if (l.substr(0, 5) == "case ") CatLine(s, l);
      pos = e + 1;
    }
  } else {
    s = std::string(stmt);
  }
  static const std::regex kIdent("[A-Za-z_][A-Za-z0-9_]*");
  for (std::sregex_iterator it(s.begin(), s.end(), kIdent), end; it != end; ++it)
    if (timer_names.count(it->str())) return true;
  for (std::string_view w : {"time.", ".C", "Done()", "After", "Tick", "Timer", "timer", "ticker", "ctx", "Deadline",
                             "deadline", "Timeout", "timeout", "<-chan time", "clock"})
    if (s.find(w) != std::string_view::npos) return true;
  return false;
}

std::vector<std::string> ProgramSources::Names() {
  std::vector<std::string> names;
  DIR* d = opendir(dir_.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 3 && n.compare(n.size() - 3, 3, ".go") == 0) names.push_back(n);
  }
  closedir(d);
  return names;
}

const std::set<std::string>& ProgramSources::TimerNames() {
  if (timer_names_) return *timer_names_;
  timer_names_.emplace();
  static const std::regex kAssign(R"(([A-Za-z_][A-Za-z0-9_]*)\s*(:?=)\s*time\.(After|NewTimer|NewTicker|Tick)\()");
  for (const auto& n : Names()) {
    const std::string* text = File(n);
    if (text == nullptr) continue;
    for (std::sregex_iterator it(text->begin(), text->end(), kAssign), end; it != end; ++it)
      timer_names_->insert((*it)[1].str());
  }
  return *timer_names_;
}

const std::vector<std::string>& ProgramSources::Hazards() {
  if (hazards_) return *hazards_;
  hazards_.emplace();
  const std::vector<std::string> names = Names();
  if (names.empty()) {
    hazards_->push_back("sources unavailable (" + dir_ + ")");
    return *hazards_;
  }
  static const std::pair<const char*, const char*> kHazards[] = {
      // Qualified calls only (a dot before), so identifiers such as TestXAfterFunc do not match.
      {".AfterFunc(", "time.AfterFunc"},         {".WithTimeout", "context timeout"},
      {".WithDeadline", "context deadline"},     {".SetFinalizer(", "finalizer"},
      {".AddCleanup(", "cleanup"},                {"signal.Notify", "signal delivery"},
      {"chan time.Time", "timer channel passed by value"}, {"import \"C\"", "cgo"},
      {"chan<- time.Time", "timer channel passed by value"},
  };
  std::string all;  // every file, to see whether a TestXxx is called from anywhere but the framework
  for (const auto& n : names)
    if (const std::string* text = File(n)) all += *text;
  // The top-level function enclosing `pos` when it is an unreached TestXxx, else "".
  auto unreached_test = [&](const std::string& text, size_t pos) -> std::string {
    const size_t start = text.rfind("\nfunc Test", pos);
    if (start == std::string::npos || text.find("\n}", start + 1) < pos) return "";
    const size_t open = text.find('(', start);
    if (open == std::string::npos || open > pos) return "";
    const std::string name = text.substr(start + 6, open - start - 6);
    if (name == test_ || test_.empty()) return "";
    size_t refs = 0;
    for (size_t i = all.find(name); i != std::string::npos; i = all.find(name, i + 1)) {
      const char after = i + name.size() < all.size() ? all[i + name.size()] : ' ';
      const char before = i > 0 ? all[i - 1] : ' ';
      refs += !(std::isalnum(static_cast<unsigned char>(after)) || after == '_') &&
              !(std::isalnum(static_cast<unsigned char>(before)) || before == '_' || before == '.');
    }
    return refs == 1 ? name : "";  // its own declaration only
  };
  for (const auto& n : names) {
    const std::string* text = File(n);
    if (text == nullptr) continue;
    for (const auto& [needle, what] : kHazards) {
      for (size_t pos = text->find(needle); pos != std::string::npos; pos = text->find(needle, pos + 1)) {
        if (!unreached_test(*text, pos).empty()) continue;
        hazards_->push_back(std::string(what) + " in " + n);
        break;
      }
    }
  }
  return *hazards_;
}

}  // namespace schedcast::leaks
