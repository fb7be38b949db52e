// libFuzzer target: the .pth reader (zip or legacy torch.save, through the restricted
// pickle machine) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "metrics/weights/parse_state_dict.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)qtune::metrics::parse_state_dict(bytes, "fuzz.pth");
  return 0;
}
