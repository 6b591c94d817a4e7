// collect/parallel.h — a fixed pool of worker threads over an indexed task list, with results
// handed to the calling thread.
//
// Contract: RunParallel(n, jobs, stop, work, consume, tick) calls work(i) for i in [0, n) on `jobs`
// threads (tasks are taken in index order) and consume(i, result) on the calling thread, one at
// a time, in completion order; tick() is called on the calling thread about every 100 ms (progress,
// interrupt polling). Workers take no new task once `stop` is true; tasks already running finish
// (their work function should watch `stop` itself). If consume returns an error, `stop` is set,
// the remaining results are still consumed, and the first error is returned after all workers
// have joined. Thread-safety: `work` runs concurrently and must be thread-safe; consume and tick
// never run concurrently with each other.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"

namespace schedcast::collect {

template <typename R>
absl::Status RunParallel(size_t n, int jobs, std::atomic<bool>& stop, const std::function<R(size_t)>& work,
                         const std::function<absl::Status(size_t, R&)>& consume, const std::function<void()>& tick) {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<size_t, R>> done;
  std::atomic<size_t> next{0};
  int live = 0;
  std::vector<std::thread> threads;
  int workers = static_cast<int>(std::min<size_t>(std::max(1, jobs), std::max<size_t>(n, 1)));
  live = workers;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        size_t i = next.fetch_add(1);
        if (i >= n) break;
        R r = work(i);
        std::lock_guard<std::mutex> lock(mu);
        done.emplace_back(i, std::move(r));
        cv.notify_one();
      }
      std::lock_guard<std::mutex> lock(mu);
      --live;
      cv.notify_one();
    });
  }
  absl::Status first_error;
  while (true) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return !done.empty() || live == 0; });
    std::deque<std::pair<size_t, R>> batch;
    batch.swap(done);
    bool finished = live == 0;
    lock.unlock();
    for (auto& [i, r] : batch) {
      absl::Status s = consume(i, r);
      if (!s.ok() && first_error.ok()) {
        first_error = s;
        stop.store(true);
      }
    }
    tick();
    if (finished && batch.empty()) break;
  }
  for (auto& t : threads) t.join();
  return first_error;
}

}  // namespace schedcast::collect
