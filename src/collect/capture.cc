// collect/capture.cc — head + tail ring capture (see capture.h).
#include "collect/capture.h"

#include "common/strings.h"

namespace schedcast::collect {

void CappedCapture::Append(std::string_view data) {
  total_ += data.size();
  if (head_.size() < head_cap_) {
    size_t n = std::min(data.size(), head_cap_ - head_.size());
    head_.append(data.substr(0, n));
    data.remove_prefix(n);
  }
  if (data.empty() || tail_cap_ == 0) return;
  if (data.size() >= tail_cap_) {  // only the last tail_cap_ bytes can survive
    ring_.assign(data.substr(data.size() - tail_cap_));
    ring_pos_ = 0;
    tail_size_ = tail_cap_;
    return;
  }
  if (ring_.size() < tail_cap_) {  // still filling
    size_t n = std::min(data.size(), tail_cap_ - ring_.size());
    ring_.append(data.substr(0, n));
    data.remove_prefix(n);
    tail_size_ = ring_.size();
    ring_pos_ = 0;
  }
  while (!data.empty()) {  // overwrite the oldest bytes
    size_t n = std::min(data.size(), tail_cap_ - ring_pos_);
    ring_.replace(ring_pos_, n, data.substr(0, n));
    ring_pos_ = (ring_pos_ + n) % tail_cap_;
    data.remove_prefix(n);
  }
}

std::string CappedCapture::Tail() const {
  if (ring_.size() < tail_cap_ || ring_pos_ == 0) return ring_;
  return ring_.substr(ring_pos_) + ring_.substr(0, ring_pos_);
}

std::string CappedCapture::Text() const {
  uint64_t kept = head_.size() + tail_size_;
  if (total_ <= kept) return head_ + Tail();
  return Cat(head_, "\n[schedcast: ", total_ - kept, " bytes omitted]\n", Tail());
}

bool CappedCapture::Contains(std::string_view needle) const {
  return head_.find(needle) != std::string::npos || Tail().find(needle) != std::string::npos;
}

}  // namespace schedcast::collect
