// export/perfetto.h — a run as Chrome trace-event JSON, loadable in the Perfetto UI (ui.perfetto.dev)
// and chrome://tracing.
//
// Layout: one process ("pid" 1, named after the program) with one track ("tid" = raw goroutine id)
// per goroutine, named by its canonical id and start function ("T.0 pkg.TestX.func1"). On each track
// the goroutine's life is a sequence of non-overlapping complete slices ("ph":"X"): `running`,
// `runnable`, `blocked (recv)`, `syscall`. Flows ("ph":"s" → "ph":"f", "bp":"e") link the creator's
// running slice to the new goroutine's first slice (category "create"), and the waker's running slice
// to the woken goroutine's runnable slice (category "unblock"; wake-ups by the runtime — no running
// goroutine — have no flow). Non-blocking syscall entries are instant events. Timestamps are
// microseconds from the first event. Slices still open at the end of the trace are closed at the last
// timestamp with args.open_at_end = true.
// Thread-safe (pure function of its inputs).
#pragma once

#include <string>

#include "nlohmann/json.hpp"
#include "sched/canon.h"
#include "sched/timeline.h"

namespace schedcast::exporter {

struct PerfettoOptions {
  std::string title = "schedcast run";  // the process name shown in the UI
  bool include_runtime = true;          // tracks for runtime/testing goroutines (rt:…) too
};

// {"traceEvents": [...], "displayTimeUnit": "ns", "otherData": {...}}.
nlohmann::json ToChromeTrace(const sched::Timeline& t, const sched::Canonicalization& canon,
                             const PerfettoOptions& opt);

}  // namespace schedcast::exporter
