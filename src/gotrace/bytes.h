// gotrace/bytes.h — bounds-checked little reader over a trace's bytes.
//
// Both trace formats are sequences of bytes and unsigned LEB128 varints. Every read checks bounds and
// reports the absolute byte offset of the failure, so parse errors can name the exact place.
// A varint longer than 10 bytes or overflowing 64 bits is an error, never undefined behaviour.
// Not thread-safe (a cursor); cheap to copy.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace schedcast::gotrace {

class ByteReader {
 public:
  // `base` is the absolute offset of data[0] within the file (for error messages).
  explicit ByteReader(std::string_view data, uint64_t base = 0) : data_(data), base_(base) {}

  uint64_t offset() const { return base_ + pos_; }  // absolute offset of the next byte
  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool done() const { return pos_ >= data_.size(); }

  absl::StatusOr<uint8_t> Byte() {
    if (pos_ >= data_.size()) return DataErrorAt(offset(), "unexpected end of trace reading a byte");
    return static_cast<uint8_t>(data_[pos_++]);
  }

  absl::StatusOr<uint64_t> Uvarint() {
    uint64_t v = 0;
    const uint64_t start = offset();
    for (unsigned shift = 0, i = 0;; shift += 7, ++i) {
      if (pos_ >= data_.size()) return DataErrorAt(start, "unexpected end of trace inside a varint");
      const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      if (i == 9 && b > 1) return DataErrorAt(start, "varint overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
      if (i == 9) return DataErrorAt(start, "varint longer than 10 bytes");
    }
  }

  // Returns the next `n` bytes as a view into the input. Fails (without reading) if fewer remain.
  absl::StatusOr<std::string_view> Bytes(uint64_t n) {
    if (n > remaining())
      return DataErrorAt(offset(), Cat("length ", n, " exceeds the ", remaining(), " bytes left"));
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  absl::Status Skip(uint64_t n) {
    if (n > remaining())
      return DataErrorAt(offset(), Cat("length ", n, " exceeds the ", remaining(), " bytes left"));
    pos_ += n;
    return absl::OkStatus();
  }

 private:
  std::string_view data_;
  uint64_t base_;
  size_t pos_ = 0;
};

}  // namespace schedcast::gotrace
