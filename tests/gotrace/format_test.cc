#include "gotrace/format.h"

#include <gtest/gtest.h>

#include "gotrace/bytes.h"
#include "common/strings.h"

namespace schedcast::gotrace {
namespace {

using namespace std::string_literals;

TEST(Header, RecognisesOldAndNewFormats) {
  auto h = ParseHeader("go 1.19 trace\0\0\0"s);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->version, 1019);
  EXPECT_EQ(h->format, Format::kV1);
  h = ParseHeader("go 1.23 trace\0\0\0xyz"s);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->version, 1023);
  EXPECT_EQ(h->format, Format::kV2);
  for (int v : {25, 26}) {  // written by Go 1.25 and by Go 1.26 / 1.27
    h = ParseHeader(Cat("go 1.", v, " trace", std::string(3, '\0')));
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_EQ(h->version, 1000 + v);
    EXPECT_EQ(h->format, Format::kV2);
  }
}

TEST(Header, OneDigitMinorVersions) {
  auto h = ParseHeader("go 1.7 trace\0\0\0\0"s);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->version, 1007);
  EXPECT_EQ(h->format, Format::kV1);
  EXPECT_FALSE(ParseHeader("go 1.7 trace\0\0\0x"s).ok());
}

TEST(Header, RejectsEmptyShortGarbageAndUnknownVersions) {
  EXPECT_NE(ParseHeader("").status().message().find("empty file"), std::string::npos);
  EXPECT_NE(ParseHeader("go 1.19").status().message().find("shorter than the 16-byte"), std::string::npos);
  EXPECT_NE(ParseHeader("hello world trace"s).status().message().find("not a Go execution trace"), std::string::npos);
  auto s = ParseHeader("go 1.99 trace\0\0\0"s).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("go 1.99"), std::string::npos);
}

TEST(ByteReader, VarintsAndBounds) {
  const std::string in = "\x96\x01\x7f"s;  // the reader keeps a view: the bytes must outlive it
  ByteReader r(in, 100);
  EXPECT_EQ(*r.Uvarint(), 150u);
  EXPECT_EQ(*r.Uvarint(), 127u);
  auto e = r.Uvarint();
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("offset 103"), std::string::npos) << e.status();
  const std::string eleven(11, '\xff'), overflow = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02"s,
                    maxv = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s;
  ByteReader big(eleven);
  EXPECT_FALSE(big.Uvarint().ok());
  ByteReader over(overflow);
  EXPECT_NE(over.Uvarint().status().message().find("overflows"), std::string::npos);
  ByteReader max(maxv);
  EXPECT_EQ(*max.Uvarint(), ~uint64_t{0});
  ByteReader b("abc");
  EXPECT_FALSE(b.Bytes(4).ok());
  EXPECT_EQ(*b.Bytes(3), "abc");
}

}  // namespace
}  // namespace schedcast::gotrace
