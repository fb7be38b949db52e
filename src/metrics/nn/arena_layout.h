// Places a network's activation buffers in one arena, so that peak memory is what is live at
// once rather than the sum of every buffer: two buffers whose lifetimes (inclusive step
// ranges) overlap get disjoint byte ranges; others may share bytes. Placement is the usual
// offline heuristic: largest buffer first, each at the lowest aligned offset that collides
// with no already placed buffer alive at the same time.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace qtune::metrics::nn {

struct BufferLife {
  std::size_t bytes = 0;
  std::size_t first_step = 0;  // the step that writes it first
  std::size_t last_step = 0;   // the step that reads it last (>= first_step)
};

struct ArenaLayout {
  std::vector<std::size_t> offsets;  // per buffer, multiples of the alignment
  std::size_t size = 0;              // bytes the arena needs
};

// `alignment` must be a power of two.
ArenaLayout lay_out_arena(std::span<const BufferLife> buffers, std::size_t alignment);

}  // namespace qtune::metrics::nn
