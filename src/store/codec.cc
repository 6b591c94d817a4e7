// store/codec.cc — zstd one-shot compression (see codec.h).
#include "store/codec.h"

#include <zstd.h>

#include <algorithm>
#include <memory>

namespace schedcast::store {

std::string Compress(std::string_view raw, int level) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
  // ZSTD_compress cannot fail with a ZSTD_compressBound-sized buffer and a valid level.
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

absl::StatusOr<std::string> Decompress(std::string_view compressed, std::string_view what, uint64_t max_size,
                                       uint64_t expected_size) {
  const unsigned long long declared = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return absl::DataLossError(Cat(what, ": stored trace is not zstd data"));
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN) {
    if (declared > max_size)
      return absl::DataLossError(Cat(what, ": stored trace declares ", declared, " bytes, over the limit of ", max_size));
    if (expected_size != kUnknownSize && declared != expected_size)
      return absl::DataLossError(
          Cat(what, ": stored trace declares ", declared, " bytes but the run records ", expected_size, " (corrupt blob)"));
  }
  // The most bytes this frame may produce: what it declares (or the store recorded), never over the limit.
  uint64_t cap = max_size;
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN) cap = std::min<uint64_t>(cap, declared);
  if (expected_size != kUnknownSize) cap = std::min(cap, expected_size);

  std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream*)> ds(ZSTD_createDStream(), ZSTD_freeDStream);
  if (!ds) return absl::ResourceExhaustedError(Cat(what, ": cannot allocate a zstd stream"));
  std::string out;
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  size_t ret = 1;
  while (true) {
    if (out.size() == cap) {
      // Full: anything more is past the cap. Probe with one spare byte.
      char probe;
      ZSTD_outBuffer o{&probe, 1, 0};
      ret = ZSTD_decompressStream(ds.get(), &o, &in);
      if (ZSTD_isError(ret)) return absl::DataLossError(Cat(what, ": corrupt stored trace: ", ZSTD_getErrorName(ret)));
      if (o.pos > 0)
        return absl::DataLossError(Cat(what, ": stored trace inflates past ", cap, " bytes (limit ", max_size,
                                       expected_size != kUnknownSize ? Cat(", recorded size ", expected_size) : "", ")"));
      if (ret == 0 || in.pos == in.size) break;
      continue;
    }
    const size_t old = out.size();
    const uint64_t step = std::min<uint64_t>(cap - old, std::max<uint64_t>(old, size_t{1} << 20));
    out.resize(old + step);
    ZSTD_outBuffer o{out.data() + old, step, 0};
    ret = ZSTD_decompressStream(ds.get(), &o, &in);
    out.resize(old + o.pos);
    if (ZSTD_isError(ret)) return absl::DataLossError(Cat(what, ": corrupt stored trace: ", ZSTD_getErrorName(ret)));
    if (ret == 0) break;                                    // frame complete
    if (in.pos == in.size && o.pos < step) break;           // input exhausted mid-frame
  }
  if (ret != 0) return absl::DataLossError(Cat(what, ": stored trace is truncated (", out.size(), " bytes inflated)"));
  if (in.pos != in.size) return absl::DataLossError(Cat(what, ": stored trace has ", in.size - in.pos, " bytes after its frame"));
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && out.size() != declared)
    return absl::DataLossError(Cat(what, ": stored trace decompressed to ", out.size(), " of ", declared, " bytes"));
  if (expected_size != kUnknownSize && out.size() != expected_size)
    return absl::DataLossError(Cat(what, ": stored trace decompressed to ", out.size(), " bytes, the run records ", expected_size));
  return out;
}

}  // namespace schedcast::store
