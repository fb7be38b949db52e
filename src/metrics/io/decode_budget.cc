#include "metrics/io/decode_budget.h"

#include <fmt/format.h>

#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace qtune::metrics {
namespace {

struct Budget {
  std::mutex mutex;
  std::condition_variable freed;
  std::uint64_t in_flight = 0;
};

Budget& budget() {
  static Budget instance;
  return instance;
}

std::uint64_t read_budget() {
  const char* text = std::getenv("QTUNE_DECODE_BUDGET_MIB");
  if (text == nullptr) return kDefaultDecodeBudget;
  std::uint64_t mib = 0;
  const char* end = text + std::strlen(text);
  const auto [ptr, ec] = std::from_chars(text, end, mib);
  if (ec != std::errc() || ptr != end || mib == 0 || mib > (std::uint64_t{1} << 40)) {
    return kDefaultDecodeBudget;
  }
  return mib << 20;
}

}  // namespace

std::uint64_t decode_budget() {
  static const std::uint64_t bytes = read_budget();
  return bytes;
}

base::Result<DecodeReservation> DecodeReservation::reserve(std::uint64_t bytes,
                                                           std::string_view what) {
  const std::uint64_t limit = decode_budget();
  if (bytes > limit) {
    return base::Status::invalid_argument(
        fmt::format("{}: decoding it needs {} MiB, more than the decoders' budget of {} MiB; "
                    "use a smaller image or raise QTUNE_DECODE_BUDGET_MIB",
                    what, (bytes + (1 << 20) - 1) >> 20, limit >> 20));
  }
  Budget& b = budget();
  std::unique_lock lock(b.mutex);
  b.freed.wait(lock, [&] { return b.in_flight + bytes <= limit; });
  b.in_flight += bytes;
  return DecodeReservation(bytes);
}

DecodeReservation::DecodeReservation(DecodeReservation&& other) noexcept : bytes_(other.bytes_) {
  other.bytes_ = 0;
}

DecodeReservation::~DecodeReservation() {
  if (bytes_ == 0) return;
  Budget& b = budget();
  {
    const std::lock_guard lock(b.mutex);
    b.in_flight -= bytes_;
  }
  b.freed.notify_all();
}

std::uint64_t decode_bytes_in_flight() {
  Budget& b = budget();
  const std::lock_guard lock(b.mutex);
  return b.in_flight;
}

}  // namespace qtune::metrics
