// Implementation of gotrace/v1/futile.h (see the contract there).
#include "gotrace/v1/futile.h"

#include "gotrace/v1/flat_map.h"

namespace schedcast::gotrace::v1::internal {

void RemoveFutileWakeups(std::vector<Event>& events) {
  struct Episode {
    bool futile = false;
    std::vector<uint32_t> wakeup;  // positions of the episode's events so far
  };
  // Fast path: nothing to remove without a FutileWakeup event.
  bool any = false;
  for (const Event& e : events) {
    if (e.type == kEvFutileWakeup) {
      any = true;
      break;
    }
  }
  if (!any) return;

  FlatMap<Episode> gs;
  std::vector<uint8_t> drop(events.size());
  for (uint32_t pos = 0; pos < events.size(); ++pos) {
    const Event& e = events[pos];
    switch (e.type) {
      case kEvGoUnblock: {
        Episode& ep = gs[e.args[0]];
        ep.wakeup.assign(1, pos);
        break;
      }
      case kEvGoStart: case kEvGoPreempt: case kEvFutileWakeup: {
        Episode& ep = gs[e.g];
        ep.wakeup.push_back(pos);
        if (e.type == kEvFutileWakeup) ep.futile = true;
        break;
      }
      case kEvGoBlock: case kEvGoBlockSend: case kEvGoBlockRecv: case kEvGoBlockSelect: case kEvGoBlockSync:
      case kEvGoBlockCond: {
        if (Episode* ep = gs.Find(e.g); ep && ep->futile) {
          drop[pos] = 1;
          for (uint32_t w : ep->wakeup) drop[w] = 1;
        }
        gs.Erase(e.g);
        break;
      }
      default:
        break;
    }
  }
  size_t n = 0;
  for (size_t pos = 0; pos < events.size(); ++pos)
    if (!drop[pos]) events[n++] = events[pos];
  events.resize(n);
}

}  // namespace schedcast::gotrace::v1::internal
