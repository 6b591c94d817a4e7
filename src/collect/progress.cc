// collect/progress.cc — progress bar / periodic lines (see progress.h).
#include "collect/progress.h"

#include <cstdio>

#include "common/strings.h"

namespace schedcast::collect {
namespace {

std::string Duration(double s) {
  if (s < 0 || s > 1e7) return "?";
  int t = static_cast<int>(s + 0.5);
  if (t >= 3600) return Cat(t / 3600, "h", (t % 3600) / 60, "m");
  if (t >= 60) return Cat(t / 60, "m", t % 60, "s");
  return Cat(t, "s");
}

}  // namespace

Progress::Progress(std::ostream& out, bool tty, std::chrono::milliseconds interval)
    : out_(out), tty_(tty), interval_(interval), start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::StartRuns() { start_ = last_ = std::chrono::steady_clock::now(); }

std::string Progress::Render(const ProgressCounts& c) const {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = elapsed > 0 ? c.runs_done / elapsed : 0;
  std::string s = Cat("programs ", c.programs_done, "/", c.programs_total, "  runs ", c.runs_done, "/", c.runs_total,
                      "  failures ", c.failures);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", rate);
  CatAppend(s, "  ", buf, " runs/s");
  if (c.runs_done > 0 && c.runs_done < c.runs_total) CatAppend(s, "  ETA ", Duration((c.runs_total - c.runs_done) / rate));
  CatAppend(s, "  elapsed ", Duration(elapsed));
  return s;
}

void Progress::Update(const ProgressCounts& c, bool force) {
  auto now = std::chrono::steady_clock::now();
  auto every = tty_ ? std::chrono::milliseconds(200) : interval_;
  if (!force && now - last_ < every) return;
  last_ = now;
  if (tty_) {
    int pct = c.runs_total ? static_cast<int>(100 * c.runs_done / c.runs_total) : 100;
    std::string bar(20, ' ');
    for (int i = 0; i < pct / 5; ++i) bar[i] = '#';
    out_ << "\r\033[K[" << bar << "] " << Render(c) << std::flush;
    bar_visible_ = true;
  } else {
    out_ << "schedcast: " << Render(c) << "\n" << std::flush;
  }
}

void Progress::Finish(const ProgressCounts& c) {
  if (tty_ && bar_visible_) out_ << "\r\033[K";
  bar_visible_ = false;
  out_ << "schedcast: done: " << Render(c) << "\n" << std::flush;
}

void Progress::Line(const std::string& message) {
  if (tty_ && bar_visible_) out_ << "\r\033[K";
  bar_visible_ = false;
  out_ << "schedcast: " << message << "\n" << std::flush;
}

}  // namespace schedcast::collect
