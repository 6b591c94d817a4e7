// store/codec.h — zstd compression of trace bytes for the traces table.
//
// Contract: Decompress(Compress(x)) == x. Decompress rejects data that is not one complete zstd
// frame, whose declared size exceeds `max_size` or differs from `expected_size` (the size the store
// recorded, when known), or that inflates past either — all before allocating more than the limit:
// it streams into a buffer grown in steps, so a small blob that inflates to gigabytes (a
// decompression bomb) fails fast in bounded memory. Errors name `what` (e.g. "run 17").
// Thread-safe (no shared state; each call uses its own zstd context).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace schedcast::store {

// The largest trace the store accepts or inflates (the collector keeps traces up to 1 GiB).
inline constexpr uint64_t kMaxTraceSize = uint64_t{1} << 30;
inline constexpr uint64_t kUnknownSize = ~uint64_t{0};

std::string Compress(std::string_view raw, int level = 3);
absl::StatusOr<std::string> Decompress(std::string_view compressed, std::string_view what,
                                       uint64_t max_size = kMaxTraceSize, uint64_t expected_size = kUnknownSize);

}  // namespace schedcast::store
