// The activation arena layout: buffers alive at the same step never share a byte, buffers
// that are not may, and the arena is no larger than needed on cases small enough to know.
#include "metrics/nn/arena_layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace qtune::metrics::nn {
namespace {

void expect_no_overlap_in_time_and_space(const std::vector<BufferLife>& buffers,
                                         const ArenaLayout& layout, std::size_t alignment) {
  ASSERT_EQ(layout.offsets.size(), buffers.size());
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    EXPECT_EQ(layout.offsets[i] % alignment, 0u) << "buffer " << i;
    EXPECT_LE(layout.offsets[i] + buffers[i].bytes, layout.size) << "buffer " << i;
    for (std::size_t j = i + 1; j < buffers.size(); ++j) {
      const bool together = buffers[i].first_step <= buffers[j].last_step &&
                            buffers[j].first_step <= buffers[i].last_step;
      const bool share_bytes = layout.offsets[i] < layout.offsets[j] + buffers[j].bytes &&
                               layout.offsets[j] < layout.offsets[i] + buffers[i].bytes;
      EXPECT_FALSE(together && share_bytes)
          << "buffers " << i << " and " << j << " are alive together";
    }
  }
}

// The bytes alive at the busiest step: no layout can be smaller.
std::size_t peak_alive(const std::vector<BufferLife>& buffers) {
  std::size_t last = 0;
  for (const BufferLife& b : buffers) last = std::max(last, b.last_step);
  std::size_t peak = 0;
  for (std::size_t step = 0; step <= last; ++step) {
    std::size_t alive = 0;
    for (const BufferLife& b : buffers)
      alive += b.first_step <= step && step <= b.last_step ? b.bytes : 0;
    peak = std::max(peak, alive);
  }
  return peak;
}

TEST(ArenaLayoutTest, AChainReusesMemoryAsTheStemDoes) {
  // input -> a -> b -> c -> out: each buffer is read by the next step only, so at most two
  // are alive at once and the arena holds the largest adjacent pair (b and c: 2000 + 4000),
  // one of them rounded up to the 64-byte alignment: 2048 + 4000, rounded up again.
  const std::vector<BufferLife> chain = {
      {1000, 0, 0}, {3000, 0, 1}, {2000, 1, 2}, {4000, 2, 3}, {500, 3, 3}};
  const ArenaLayout layout = lay_out_arena(chain, 64);
  expect_no_overlap_in_time_and_space(chain, layout, 64);
  EXPECT_EQ(layout.size, 6080u);
}

TEST(ArenaLayoutTest, BuffersAliveTogetherGetTheSumDisjointOnesTheMaximum) {
  const std::vector<BufferLife> together = {{640, 0, 5}, {128, 2, 3}, {64, 3, 9}};
  EXPECT_EQ(lay_out_arena(together, 64).size, 832u);
  const std::vector<BufferLife> apart = {{640, 0, 1}, {128, 2, 3}, {64, 4, 9}};
  EXPECT_EQ(lay_out_arena(apart, 64).size, 640u);
}

TEST(ArenaLayoutTest, RandomLifetimesNeverCollideAndStayWithinBounds) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<BufferLife> buffers(std::uniform_int_distribution<std::size_t>(1, 40)(rng));
    std::size_t total = 0;
    for (BufferLife& b : buffers) {
      b.bytes = std::uniform_int_distribution<std::size_t>(1, 100000)(rng);
      b.first_step = std::uniform_int_distribution<std::size_t>(0, 30)(rng);
      b.last_step = b.first_step + std::uniform_int_distribution<std::size_t>(0, 6)(rng);
      total += (b.bytes + 63) / 64 * 64;
    }
    const ArenaLayout layout = lay_out_arena(buffers, 64);
    expect_no_overlap_in_time_and_space(buffers, layout, 64);
    EXPECT_GE(layout.size, peak_alive(buffers));
    EXPECT_LE(layout.size, total);
  }
}

TEST(ArenaLayoutTest, NoBuffersNeedNoArena) { EXPECT_EQ(lay_out_arena({}, 64).size, 0u); }

}  // namespace
}  // namespace qtune::metrics::nn
