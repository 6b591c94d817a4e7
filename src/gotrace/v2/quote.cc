#include "gotrace/v2/quote.h"

#include <algorithm>
#include <cstdint>

namespace schedcast::gotrace::v2 {
namespace {

// Decodes one UTF-8 sequence as Go's utf8.DecodeRuneInString does; width 1 and -1 for invalid.
int32_t DecodeRune(std::string_view s, size_t i, int* width) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  auto cont = [&](size_t k, uint8_t lo = 0x80, uint8_t hi = 0xBF) -> int {
    if (i + k >= s.size()) return -1;
    const auto b = static_cast<uint8_t>(s[i + k]);
    return (b < lo || b > hi) ? -1 : (b & 0x3F);
  };
  *width = 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    int c1 = cont(1);
    if (c1 < 0) return -1;
    *width = 2;
    return ((b0 & 0x1F) << 6) | c1;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
    int c1 = cont(1, lo, hi), c2 = c1 < 0 ? -1 : cont(2);
    if (c1 < 0 || c2 < 0) return -1;
    *width = 3;
    return ((b0 & 0x0F) << 12) | (c1 << 6) | c2;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
    int c1 = cont(1, lo, hi), c2 = c1 < 0 ? -1 : cont(2), c3 = c2 < 0 ? -1 : cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return -1;
    *width = 4;
    return ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
  }
  return -1;
}

struct RuneRange {
  int32_t lo, hi;
};
constexpr RuneRange kNonPrint[] = {
#include "gotrace/v2/go_nonprint.inc"
};

// Go's strconv.IsPrint for runes >= U+0080 (non-printable: controls, format characters,
// separators other than space, surrogates, private use, unassigned).
bool IsPrintRune(int32_t r) {
  const RuneRange* end = kNonPrint + sizeof kNonPrint / sizeof kNonPrint[0];
  const RuneRange* it = std::upper_bound(kNonPrint, end, r, [](int32_t v, const RuneRange& x) { return v < x.lo; });
  return it == kNonPrint || r > (it - 1)->hi;
}

}  // namespace

void AppendGoQuoted(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c >= 0x20 && c < 0x7F) {
        out += static_cast<char>(c);
      } else {
        switch (c) {
          case '\a': out.append("\\a"); break;
          case '\b': out.append("\\b"); break;
          case '\f': out.append("\\f"); break;
          case '\n': out.append("\\n"); break;
          case '\r': out.append("\\r"); break;
          case '\t': out.append("\\t"); break;
          case '\v': out.append("\\v"); break;
          default:
            out.append("\\x");
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
      }
      continue;
    }
    int width;
    const int32_t r = DecodeRune(s, i, &width);
    if (r < 0) {
      out.append("\\x");
      out += kHex[c >> 4];
      out += kHex[c & 15];
      i += 1;
      continue;
    }
    if (IsPrintRune(r)) {
      out.append(s.substr(i, width));
    } else if (r < 0x10000) {
      out.append("\\u");
      for (int sh = 12; sh >= 0; sh -= 4) out += kHex[(r >> sh) & 15];
    } else {
      out.append("\\U");
      for (int sh = 28; sh >= 0; sh -= 4) out += kHex[(r >> sh) & 15];
    }
    i += width;
  }
  out += '"';
}

}  // namespace schedcast::gotrace::v2
