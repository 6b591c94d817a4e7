// gotrace/format.h — which trace format a file is in.
//
// Every Go execution trace starts with a 16-byte header "go 1.NN trace\0\0\0". Versions up to 1.21
// use the old (v1) format parsed by gotrace/v1; 1.22 and later the generation-based (v2) format
// parsed by gotrace/v2. Thread-safe (pure functions).
#pragma once

#include <string_view>

#include "common/status.h"

namespace schedcast::gotrace {

enum class Format { kV1, kV2 };

struct Header {
  int version = 0;  // 1000 + minor, e.g. 1019 for "go 1.19 trace"; Go's own convention
  Format format = Format::kV1;
};

inline constexpr size_t kHeaderSize = 16;

// Parses the 16-byte header. Unknown or unsupported versions are errors naming the version.
absl::StatusOr<Header> ParseHeader(std::string_view data);

}  // namespace schedcast::gotrace
