// gotrace/v2/source.h — random-access bytes of a trace file, from memory or from disk.
//
// The v2 reader needs the bytes of one generation at a time (batch headers, the string/stack
// tables, then each thread's event batches as its cursor reaches them), never the whole file at
// once. A ByteSource hands out byte ranges: the memory source returns views into a buffer the
// caller keeps alive; the file source reads with pread into caller-provided scratch, so a reader
// over a file holds only the current generation's tables plus one batch (<= 64 KiB) per thread.
// ReadAt(offset, n, scratch) requires offset + n <= size(); the returned view stays valid until
// `scratch` is reused. A source is not thread-safe unless noted; the file source's ReadAt is
// safe for concurrent use with distinct scratch buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace schedcast::gotrace::v2 {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  virtual absl::StatusOr<std::string_view> ReadAt(uint64_t offset, size_t n, std::string& scratch) const = 0;
};

// Views `data` (not copied; must outlive the source and every reader using it).
std::unique_ptr<ByteSource> MemorySource(std::string_view data);

// Opens `path` for reading with pread. Errors name the path.
absl::StatusOr<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path);

}  // namespace schedcast::gotrace::v2
