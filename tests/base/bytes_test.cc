#include "base/bytes.h"

#include <gtest/gtest.h>

#include <limits>

namespace qtune::base {
namespace {

TEST(Bytes, RoundTripsEveryType) {
  ByteWriter w;
  w.u8(7);
  w.u32(0xdeadbeef);
  w.u64(std::numeric_limits<std::uint64_t>::max());
  w.i64(-42);
  w.f64(-0.125);
  w.str("K=4 batch");
  const std::vector<double> xs = {1.5, -2.25};
  w.f64s(xs);
  const std::vector<std::uint64_t> ids = {3, 1u << 31};
  w.u64s(ids);

  ByteReader r(w.bytes(), "test blob");
  EXPECT_EQ(r.u8().value(), 7);
  EXPECT_EQ(r.u32().value(), 0xdeadbeefu);
  EXPECT_EQ(r.u64().value(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(r.i64().value(), -42);
  EXPECT_EQ(r.f64().value(), -0.125);
  EXPECT_EQ(r.str().value(), "K=4 batch");
  EXPECT_EQ(r.f64s().value(), xs);
  EXPECT_EQ(r.u64s().value(), ids);
  EXPECT_TRUE(r.expect_end().is_ok());
}

TEST(Bytes, TruncationIsCorruptAndNamesTheBlob) {
  ByteWriter w;
  w.str("abcdef");
  std::string bytes = w.bytes();
  bytes.resize(bytes.size() - 2);
  ByteReader r(bytes, "q-learning snapshot");
  auto s = r.str();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(s.status().message().find("q-learning snapshot"), std::string::npos);
}

TEST(Bytes, HugeDeclaredCountIsRejectedBeforeAllocating) {
  ByteWriter w;
  w.u64(std::numeric_limits<std::uint64_t>::max() / 2);
  ByteReader r(w.bytes(), "blob");
  EXPECT_EQ(r.f64s().status().code(), StatusCode::kCorrupt);
}

TEST(Bytes, TrailingBytesAreReported) {
  ByteWriter w;
  w.u32(1);
  w.u8(0);
  ByteReader r(w.bytes(), "blob");
  ASSERT_TRUE(r.u32().is_ok());
  EXPECT_EQ(r.expect_end().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace qtune::base
