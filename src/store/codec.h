// store/codec.h — zstd compression of trace bytes for the traces table.
//
// Contract: Decompress(Compress(x)) == x. Decompress rejects data that is not one complete zstd
// frame or whose declared size exceeds `max_size`, naming `what` (e.g. "run 17") in the error.
// Thread-safe (no shared state; each call uses its own zstd context).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace schedcast::store {

std::string Compress(std::string_view raw, int level = 3);
absl::StatusOr<std::string> Decompress(std::string_view compressed, std::string_view what,
                                       uint64_t max_size = uint64_t{4} << 30);

}  // namespace schedcast::store
