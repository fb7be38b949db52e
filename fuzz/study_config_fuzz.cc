// libFuzzer target: study::parse_study_config on arbitrary text (the TOML layer, [space],
// [strategy], [trial], [study] and [budget]). Any outcome but a crash, a leak or a hang is
// fine: the parser must return an error for what it cannot read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "qtune/study/study_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)qtune::study::parse_study_config(text, "/nonexistent/fuzz/study.toml");
  return 0;
}
