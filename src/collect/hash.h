// collect/hash.h — stable 64-bit hashes (FNV-1a, SplitMix64) for source hashes, shards and seeds.
//
// Contract: results depend only on the input bytes — identical on every machine, compiler and run
// (unlike std::hash), so shard membership and run seeds are reproducible. Thread-safe (pure).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace schedcast::collect {

class Fnv1a64 {
 public:
  Fnv1a64& Add(std::string_view bytes) {
    for (unsigned char c : bytes) h_ = (h_ ^ c) * 0x100000001b3ULL;
    return *this;
  }
  // Adds a length prefix too, so ("ab","c") and ("a","bc") differ.
  Fnv1a64& AddField(std::string_view bytes) {
    uint64_t n = bytes.size();
    Add(std::string_view(reinterpret_cast<const char*>(&n), sizeof n));
    return Add(bytes);
  }
  uint64_t value() const { return h_; }
  std::string hex() const {
    static const char* d = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 0; i < 16; ++i) s[15 - i] = d[(h_ >> (4 * i)) & 15];
    return s;
  }

 private:
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

inline uint64_t Fnv(std::string_view s) { return Fnv1a64().Add(s).value(); }

// SplitMix64 finaliser: a good mix of one 64-bit value.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace schedcast::collect
