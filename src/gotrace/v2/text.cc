#include "gotrace/v2/text.h"

#include <cstdio>
#include <ctime>

#include <charconv>

#include "gotrace/v2/quote.h"
#include "gotrace/v2/source.h"

namespace schedcast::gotrace::v2 {

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
      Put(t.version() >= 1025 ? "\" Value=Value{Uint64(" : "\" Value=Uint64(");
      PutUint(m.value);
      Put(t.version() >= 1025 ? ")}" : ")");
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
          const bool boxed = t.version() >= 1025;  // Go 1.25's Value.String: Value{Uint64(N)}
          Put(boxed ? "\"bytes swept\"=Value{Uint64(" : "\"bytes swept\"=Uint64(");
          PutUint(r.swept);
          Put(boxed ? ")} \"bytes reclaimed\"=Value{Uint64(" : ") \"bytes reclaimed\"=Uint64(");
          PutUint(r.reclaimed);
          Put(boxed ? ")}" : ")");
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
      const bool reason_last = t.version() >= 1026;  // Go 1.26 dropped Resource= and moved Reason= last
      if (!reason_last) {
        Put(" Resource=");
        PutResource(s.resource, s.id);
        Put(" Reason=");
        PutQuotedId(t, s.reason);
      }
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
      if (reason_last) {
        Put(" Reason=");
        PutQuotedId(t, s.reason);
      }
      if (s.has_stack) {
        Put("\nTransitionStack=\n");
        PutStack(t, s.stack);
      } else if (reason_last && ev.type == kEvGoStatusStack && ev.stack() != 0) {
        // Go 1.26 reports GoStatusStack's own stack as the transition stack too.
        Put("\nTransitionStack=\n");
        PutStack(t, ev.stack());
      }
      break;
    }
    case EventKind::kExperimental: {
      const Spec& sp = ev.experimental();
      Put(" Name=");
      Put(sp.name);
      if (t.version() >= 1025) {  // Go 1.25: Args=[name=Value{Uint64(v)}, ...]
        Put(" Args=[");
        for (int i = 0; i < sp.nargs; ++i) {
          if (i) Put(", ");
          Put(sp.arg_names[i]);
          Put("=Value{Uint64(");
          PutUint(ev.args[i]);
          Put(")}");
        }
        PutChar(']');
        break;
      }
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
    case EventKind::kSync: {
      if (t.version() < 1025) break;  // Go 1.22-1.24's Event.String prints nothing more
      Put(" N=");
      PutUint(ev.args[0]);
      if (ev.args[1] != 0 && t.has_clock_snapshot()) {
        const ClockSnapshot& c = t.clock_snapshot();
        Put(" Trace=");
        PutInt(c.trace);
        Put(" Mono=");
        PutUint(c.mono);
        Put(" Wall=");
        Put(WallClockText(c.sec, c.nsec, t.version() >= 1026));
      }
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

std::string WallClockText(uint64_t sec, uint64_t nsec, bool nanos) {
  // Go: time.Unix(int64(sec), int64(nsec)) in the local zone, formatted as RFC 3339.
  int64_t secs = static_cast<int64_t>(sec);
  int64_t ns = static_cast<int64_t>(nsec);
  secs += ns / 1000000000;
  ns %= 1000000000;
  if (ns < 0) {
    ns += 1000000000;
    --secs;
  }
  const time_t tt = static_cast<time_t>(secs);
  struct tm tm {};
  localtime_r(&tt, &tm);
  char buf[96];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out(buf, static_cast<size_t>(n));
  if (nanos && ns != 0) {
    std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(ns));
    std::string frac(buf);
    while (frac.back() == '0') frac.pop_back();
    out += frac;
  }
  const long off = tm.tm_gmtoff;
  if (off == 0) {
    out += 'Z';
  } else {
    const long a = off < 0 ? -off : off;
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
    out += buf;
  }
  return out;
}

void AppendEventText(const Event& ev, const Table& table, std::string& out) {
  EventFormatter f;
  f.Format(ev, table);
  out.append(f.text());
}

absl::Status DumpReader(Reader& reader, std::ostream& out) {
  // 64 KiB: large enough that writes cost nothing next to formatting, small enough that the buffer
  // (which grows by doubling past the flush size) stays ~128 KiB. At 1 MiB it grew to 2 MiB and its
  // reallocation held 3 MiB at once: a third of the whole process's peak RSS on a one-generation trace.
  constexpr size_t kFlush = 64 << 10;
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
