// Implementation of gotrace/v1/postprocess.h (see the contract there).
#include "gotrace/v1/postprocess.h"

#include "gotrace/v1/flat_map.h"

namespace schedcast::gotrace::v1::internal {
namespace {

enum GStatus : uint8_t { kGDead = 0, kGRunnable, kGRunning, kGWaiting };

struct GDesc {
  uint8_t state = kGDead;
  uint32_t ev = kNoEvent;           // last event that a later one links to (block, unblock, ...)
  uint32_t ev_start = kNoEvent;     // the GoStart of the current run
  uint32_t ev_create = kNoEvent;    // the GoCreate, until the first GoStart
  uint32_t ev_assist = kNoEvent;    // open mark assist
};

struct PDesc {
  bool running = false;
  uint64_t g = 0;
  uint32_t ev_stw = kNoEvent;    // open STW (per P before 1.10)
  uint32_t ev_sweep = kNoEvent;  // open sweep
};

// P states: real Ps are small non-negative numbers, so most live in a dense array.
class PTable {
 public:
  PDesc Get(int64_t p) const {
    if (p >= 0 && p < kDense) return dense_[p];
    return sparse_.GetOr(static_cast<uint64_t>(p));
  }
  void Set(int64_t p, const PDesc& d) {
    if (p >= 0 && p < kDense) {
      dense_[p] = d;
    } else {
      sparse_[static_cast<uint64_t>(p)] = d;
    }
  }

