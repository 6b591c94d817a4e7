// common/hash.h — schedcast's one stable 64-bit hash (FNV-1a) and a 64-bit mixer (SplitMix64).
//
// Used for source hashes, shards and run seeds (collect/), the training-data hash (model/io.h),
// feature hashing (model/), prompt cache keys (llm/), prefix keys (dist/key.h) and splits
// (data/split.h). Results depend only on the input bytes — identical on every machine, compiler and
// run (unlike std::hash) — so stores, seeds, splits and model files stay reproducible. Three ways
// of adding bytes exist because stored values were made with each; none may change:
//   Add       the bytes as they are;
//   AddField  an 8-byte length prefix, then the bytes (("ab","c") and ("a","bc") differ);
//   AddToken  the bytes, then a 0xff separator byte;
//   AddU64    8 bytes, least significant first.
// kLegacyBasis (one digit short of FNV's offset basis) is the start value the dataset splits and
// the prefix keys have always used; kept so that they stay byte-identical.
// Thread-safe (value type, pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace schedcast {

inline constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnvPrime = 0x100000001b3ULL;
inline constexpr uint64_t kLegacyBasis = 1469598103934665603ULL;

class Fnv1a64 {
 public:
  constexpr explicit Fnv1a64(uint64_t state = kFnvOffsetBasis) : h_(state) {}
  Fnv1a64& Add(std::string_view bytes) {
    for (unsigned char c : bytes) h_ = (h_ ^ c) * kFnvPrime;
    return *this;
  }
  Fnv1a64& AddField(std::string_view bytes) {
    uint64_t n = bytes.size();
    Add(std::string_view(reinterpret_cast<const char*>(&n), sizeof n));
    return Add(bytes);
  }
  Fnv1a64& AddToken(std::string_view bytes) {
    Add(bytes);
    h_ = (h_ ^ 0xff) * kFnvPrime;
    return *this;
  }
  Fnv1a64& AddU64(uint64_t v) {
    for (int i = 0; i < 8; ++i, v >>= 8) h_ = (h_ ^ (v & 0xff)) * kFnvPrime;
    return *this;
  }
  uint64_t value() const { return h_; }
  std::string hex() const {
    static const char* d = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 0; i < 16; ++i) s[15 - i] = d[(h_ >> (4 * i)) & 15];
    return s;
  }

 private:
  uint64_t h_;
};

inline uint64_t Fnv(std::string_view s) { return Fnv1a64().Add(s).value(); }

// SplitMix64 finaliser: a good mix of one 64-bit value.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace schedcast
