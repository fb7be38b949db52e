// Issue 11, case 11: the decoders' working memory is bounded across threads. Each decode
// reserves its bytes (from the header, before allocating) within a budget of 1 GiB.
#include "metrics/io/decode_budget.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "qtune/metrics/image.h"

namespace qtune::metrics {
namespace {

TEST(DecodeBudget, OneImageOverTheBudgetIsRefusedNamingItsSizeAndTheBudget) {
  ASSERT_EQ(decode_budget(), kDefaultDecodeBudget);
  const auto reserved = DecodeReservation::reserve(kDefaultDecodeBudget + 1, "a.png: PNG of 1x1");
  ASSERT_FALSE(reserved.is_ok());
  EXPECT_EQ(reserved.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(reserved.status().message().find("a.png: PNG of 1x1: decoding it needs 1025 MiB, "
                                             "more than the decoders' budget of 1024 MiB"),
            std::string::npos)
      << reserved.status().message();
  EXPECT_EQ(decode_bytes_in_flight(), 0u);
}

TEST(DecodeBudget, ThreadsWaitWhileTheBytesInFlightWouldExceedTheBudget) {
  // 8 threads each reserving 40% of the budget: at most two hold one at a time.
  const std::uint64_t each = kDefaultDecodeBudget / 10 * 4;
  std::atomic<std::uint64_t> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto reserved = DecodeReservation::reserve(each, "x");
        ASSERT_TRUE(reserved.is_ok());
        const std::uint64_t now = decode_bytes_in_flight();
        std::uint64_t seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::yield();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), kDefaultDecodeBudget);
  EXPECT_GE(peak.load(), each);
  EXPECT_EQ(decode_bytes_in_flight(), 0u);
}

// A PNG header (no pixel data) of `width` x `height`, 16-bit grey.
std::vector<std::uint8_t> png_header(std::uint32_t width, std::uint32_t height) {
  std::vector<std::uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const auto be32 = [&](std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
  };
  std::vector<std::uint8_t> ihdr = {'I', 'H', 'D', 'R'};
  for (std::uint32_t v : {width, height}) {
    for (int s = 24; s >= 0; s -= 8) ihdr.push_back(static_cast<std::uint8_t>(v >> s));
  }
  ihdr.insert(ihdr.end(), {16, 0, 0, 0, 0});  // 16-bit grey, no interlace
  be32(13);
  out.insert(out.end(), ihdr.begin(), ihdr.end());
  be32(static_cast<std::uint32_t>(crc32(0, ihdr.data(), static_cast<uInt>(ihdr.size()))));
  return out;
}

TEST(DecodeBudget, AHugePngHeaderIsCheckedAndLeavesNothingReserved) {
  // 2000 x 2000 16-bit grey: 20 MB (rows + RGB) reserved, then no pixel data.
  const auto bytes = png_header(2000, 2000);
  const auto image = decode_image(bytes, "big.png");
  ASSERT_FALSE(image.is_ok());
  EXPECT_EQ(image.status().code(), base::StatusCode::kCorrupt) << image.status().message();
  EXPECT_EQ(decode_bytes_in_flight(), 0u);
}

}  // namespace
}  // namespace qtune::metrics
