// collect/capture.h — a bounded capture of a stream: the first and the last bytes of it.
//
// Contract: Append() may be called with any amount of data; memory stays below head + tail
// bytes. Text() returns the head, then (if anything was cut) a line
// "[schedcast: N bytes omitted]", then the tail. total() counts every byte seen. So a program
// printing gigabytes is cut, never stored whole, and never makes us use more memory.
// Thread-safety: thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace schedcast::collect {

class CappedCapture {
 public:
  explicit CappedCapture(size_t head = 32 << 10, size_t tail = 32 << 10) : head_cap_(head), tail_cap_(tail) {}

  void Append(std::string_view data);
  std::string Text() const;
  uint64_t total() const { return total_; }
  bool cut() const { return total_ > head_.size() + tail_size_; }
  // True if `needle` occurs in the kept head or tail (not across the cut).
  bool Contains(std::string_view needle) const;

 private:
  std::string Tail() const;  // the ring buffer in order
  size_t head_cap_, tail_cap_;
  std::string head_;
  std::string ring_;       // tail ring buffer, capacity tail_cap_
  size_t ring_pos_ = 0;    // next write position once the ring is full
  size_t tail_size_ = 0;   // bytes currently in the ring
  uint64_t total_ = 0;
};

}  // namespace schedcast::collect
