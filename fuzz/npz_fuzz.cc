// libFuzzer target: the .npz reader (zip, then mu.npy and sigma.npy) on arbitrary bytes,
// through the file it reads in qtune.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "qtune/metrics/stats_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("qtune-npz-fuzz-" + std::to_string(::getpid()) + ".npz");
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  (void)qtune::metrics::read_npz_statistics(file);
  return 0;
}
