// libFuzzer target: replay::ReplayTable::parse of arbitrary CSV text, its grid derived from
// the table (no [space]), objective "FID".
#include <cstddef>
#include <cstdint>
#include <string>

#include "qtune/replay/replay.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  qtune::replay::TableSpec spec;
  spec.objective = "FID";
  auto table = qtune::replay::ReplayTable::parse({{"fuzz.csv", text}}, spec);
  if (table.is_ok() && table->space().size() > 0) (void)table->mean(0);
  return 0;
}
