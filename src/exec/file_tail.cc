#include "exec/file_tail.h"

#include <fmt/format.h>

#include <fstream>

namespace qtune::exec::detail {

std::optional<FileTail> read_file_tail(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return std::nullopt;
  const auto limit = static_cast<std::streamoff>(max_bytes);
  FileTail tail;
  tail.cut = size > limit;
  in.seekg(tail.cut ? size - limit : 0);
  // The file may still grow (or shrink) while it is read: never more than `max_bytes`.
  tail.text.resize(static_cast<std::size_t>(std::min(size, limit)));
  in.read(tail.text.data(), static_cast<std::streamsize>(tail.text.size()));
  tail.text.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  return tail;
}

std::string excerpt(std::string_view text, std::size_t max_chars) {
  std::string out;
  for (const char c : text.substr(0, max_chars)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 0x20 && byte < 0x7f ? c : '?';
  }
  if (text.size() > max_chars) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

}  // namespace qtune::exec::detail
