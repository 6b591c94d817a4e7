#include "gotrace/v2/text.h"

#include <charconv>

#include "gotrace/v2/source.h"

namespace schedcast::gotrace::v2 {
namespace {

inline void Int(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
inline void Uint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
inline void Hex(std::string& out, uint64_t v) {
  char buf[20];
  auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  out.append(buf, r.ptr);
}

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

void AppendFrames(const Table& t, uint64_t stack, std::string& out) {
  for (uint32_t fi : t.stack(stack)) {
    const Frame& f = t.frame(fi);
    out += '\t';
    out.append(t.string(f.func));
    out.append(" @ 0x");
    Hex(out, f.pc);
    out.append("\n\t\t");
    out.append(t.string(f.file));
    out += ':';
    Uint(out, f.line);
    out += '\n';
  }
}

void AppendResource(ResourceKind k, int64_t id, std::string& out) {
  out.append(ResourceKindName(k));
  if (k == ResourceKind::kNone) return;
  out += '(';
  Int(out, id);
  out += ')';
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

void AppendEventText(const Event& ev, const Table& t, std::string& out) {
  out.append("M=");
  Int(out, ev.m);
  out.append(" P=");
  Int(out, ev.p);
  out.append(" G=");
  Int(out, ev.g);
  out += ' ';
  out.append(EventKindName(ev.kind));
  out.append(" Time=");
  Int(out, ev.time);
  switch (ev.kind) {
    case EventKind::kMetric: {
      const Metric m = ev.metric();
      out.append(" Name=\"");
      out.append(MetricNameString(m.name));
      out.append("\" Value=Uint64(");
      Uint(out, m.value);
      out += ')';
      break;
    }
    case EventKind::kLabel: {
      const Label l = ev.label();
      out.append(" Label=");
      AppendGoQuoted(t.string(l.label), out);
      out.append(" Resource=");
      AppendResource(ResourceKind::kGoroutine, l.goroutine, out);
      break;
    }
    case EventKind::kRangeBegin:
    case EventKind::kRangeActive:
    case EventKind::kRangeEnd: {
      const Range r = ev.range();
      out.append(" Name=");
      switch (r.name) {
        case RangeName::kStopTheWorld: {
          std::string name = "stop-the-world (";
          name.append(t.string(r.stw_kind));
          name += ')';
          AppendGoQuoted(name, out);
          break;
        }
        case RangeName::kGCMark: out.append("\"GC concurrent mark phase\""); break;
        case RangeName::kGCSweep: out.append("\"GC incremental sweep\""); break;
        case RangeName::kGCMarkAssist: out.append("\"GC mark assist\""); break;
      }
      out.append(" Scope=");
      AppendResource(r.scope, r.scope_id, out);
      if (ev.kind == EventKind::kRangeEnd) {
        out.append(" Attributes=[");
        if (r.has_sweep_attrs) {
          out.append("\"bytes swept\"=Uint64(");
          Uint(out, r.swept);
          out.append(") \"bytes reclaimed\"=Uint64(");
          Uint(out, r.reclaimed);
          out += ')';
        }
        out += ']';
      }
      break;
    }
    case EventKind::kTaskBegin:
    case EventKind::kTaskEnd: {
      const Task k = ev.task();
      out.append(" ID=");
      Uint(out, k.id);
      out.append(" Parent=");
      Uint(out, k.parent);
      out.append(" Type=");
      AppendGoQuoted(k.type_is_extra ? t.extra_string(k.type) : t.string(k.type), out);
      break;
    }
    case EventKind::kRegionBegin:
    case EventKind::kRegionEnd: {
      const Region r = ev.region();
      out.append(" Task=");
      Uint(out, r.task);
      out.append(" Type=");
      AppendGoQuoted(t.string(r.type), out);
      break;
    }
    case EventKind::kLog: {
      const Log l = ev.log();
      out.append(" Task=");
      Uint(out, l.task);
      out.append(" Category=");
      AppendGoQuoted(t.string(l.category), out);
      out.append(" Message=");
      AppendGoQuoted(t.string(l.message), out);
      break;
    }
    case EventKind::kStateTransition: {
      const StateTransition s = ev.transition();
      out.append(" Resource=");
      AppendResource(s.resource, s.id, out);
      out.append(" Reason=");
      AppendGoQuoted(t.string(s.reason), out);
      if (s.resource == ResourceKind::kGoroutine) {
        out.append(" GoID=");
        Int(out, s.id);
        out += ' ';
        out.append(GoStateName(s.go_from()));
        out.append("->");
        out.append(GoStateName(s.go_to()));
      } else if (s.resource == ResourceKind::kProc) {
        out.append(" ProcID=");
        Int(out, s.id);
        out += ' ';
        out.append(ProcStateName(s.proc_from()));
        out.append("->");
        out.append(ProcStateName(s.proc_to()));
      }
      if (s.has_stack) {
        out.append("\nTransitionStack=\n");
        AppendFrames(t, s.stack, out);
      }
      break;
    }
    case EventKind::kExperimental: {
      const Spec& sp = ev.experimental();
      out.append(" Name=");
      out.append(sp.name);
      out.append(" ArgNames=[");
      for (int i = 0; i < sp.nargs; ++i) {
        if (i) out += ' ';
        out.append(sp.arg_names[i]);
      }
      out.append("] Args=[");
      for (int i = 0; i < sp.nargs; ++i) {
        if (i) out += ' ';
        Uint(out, ev.args[i]);
      }
      out += ']';
      break;
    }
    default: break;
  }
  const uint64_t stack = ev.stack();
  if (stack != 0 || ev.type == kEvCPUSample) {
    out.append("\nStack=\n");
    AppendFrames(t, stack, out);
  }
  out += '\n';
}

absl::Status DumpReader(Reader& reader, std::ostream& out) {
  constexpr size_t kFlush = 1 << 20;
  std::string buf;
  buf.reserve(kFlush + (64 << 10));
  Event ev;
  absl::Status status;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&ev);
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    AppendEventText(ev, reader.table(), buf);
    if (buf.size() >= kFlush) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  if (status.ok() && !out) return absl::UnavailableError("writing the dump failed");
  return status;
}

absl::Status DumpFile(const std::string& path, std::ostream& out) {
  SC_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, OpenFileSource(path));
  SC_ASSIGN_OR_RETURN(std::unique_ptr<Reader> r, Reader::Open(std::move(src)));
  return DumpReader(*r, out);
}

}  // namespace schedcast::gotrace::v2
