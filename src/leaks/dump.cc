#include "leaks/dump.h"

#include <charconv>

namespace schedcast::leaks {

namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

uint64_t ParseU64(std::string_view s) {
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// "\t/path/file.go:12 +0x1f" → file, line.
void ParseFileLine(std::string_view s, Frame* f) {
  while (!s.empty() && (s.front() == '\t' || s.front() == ' ')) s.remove_prefix(1);
  const size_t sp = s.find(" +0x");
  if (sp != std::string_view::npos) s = s.substr(0, sp);
  const size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) {
    f->file = std::string(s);
    return;
  }
  f->file = std::string(s.substr(0, colon));
  f->line = ParseU64(s.substr(colon + 1));
}

// "pkg.fn(0x1, ...)" → "pkg.fn"; "...additional frames elided..." → "".
std::string FuncOf(std::string_view s) {
  if (StartsWith(s, "...")) return "";
  const size_t paren = s.rfind('(');
  return std::string(paren == std::string_view::npos || paren == 0 ? s : s.substr(0, paren));
}

}  // namespace

const DumpGoroutine* EndState::Find(uint64_t id) const {
  for (const auto& g : goroutines)
    if (g.id == id) return &g;
  return nullptr;
}

absl::StatusOr<EndState> ParseEndState(std::string_view text) {
  constexpr std::string_view kHeader = "schedcast-end-state: ";
  if (!StartsWith(text, kHeader)) return absl::DataLossError("end state: missing 'schedcast-end-state:' header");
  EndState es;
  size_t nl = text.find('\n');
  es.when = std::string(text.substr(kHeader.size(), nl == std::string_view::npos ? std::string_view::npos : nl - kHeader.size()));
  std::vector<std::string_view> lines;
  for (size_t pos = nl == std::string_view::npos ? text.size() : nl + 1; pos < text.size();) {
    size_t e = text.find('\n', pos);
    if (e == std::string_view::npos) e = text.size();
    lines.push_back(text.substr(pos, e - pos));
    pos = e + 1;
  }
  DumpGoroutine* cur = nullptr;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    if (l.empty()) {
      cur = nullptr;
      continue;
    }
    if (StartsWith(l, "goroutine ")) {
      // goroutine 7 [chan send, 2 minutes]:
      const size_t lb = l.find(" ["), rb = l.rfind("]:");
      if (lb == std::string_view::npos || rb == std::string_view::npos || rb < lb) {
        cur = nullptr;
        continue;
      }
      DumpGoroutine g;
      g.id = ParseU64(l.substr(10, lb - 10));
      std::string_view w = l.substr(lb + 2, rb - lb - 2);
      const size_t comma = w.find(", ");
      if (comma != std::string_view::npos) w = w.substr(0, comma);
      g.wait = std::string(w);
      es.goroutines.push_back(std::move(g));
      cur = &es.goroutines.back();
      continue;
    }
    if (cur == nullptr || l.front() == '\t') continue;  // stray file line
    const bool created = StartsWith(l, "created by ");
    Frame f;
    if (created) {
      std::string_view rest = l.substr(11);
      const size_t in = rest.find(" in goroutine ");
      if (in != std::string_view::npos) {
        cur->creator = ParseU64(rest.substr(in + 14));
        rest = rest.substr(0, in);
      }
      f.func = std::string(rest);
    } else {
      f.func = FuncOf(l);
    }
    if (i + 1 < lines.size() && !lines[i + 1].empty() && lines[i + 1].front() == '\t') ParseFileLine(lines[++i], &f);
    if (created) cur->created_by = std::move(f);
    else if (!f.func.empty()) cur->frames.push_back(std::move(f));
  }
  return es;
}

WaitClass WaitClassOf(std::string_view w) {
  if (w == "select (no cases)" || w == "chan send (nil chan)" || w == "chan receive (nil chan)") return WaitClass::kForever;
  if (w == "chan send" || w == "chan receive" || w == "select") return WaitClass::kChan;
  if (StartsWith(w, "sync.") || w == "semacquire" || w == "sync.Cond.Wait") return WaitClass::kSync;
  return WaitClass::kLive;
}

std::string_view WaitClassName(WaitClass c) {
  switch (c) {
    case WaitClass::kForever: return "forever";
    case WaitClass::kChan: return "chan";
    case WaitClass::kSync: return "sync";
    case WaitClass::kLive: return "live";
  }
  return "?";
}

}  // namespace schedcast::leaks
