#include "metrics/nn/arena_layout.h"

#include <algorithm>
#include <numeric>

#include "qtune/base/result.h"

namespace qtune::metrics::nn {
namespace {

bool alive_together(const BufferLife& a, const BufferLife& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

std::size_t round_up(std::size_t value, std::size_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

}  // namespace

ArenaLayout lay_out_arena(std::span<const BufferLife> buffers, std::size_t alignment) {
  QTUNE_CHECK(alignment != 0 && (alignment & (alignment - 1)) == 0);
  std::vector<std::size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return buffers[a].bytes > buffers[b].bytes;
  });

  ArenaLayout layout{std::vector<std::size_t>(buffers.size(), 0), 0};
  std::vector<std::size_t> placed;  // indices, by increasing offset
  for (const std::size_t i : order) {
    const BufferLife& buffer = buffers[i];
    QTUNE_CHECK(buffer.first_step <= buffer.last_step);
    // Walk the placed buffers alive at the same time in offset order; take the first gap.
    std::size_t offset = 0;
    for (const std::size_t j : placed) {
      if (!alive_together(buffer, buffers[j])) continue;
      if (offset + buffer.bytes <= layout.offsets[j]) break;
      offset = std::max(offset, round_up(layout.offsets[j] + buffers[j].bytes, alignment));
    }
    layout.offsets[i] = offset;
    layout.size = std::max(layout.size, offset + buffer.bytes);
    placed.insert(std::upper_bound(
                      placed.begin(), placed.end(), offset,
                      [&](std::size_t value, std::size_t j) { return value < layout.offsets[j]; }),
                  i);
  }
  layout.size = round_up(layout.size, alignment);
  return layout;
}

}  // namespace qtune::metrics::nn
