// gotrace/v1/flat_map.h — a small open-addressing hash map from 64-bit integer keys to values.
//
// The v1 parser keys its per-goroutine and per-P state by ids read from the trace (any 64-bit
// value, 0 and ~0 included). std::unordered_map allocates a node per entry; this map keeps entries
// in one array (linear probing, backward-shift deletion) so lookups touch one cache line.
// Contract: V must be default-constructible and movable; pointers returned by Find/Get are
// invalidated by the next insertion or erase. Memory grows with the number of distinct keys,
// which the parser bounds by the number of events read. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace schedcast::gotrace::v1 {

template <typename V>
class FlatMap {
 public:
  FlatMap() { Rehash(16); }

  size_t size() const { return size_; }

  V* Find(uint64_t key) {
    size_t i = Home(key);
    while (used_[i]) {
      if (keys_[i] == key) return &vals_[i];
      i = (i + 1) & mask_;
    }
    return nullptr;
  }
  const V* Find(uint64_t key) const { return const_cast<FlatMap*>(this)->Find(key); }

  bool Contains(uint64_t key) const { return Find(key) != nullptr; }

  // The value for `key`, or a default-constructed V if absent (the map is unchanged).
  V GetOr(uint64_t key) const {
    const V* v = Find(key);
    return v ? *v : V{};
  }

  // The value for `key`, inserting a default-constructed one if absent.
  V& operator[](uint64_t key) {
    if ((size_ + 1) * 4 > capacity() * 3) Rehash(capacity() * 2);
    size_t i = Home(key);
    while (used_[i]) {
      if (keys_[i] == key) return vals_[i];
      i = (i + 1) & mask_;
    }
    used_[i] = 1;
    keys_[i] = key;
    vals_[i] = V{};
    ++size_;
    return vals_[i];
  }

  bool Erase(uint64_t key) {
    size_t i = Home(key);
    while (used_[i]) {
      if (keys_[i] == key) break;
      i = (i + 1) & mask_;
    }
    if (!used_[i]) return false;
    // Backward-shift: pull later entries of the probe run into the hole so lookups never stop early.
    size_t hole = i;
    for (size_t j = (hole + 1) & mask_; used_[j]; j = (j + 1) & mask_) {
      const size_t home = Home(keys_[j]);
      // Entry j may move to `hole` iff its home is not in the cyclic range (hole, j].
      const bool home_in_range = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!home_in_range) {
        keys_[hole] = keys_[j];
        vals_[hole] = std::move(vals_[j]);
        hole = j;
      }
    }
    used_[hole] = 0;
    vals_[hole] = V{};
    --size_;
    return true;
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (size_t i = 0; i < keys_.size(); ++i)
      if (used_[i]) f(keys_[i], vals_[i]);
  }

 private:
  size_t capacity() const { return keys_.size(); }
  size_t Home(uint64_t key) const {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ULL;
    key ^= key >> 33;
    return static_cast<size_t>(key) & mask_;
  }
  void Rehash(size_t cap) {
    std::vector<uint64_t> keys(cap);
    std::vector<V> vals(cap);
    std::vector<uint8_t> used(cap);
    keys.swap(keys_);
    vals.swap(vals_);
    used.swap(used_);
    mask_ = cap - 1;
    size_ = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!used[i]) continue;
      size_t j = Home(keys[i]);
      while (used_[j]) j = (j + 1) & mask_;
      used_[j] = 1;
      keys_[j] = keys[i];
      vals_[j] = std::move(vals[i]);
      ++size_;
    }
  }

  std::vector<uint64_t> keys_;
  std::vector<V> vals_;
  std::vector<uint8_t> used_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace schedcast::gotrace::v1
