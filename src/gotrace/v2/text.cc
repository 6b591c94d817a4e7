#include "gotrace/v2/text.h"

#include <charconv>

#include "gotrace/v2/source.h"

namespace schedcast::gotrace::v2 {
namespace {

// Decodes one UTF-8 sequence as Go's utf8.DecodeRuneInString does; width 1 and -1 for invalid.
int32_t DecodeRune(std::string_view s, size_t i, int* width) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  auto cont = [&](size_t k, uint8_t lo = 0x80, uint8_t hi = 0xBF) -> int {
    if (i + k >= s.size()) return -1;
    const auto b = static_cast<uint8_t>(s[i + k]);
    return (b < lo || b > hi) ? -1 : (b & 0x3F);
  };
  *width = 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    int c1 = cont(1);
    if (c1 < 0) return -1;
    *width = 2;
    return ((b0 & 0x1F) << 6) | c1;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
    int c1 = cont(1, lo, hi), c2 = c1 < 0 ? -1 : cont(2);
    if (c1 < 0 || c2 < 0) return -1;
    *width = 3;
    return ((b0 & 0x0F) << 12) | (c1 << 6) | c2;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
    int c1 = cont(1, lo, hi), c2 = c1 < 0 ? -1 : cont(2), c3 = c2 < 0 ? -1 : cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return -1;
    *width = 4;
    return ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
  }
  return -1;
}

// Approximation of Go's unicode.IsPrint for non-ASCII runes: letters, marks, numbers,
// punctuation and symbols are printable; controls, format characters, separators other than
// U+0020, private use and noncharacters are not. (Unassigned code points are treated as
// printable, unlike Go.)
bool IsPrintRune(int32_t r) {
  struct R {
    int32_t lo, hi;
  };
  static constexpr R kNonPrint[] = {
      {0x80, 0xA0},       {0xAD, 0xAD},       {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
      {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x1680, 0x1680},   {0x180E, 0x180E},
      {0x2000, 0x200F},   {0x2028, 0x202F},   {0x205F, 0x2064},   {0x2066, 0x206F},   {0x3000, 0x3000},
      {0xD800, 0xF8FF},   {0xFDD0, 0xFDEF},   {0xFEFF, 0xFEFF},   {0xFFF0, 0xFFFB},   {0xFFFE, 0xFFFF},
      {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
      {0xE0000, 0xE0FFF}, {0xF0000, 0x10FFFF},
  };
  if ((r & 0xFFFE) == 0xFFFE) return false;  // noncharacters U+xFFFE, U+xFFFF
  for (const R& x : kNonPrint)
    if (r >= x.lo && r <= x.hi) return false;
  return true;
}

}  // namespace

void AppendGoQuoted(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c >= 0x20 && c < 0x7F) {
        out += static_cast<char>(c);
      } else {
        switch (c) {
          case '\a': out.append("\\a"); break;
          case '\b': out.append("\\b"); break;
          case '\f': out.append("\\f"); break;
          case '\n': out.append("\\n"); break;
          case '\r': out.append("\\r"); break;
          case '\t': out.append("\\t"); break;
          case '\v': out.append("\\v"); break;
          default:
            out.append("\\x");
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
      }
      continue;
    }
    int width;
    const int32_t r = DecodeRune(s, i, &width);
    if (r < 0) {
      out.append("\\x");
      out += kHex[c >> 4];
      out += kHex[c & 15];
      i += 1;
      continue;
    }
    if (IsPrintRune(r)) {
      out.append(s.substr(i, width));
    } else if (r < 0x10000) {
      out.append("\\u");
      for (int sh = 12; sh >= 0; sh -= 4) out += kHex[(r >> sh) & 15];
    } else {
      out.append("\\U");
      for (int sh = 28; sh >= 0; sh -= 4) out += kHex[(r >> sh) & 15];
    }
    i += width;
  }
  out += '"';
}

void EventFormatter::Grow(size_t n) {
  size_t cap = buf_.size() < 4096 ? 4096 : buf_.size();
  while (cap < len_ + n) cap *= 2;
  buf_.resize(cap);
}