 private:
  static constexpr int64_t kDense = 256;
  std::vector<PDesc> dense_ = std::vector<PDesc>(kDense);
  FlatMap<PDesc> sparse_;
};

}  // namespace

absl::Status LinkAndCheck(int version, std::vector<Event>& events,
                          const std::function<std::string_view(const Event&)>& region_name) {
  FlatMap<GDesc> gs;
  PTable ps;
  FlatMap<uint32_t> tasks;                       // task id -> UserTaskCreate
  FlatMap<std::vector<uint32_t>> regions;        // goroutine -> stack of open UserRegion starts
  gs[0].state = kGRunning;
  for (Event& e : events) e.link = kNoEvent;
  uint32_t ev_gc = kNoEvent, ev_stw = kNoEvent;

  for (uint32_t i = 0; i < events.size(); ++i) {
    Event& ev = events[i];
    const std::string_view name = EventTypeName(ev.type, version);
    auto fail = [&](std::string_view what) {
      return DataErrorAt(ev.off, Cat(what, " (", name, " at time ", ev.ts, ")"));
    };
    GDesc g = gs.GetOr(ev.g);
    PDesc p = ps.Get(ev.p);
    auto check_running = [&](bool allow_g0) -> absl::Status {
      if (g.state != kGRunning) return fail(Cat("g ", ev.g, " is not running"));
      if (p.g != ev.g) return fail(Cat("p ", static_cast<int>(ev.p), " is not running g ", ev.g));
      if (!allow_g0 && ev.g == 0) return fail("g 0 did a goroutine event");
      return absl::OkStatus();
    };
    // Ends the current run of g at this event (Go dereferences the start unconditionally).
    auto end_run = [&]() -> absl::Status {
      if (g.ev_start == kNoEvent) return fail(Cat("g ", ev.g, " has no start event"));
      events[g.ev_start].link = i;
      g.ev_start = kNoEvent;
      return absl::OkStatus();
    };

    switch (ev.type) {
      case kEvProcStart:
        if (p.running) return fail(Cat("p ", static_cast<int>(ev.p), " is running before start"));
        p.running = true;
        break;
      case kEvProcStop:
        if (!p.running) return fail(Cat("p ", static_cast<int>(ev.p), " is not running before stop"));
        if (p.g != 0) return fail(Cat("p ", static_cast<int>(ev.p), " is running goroutine ", p.g, " during stop"));
        p.running = false;
        break;
      case kEvGCStart:
        if (ev_gc != kNoEvent) return fail("previous GC is not ended before a new one");
        ev_gc = i;
        ev.p = static_cast<int32_t>(kGCP);
        break;
      case kEvGCDone:
        if (ev_gc == kNoEvent) return fail("GC end without a start");
        events[ev_gc].link = i;
        ev_gc = kNoEvent;
        break;
      case kEvSTWStart: {
        uint32_t& open = version < 1010 ? p.ev_stw : ev_stw;
        if (open != kNoEvent) return fail("previous STW is not ended before a new one");
        open = i;
        break;
      }
      case kEvSTWDone: {
        uint32_t& open = version < 1010 ? p.ev_stw : ev_stw;
        if (open == kNoEvent) return fail("STW end without a start");
        events[open].link = i;
        open = kNoEvent;
        break;
      }
      case kEvGCSweepStart:
        if (p.ev_sweep != kNoEvent) return fail("previous sweep is not ended before a new one");
        p.ev_sweep = i;
        break;
      case kEvGCSweepDone:
        if (p.ev_sweep == kNoEvent) return fail("sweep end without a start");
        events[p.ev_sweep].link = i;
        p.ev_sweep = kNoEvent;
        break;
      case kEvGCMarkAssistStart:
        if (g.ev_assist != kNoEvent) return fail("previous mark assist is not ended before a new one");
        g.ev_assist = i;
        break;
      case kEvGCMarkAssistDone:
        // An assist may already be running when tracing starts: no start is fine.
        if (g.ev_assist != kNoEvent) {
          events[g.ev_assist].link = i;
          g.ev_assist = kNoEvent;
        }
        break;
      case kEvGoWaiting: case kEvGoInSyscall:
        if (g.state != kGRunnable) return fail(Cat("g ", ev.g, " is not runnable"));
        g.state = kGWaiting;
        g.ev = i;
        break;
      case kEvGoCreate: {
        SC_RETURN_IF_ERROR(check_running(true));
        if (gs.Contains(ev.args[0])) return fail(Cat("g ", ev.args[0], " already exists"));
        GDesc& child = gs[ev.args[0]];
        child = GDesc{};
        child.state = kGRunnable;
        child.ev = i;
        child.ev_create = i;
        break;
      }
      case kEvGoStart: case kEvGoStartLabel:
        if (g.state != kGRunnable) return fail(Cat("g ", ev.g, " is not runnable before start"));
        if (p.g != 0) return fail(Cat("p ", static_cast<int>(ev.p), " is already running g ", p.g, " while starting g ", ev.g));
        g.state = kGRunning;
        g.ev_start = i;
        p.g = ev.g;
        if (g.ev_create != kNoEvent) {
          if (version >= 1007) {
            const uint64_t id = events[g.ev_create].args[1];
            ev.stack_id = id < kUnrepresentableStack ? static_cast<uint32_t>(id) : kUnrepresentableStack;
          }
          g.ev_create = kNoEvent;
        }
        if (g.ev != kNoEvent) {
          events[g.ev].link = i;
          g.ev = kNoEvent;
        }
        break;
      case kEvGoEnd: case kEvGoStop:
        SC_RETURN_IF_ERROR(check_running(false));
        SC_RETURN_IF_ERROR(end_run());
        g.state = kGDead;
        p.g = 0;
        if (ev.type == kEvGoEnd) {  // close the regions left open
          if (std::vector<uint32_t>* open = regions.Find(ev.g)) {
            for (uint32_t s : *open) events[s].link = i;
            regions.Erase(ev.g);
          }
        }
        break;
      case kEvGoSched: case kEvGoPreempt:
        SC_RETURN_IF_ERROR(check_running(false));
        g.state = kGRunnable;
        SC_RETURN_IF_ERROR(end_run());
        p.g = 0;
        g.ev = i;
        break;
      case kEvGoUnblock: {
        if (g.state != kGRunning) return fail(Cat("g ", ev.g, " is not running while unblocking"));
        if (ev.p != kTimerP && p.g != ev.g) return fail(Cat("p ", static_cast<int>(ev.p), " is not running g ", ev.g, " while unblocking"));
        GDesc woken = gs.GetOr(ev.args[0]);
        if (woken.state != kGWaiting) return fail(Cat("g ", ev.args[0], " is not waiting before unblock"));
        if (woken.ev != kNoEvent && events[woken.ev].type == kEvGoBlockNet && ev.p != kTimerP) ev.p = static_cast<int32_t>(kNetpollP);
        if (woken.ev != kNoEvent) events[woken.ev].link = i;
        woken.state = kGRunnable;
        woken.ev = i;
        gs[ev.args[0]] = woken;
        break;
      }
      case kEvGoSysCall:
        SC_RETURN_IF_ERROR(check_running(false));
        g.ev = i;
        break;
      case kEvGoSysBlock:
        SC_RETURN_IF_ERROR(check_running(false));
        g.state = kGWaiting;
        SC_RETURN_IF_ERROR(end_run());
        p.g = 0;
        break;
      case kEvGoSysExit:
        if (g.state != kGWaiting) return fail(Cat("g ", ev.g, " is not waiting during syscall exit"));
        if (g.ev != kNoEvent && events[g.ev].type == kEvGoSysCall) events[g.ev].link = i;
        g.state = kGRunnable;
        g.ev = i;
        break;
      case kEvGoSleep: case kEvGoBlock: case kEvGoBlockSend: case kEvGoBlockRecv: case kEvGoBlockSelect:
      case kEvGoBlockSync: case kEvGoBlockCond: case kEvGoBlockNet: case kEvGoBlockGC:
        SC_RETURN_IF_ERROR(check_running(false));
        g.state = kGWaiting;
        g.ev = i;
        SC_RETURN_IF_ERROR(end_run());
        p.g = 0;
        break;
      case kEvUserTaskCreate:
        if (tasks.Contains(ev.args[0])) return fail(Cat("task id ", ev.args[0], " is created twice"));
        tasks[ev.args[0]] = i;
        break;
      case kEvUserTaskEnd:
        if (uint32_t* create = tasks.Find(ev.args[0])) {
          events[*create].link = i;
          tasks.Erase(ev.args[0]);
        }
        break;
      case kEvUserRegion: {
        const uint64_t mode = ev.args[1];
        if (mode == 0) {
          regions[ev.g].push_back(i);
        } else if (mode == 1) {
          std::vector<uint32_t>* open = regions.Find(ev.g);
          if (open && !open->empty()) {
            Event& start = events[open->back()];
            if (start.args[0] != ev.args[0] || region_name(start) != region_name(ev)) {
              return fail(Cat("region end in goroutine ", ev.g, " does not match the innermost open region"));
            }
            start.link = i;
            open->pop_back();
            if (open->empty()) regions.Erase(ev.g);
          }
        } else {
          return fail(Cat("invalid user region mode ", mode));
        }
        break;
      }
      default:
        break;
    }
    gs[ev.g] = g;
    ps.Set(ev.p, p);
  }
  return absl::OkStatus();
}

}  // namespace schedcast::gotrace::v1::internal
