#include "gotrace/format.h"

#include <cctype>

namespace schedcast::gotrace {

absl::StatusOr<Header> ParseHeader(std::string_view data) {
  if (data.empty()) return DataErrorAt(0, "empty file: not a Go execution trace");
  if (data.size() < kHeaderSize)
    return DataErrorAt(data.size(), Cat("file is ", data.size(),
                                                 " bytes, shorter than the 16-byte trace header"));
  // "go 1.N trace" or "go 1.NN trace", NUL-padded to 16 bytes.
  std::string_view h = data.substr(0, kHeaderSize);
  size_t digits = 0;
  while (digits < 2 && 5 + digits < h.size() && std::isdigit(static_cast<unsigned char>(h[5 + digits]))) ++digits;
  const std::string_view rest = h.substr(5 + digits);
  bool padded = rest.substr(0, 6) == " trace";
  for (size_t i = 6; padded && i < rest.size(); ++i) padded = rest[i] == '\0';
  if (h.substr(0, 5) != "go 1." || digits == 0 || !padded) {
    return DataErrorAt(0, "bad header: not a Go execution trace (want \"go 1.NN trace\")");
  }
  Header out;
  int minor = 0;
  for (size_t i = 0; i < digits; ++i) minor = minor * 10 + (h[5 + i] - '0');
  out.version = 1000 + minor;
  switch (out.version) {
    case 1005: case 1007: case 1008: case 1009: case 1010: case 1011: case 1019: case 1021:
      out.format = Format::kV1;
      return out;
    case 1022: case 1023: case 1025: case 1026:
      out.format = Format::kV2;
      return out;
    default:
      return absl::UnimplementedError(Cat("offset 0: unsupported trace version go 1.",
                                                   out.version - 1000, " (supported: 1.5-1.21 old format; 1.22, 1.23, 1.25, 1.26 new format, written by Go 1.22-1.27)"));
  }
}

}  // namespace schedcast::gotrace
