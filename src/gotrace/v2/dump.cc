// Dump and ComputeStats for new-format traces (contract in gotrace/v2/dump.h).
#include "gotrace/v2/dump.h"

#include <limits>
#include <unordered_set>

#include "gotrace/format.h"
#include "gotrace/v2/reader.h"
#include "gotrace/v2/text.h"

namespace schedcast::gotrace::v2 {

absl::Status Dump(std::string_view data, std::ostream& out) {
  SC_ASSIGN_OR_RETURN(std::unique_ptr<Reader> r, Reader::FromBytes(data));
  return DumpReader(*r, out);
}

absl::StatusOr<TraceStats> ComputeStats(std::string_view data) {
  SC_ASSIGN_OR_RETURN(std::unique_ptr<Reader> r, Reader::FromBytes(data));
  TraceStats s;
  s.version = r->version();
  s.format = "v2";
  s.bytes = data.size();
  std::unordered_set<int64_t> gs, ps;
  uint64_t counts[kNumEventKinds] = {};
  uint64_t go_transitions = 0, proc_transitions = 0;
  s.min_ts = std::numeric_limits<int64_t>::max();
  s.max_ts = std::numeric_limits<int64_t>::min();
  uint64_t last_gen_counted = 0;
  bool counted_any = false;
  Event ev;
  for (;;) {
    SC_ASSIGN_OR_RETURN(bool more, r->Next(&ev));
    if (!more) break;
    if (!counted_any || r->generation() != last_gen_counted || r->generations_read() != s.generations) {
      // First event of a newly loaded generation: count its tables once.
      counted_any = true;
      last_gen_counted = r->generation();
      s.generations = r->generations_read();
      s.stacks += r->table().num_stacks();
      s.strings += r->table().num_strings();
    }
    ++s.events;
    if (ev.time < s.min_ts) s.min_ts = ev.time;
    if (ev.time > s.max_ts) s.max_ts = ev.time;
    if (ev.kind == EventKind::kStateTransition) {
      const StateTransition t = ev.transition();
      if (t.resource == ResourceKind::kGoroutine) {
        ++go_transitions;
        if (t.id != kNoGoroutine) gs.insert(t.id);
      } else {
        ++proc_transitions;
        if (t.id != kNoProc) ps.insert(t.id);
      }
    } else {
      ++counts[static_cast<int>(ev.kind)];
    }
    if (ev.g != kNoGoroutine) gs.insert(ev.g);
    if (ev.p != kNoProc) ps.insert(ev.p);
  }
  for (int k = 0; k < kNumEventKinds; ++k)
    if (counts[k]) s.events_by_type[std::string(EventKindName(static_cast<EventKind>(k)))] = counts[k];
  if (go_transitions) s.events_by_type["StateTransition(Goroutine)"] = go_transitions;
  if (proc_transitions) s.events_by_type["StateTransition(Proc)"] = proc_transitions;
  s.goroutines = gs.size();
  s.procs = ps.size();
  if (s.events == 0) s.min_ts = s.max_ts = 0;
  return s;
}

}  // namespace schedcast::gotrace::v2
