// collect/progress.h — the collector's progress display on stderr.
//
// Contract: on a terminal (isatty) Update() redraws one line in place at most every 200 ms:
// "programs 3/12  runs 40/120  failures 5  2.1 runs/s  ETA 38s"; otherwise it prints the same as
// a plain line at most every `interval` (default 10 s), so logs stay short. Finish() prints the
// final line. Line() prints a message without garbling the bar.
// Thread-safety: not thread-safe; call from the collector's main thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace schedcast::collect {

struct ProgressCounts {
  int64_t programs_total = 0, programs_done = 0;
  int64_t runs_total = 0, runs_done = 0, failures = 0;
};

class Progress {
 public:
  Progress(std::ostream& out, bool tty, std::chrono::milliseconds interval = std::chrono::seconds(10));
  void Update(const ProgressCounts& c, bool force = false);
  void Finish(const ProgressCounts& c);
  void Line(const std::string& message);
  // Restart the runs/s clock (call when the run phase begins).
  void StartRuns();

 private:
  std::string Render(const ProgressCounts& c) const;
  std::ostream& out_;
  bool tty_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point start_, last_;
  bool bar_visible_ = false;
};

}  // namespace schedcast::collect
