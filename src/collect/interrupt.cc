// collect/interrupt.cc — SIGINT/SIGTERM to an atomic flag (see interrupt.h).
#include "collect/interrupt.h"

#include <signal.h>

namespace schedcast::collect {
namespace {

std::atomic<bool> g_requested{false};
std::atomic<int> g_signal{0};
struct sigaction g_old_int, g_old_term;

void OnSignal(int sig) {
  g_signal.store(sig);
  g_requested.store(true);
}

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "signal handler needs lock-free atomics");

}  // namespace

InterruptScope::InterruptScope() {
  g_requested = false;
  g_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

InterruptScope::~InterruptScope() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

const std::atomic<bool>& InterruptScope::Requested() { return g_requested; }
int InterruptScope::Signal() { return g_signal.load(); }

}  // namespace schedcast::collect
