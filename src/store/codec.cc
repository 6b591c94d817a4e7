// store/codec.cc — zstd one-shot compression (see codec.h).
#include "store/codec.h"

#include <zstd.h>

namespace schedcast::store {

std::string Compress(std::string_view raw, int level) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
  // ZSTD_compress cannot fail with a ZSTD_compressBound-sized buffer and a valid level.
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

absl::StatusOr<std::string> Decompress(std::string_view compressed, std::string_view what, uint64_t max_size) {
  unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR) return absl::DataLossError(Cat(what, ": stored trace is not zstd data"));
  if (size == ZSTD_CONTENTSIZE_UNKNOWN) return absl::DataLossError(Cat(what, ": stored trace has no content size"));
  if (size > max_size) return absl::ResourceExhaustedError(Cat(what, ": stored trace is ", size, " bytes, over the limit"));
  std::string out(size, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(n)) return absl::DataLossError(Cat(what, ": corrupt stored trace: ", ZSTD_getErrorName(n)));
  if (n != size) return absl::DataLossError(Cat(what, ": stored trace decompressed to ", n, " of ", size, " bytes"));
  return out;
}

}  // namespace schedcast::store