void EventFormatter::PutInt(int64_t v) {
  char* p = Reserve(24);
  len_ = static_cast<size_t>(std::to_chars(p, p + 24, v).ptr - buf_.data());
}

void EventFormatter::PutUint(uint64_t v) {
  char* p = Reserve(24);
  len_ = static_cast<size_t>(std::to_chars(p, p + 24, v).ptr - buf_.data());
}

void EventFormatter::PutResource(ResourceKind k, int64_t id) {
  Put(ResourceKindName(k));
  if (k == ResourceKind::kNone) return;
  PutChar('(');
  PutInt(id);
  PutChar(')');
}

void EventFormatter::PutQuoted(std::string_view s) {
  scratch_.clear();
  AppendGoQuoted(s, scratch_);
  Put(scratch_);
}

void EventFormatter::SyncCache(const Table& t) {
  if (cache_table_ == &t && cache_gen_ == t.gen() && cache_nstrings_ == t.num_strings() &&
      cache_nstacks_ == t.num_stacks())
    return;
  cache_table_ = &t;
  cache_gen_ = t.gen();
  cache_nstrings_ = t.num_strings();
  cache_nstacks_ = t.num_stacks();
  stack_text_.assign(cache_nstacks_, std::string());
  stack_done_.assign(cache_nstacks_, 0);
  quoted_text_.assign(cache_nstrings_, std::string());
  quoted_done_.assign(cache_nstrings_, 0);
}

void EventFormatter::PutQuotedId(const Table& t, uint64_t id) {
  const int64_t i = t.string_index(id);
  if (i < 0) {
    Put("\"\"");
    return;
  }
  if (!quoted_done_[i]) {
    AppendGoQuoted(t.string(id), quoted_text_[i]);
    quoted_done_[i] = 1;
  }
  Put(quoted_text_[i]);
}

void EventFormatter::PutStack(const Table& t, uint64_t id) {
  const int64_t i = t.stack_index(id);
  if (i < 0) return;
  if (!stack_done_[i]) {
    std::string& s = stack_text_[i];
    char num[24];
    for (uint32_t fi : t.stack(id)) {
      const Frame& f = t.frame(fi);
      s += '\t';
      s.append(t.string(f.func));
      s.append(" @ 0x");
      s.append(num, std::to_chars(num, num + sizeof num, f.pc, 16).ptr);
      s.append("\n\t\t");
      s.append(t.string(f.file));
      s += ':';
      s.append(num, std::to_chars(num, num + sizeof num, f.line).ptr);
      s += '\n';
    }
    stack_done_[i] = 1;
  }
  Put(stack_text_[i]);
}

