#include "gotrace/format.h"

#include <cctype>

namespace schedcast::gotrace {

absl::StatusOr<Header> ParseHeader(std::string_view data) {
  if (data.empty()) return DataErrorAt(0, "empty file: not a Go execution trace");
  if (data.size() < kHeaderSize)
    return DataErrorAt(data.size(), Cat("file is ", data.size(),
                                                 " bytes, shorter than the 16-byte trace header"));
  std::string_view h = data.substr(0, kHeaderSize);
  if (h.substr(0, 5) != "go 1." || h.substr(7, 9) != std::string_view(" trace\0\0\0", 9) ||
      !std::isdigit(static_cast<unsigned char>(h[5])) || !std::isdigit(static_cast<unsigned char>(h[6]))) {
    return DataErrorAt(0, "bad header: not a Go execution trace (want \"go 1.NN trace\")");
  }
  Header out;
  out.version = 1000 + (h[5] - '0') * 10 + (h[6] - '0');
  switch (out.version) {
    case 1005: case 1007: case 1008: case 1009: case 1010: case 1011: case 1019: case 1021:
      out.format = Format::kV1;
      return out;
    case 1022: case 1023:
      out.format = Format::kV2;
      return out;
    default:
      return absl::UnimplementedError(Cat("offset 0: unsupported trace version go 1.",
                                                   out.version - 1000, " (supported: 1.5-1.21 old format, 1.22-1.23 new format)"));
  }
}

}  // namespace schedcast::gotrace
