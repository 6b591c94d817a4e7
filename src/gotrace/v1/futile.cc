#include "gotrace/v1/futile.h"

#include "gotrace/v1/flat_map.h"

namespace schedcast::gotrace::v1::internal {

std::vector<uint32_t> RemoveFutileWakeups(const std::vector<Event>& events, std::vector<uint32_t> order) {
  struct Episode {
    bool futile = false;
    std::vector<uint32_t> wakeup;  // positions in `order` of the episode's events so far
  };
  // Fast path: nothing to remove without a FutileWakeup event.
  bool any = false;
  for (uint32_t i : order) {
    if (events[i].type == kEvFutileWakeup) {
      any = true;
      break;
    }
  }
  if (!any) return order;

  FlatMap<Episode> gs;
  std::vector<uint8_t> drop(order.size());
  for (uint32_t pos = 0; pos < order.size(); ++pos) {
    const Event& e = events[order[pos]];
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
  for (size_t pos = 0; pos < order.size(); ++pos)
    if (!drop[pos]) order[n++] = order[pos];
  order.resize(n);
  return order;
}

}  // namespace schedcast::gotrace::v1::internal