void EventFormatter::Format(const Event& ev, const Table& t) {
  SyncCache(t);
  Put("M=");
  PutInt(ev.m);
  Put(" P=");
  PutInt(ev.p);
  Put(" G=");
  PutInt(ev.g);
  PutChar(' ');
  Put(EventKindName(ev.kind));
  Put(" Time=");
  PutInt(ev.time);
  switch (ev.kind) {
    case EventKind::kMetric: {
      const Metric m = ev.metric();
      Put(" Name=\"");
      Put(MetricNameString(m.name));
      Put("\" Value=Uint64(");
      PutUint(m.value);
      PutChar(')');
      break;
    }
    case EventKind::kLabel: {
      const Label l = ev.label();
      Put(" Label=");
      PutQuotedId(t, l.label);
      Put(" Resource=");
      PutResource(ResourceKind::kGoroutine, l.goroutine);
      break;
    }
    case EventKind::kRangeBegin:
    case EventKind::kRangeActive:
    case EventKind::kRangeEnd: {
      const Range r = ev.range();
      Put(" Name=");
      switch (r.name) {
        case RangeName::kStopTheWorld: {
          std::string name = "stop-the-world (";
          name.append(t.string(r.stw_kind));
          name += ')';
          PutQuoted(name);
          break;
        }
        case RangeName::kGCMark: Put("\"GC concurrent mark phase\""); break;
        case RangeName::kGCSweep: Put("\"GC incremental sweep\""); break;
        case RangeName::kGCMarkAssist: Put("\"GC mark assist\""); break;
      }
      Put(" Scope=");
      PutResource(r.scope, r.scope_id);
      if (ev.kind == EventKind::kRangeEnd) {
        Put(" Attributes=[");
        if (r.has_sweep_attrs) {
          Put("\"bytes swept\"=Uint64(");
          PutUint(r.swept);
          Put(") \"bytes reclaimed\"=Uint64(");
          PutUint(r.reclaimed);
          PutChar(')');
        }
        PutChar(']');
      }
      break;
    }
    case EventKind::kTaskBegin:
    case EventKind::kTaskEnd: {
      const Task k = ev.task();
      Put(" ID=");
      PutUint(k.id);
      Put(" Parent=");
      PutUint(k.parent);
      Put(" Type=");
      if (k.type_is_extra) {
        PutQuoted(t.extra_string(k.type));
      } else {
        PutQuotedId(t, k.type);
      }
      break;
    }
    case EventKind::kRegionBegin:
    case EventKind::kRegionEnd: {
      const Region r = ev.region();
      Put(" Task=");
      PutUint(r.task);
      Put(" Type=");
      PutQuotedId(t, r.type);
      break;
    }
    case EventKind::kLog: {
      const Log l = ev.log();
      Put(" Task=");
      PutUint(l.task);
      Put(" Category=");
      PutQuotedId(t, l.category);
      Put(" Message=");
      PutQuotedId(t, l.message);
      break;
    }
    case EventKind::kStateTransition: {
      const StateTransition s = ev.transition();
      Put(" Resource=");
      PutResource(s.resource, s.id);
      Put(" Reason=");
      PutQuotedId(t, s.reason);
      if (s.resource == ResourceKind::kGoroutine) {
        Put(" GoID=");
        PutInt(s.id);
        PutChar(' ');
        Put(GoStateName(s.go_from()));
        Put("->");
        Put(GoStateName(s.go_to()));
      } else if (s.resource == ResourceKind::kProc) {
        Put(" ProcID=");
        PutInt(s.id);
        PutChar(' ');
        Put(ProcStateName(s.proc_from()));
        Put("->");
        Put(ProcStateName(s.proc_to()));
      }
      if (s.has_stack) {
        Put("\nTransitionStack=\n");
        PutStack(t, s.stack);
      }
      break;
    }
    case EventKind::kExperimental: {
      const Spec& sp = ev.experimental();
      Put(" Name=");
      Put(sp.name);
      Put(" ArgNames=[");
      for (int i = 0; i < sp.nargs; ++i) {
        if (i) PutChar(' ');
        Put(sp.arg_names[i]);
      }
      Put("] Args=[");
      for (int i = 0; i < sp.nargs; ++i) {
        if (i) PutChar(' ');
        PutUint(ev.args[i]);
      }
      PutChar(']');
      break;
    }
    default: break;
  }
  const uint64_t stack = ev.stack();
  if (stack != 0 || ev.type == kEvCPUSample) {
    Put("\nStack=\n");
    PutStack(t, stack);
  }
  PutChar('\n');
}

void AppendEventText(const Event& ev, const Table& table, std::string& out) {
  EventFormatter f;
  f.Format(ev, table);
  out.append(f.text());
}

absl::Status DumpReader(Reader& reader, std::ostream& out) {
  constexpr size_t kFlush = 1 << 20;
  EventFormatter f;
  Event ev;
  absl::Status status;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&ev);
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    f.Format(ev, reader.table());
    if (f.size() >= kFlush) {
      out.write(f.text().data(), static_cast<std::streamsize>(f.size()));
      f.Clear();
    }
  }
  out.write(f.text().data(), static_cast<std::streamsize>(f.size()));
  if (status.ok() && !out) return absl::UnavailableError("writing the dump failed");
  return status;
}

absl::Status DumpFile(const std::string& path, std::ostream& out) {
  SC_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, OpenFileSource(path));
  SC_ASSIGN_OR_RETURN(std::unique_ptr<Reader> r, Reader::Open(std::move(src)));
  return DumpReader(*r, out);
}

}  // namespace schedcast::gotrace::v2
