// The decoders' working memory, bounded across threads: each decode reserves the bytes it
// will allocate (checked from the header, before allocating) and gives them back when it
// returns. Decodes on several threads wait while the bytes in flight would exceed the
// budget; one image needing more than the whole budget is refused (kInvalidArgument).
//
// The budget is 1 GiB, or QTUNE_DECODE_BUDGET_MIB (a positive integer, read once) MiB.
#pragma once

#include <cstdint>
#include <string_view>

#include "qtune/base/result.h"

namespace qtune::metrics {

inline constexpr std::uint64_t kDefaultDecodeBudget = std::uint64_t{1} << 30;

// The budget in bytes.
std::uint64_t decode_budget();

// Bytes reserved until destroyed (movable, not copyable).
class DecodeReservation {
 public:
  DecodeReservation(DecodeReservation&& other) noexcept;
  DecodeReservation& operator=(DecodeReservation&&) = delete;
  DecodeReservation(const DecodeReservation&) = delete;
  DecodeReservation& operator=(const DecodeReservation&) = delete;
  ~DecodeReservation();

  // Waits until `bytes` fit in the budget beside those in flight. `what` names the image
  // in the error ("a.png: PNG of 20000x20000").
  static base::Result<DecodeReservation> reserve(std::uint64_t bytes, std::string_view what);

 private:
  explicit DecodeReservation(std::uint64_t bytes) : bytes_(bytes) {}
  std::uint64_t bytes_;
};

// Bytes reserved now, over all threads (for tests).
std::uint64_t decode_bytes_in_flight();

}  // namespace qtune::metrics
