// load_state_dict: the two torch.save containers around the restricted pickle machine.
#include "metrics/weights/state_dict.h"

#include <fmt/format.h>

#include <limits>
#include <string_view>
#include <unordered_map>

#include "metrics/io/file_bytes.h"
#include "metrics/io/little_endian.h"
#include "metrics/io/zip_reader.h"
#include "metrics/weights/parse_state_dict.h"
#include "metrics/weights/pickle_machine.h"
#include "metrics/weights/storage_convert.h"

namespace qtune::metrics {
namespace {

using Kind = PickleValue::Kind;

// Legacy format (torch/serialization.py, _legacy_save): these two pickles come first.
constexpr std::string_view kLegacyMagic =
    "\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";  // 0x1950a86a20f9469cfc6c
constexpr std::int64_t kLegacyProtocolVersion = 1001;
constexpr std::uint64_t kMaxSharing = 4;

// Raw bytes of each storage key, filled by the container reader.
using StorageBytes = std::unordered_map<std::string, std::string_view>;

// Every storage the dict's tensors refer to, by key (checking that repeated references agree).
base::Result<std::unordered_map<std::string, const PickleValue*>> collect_storages(
    const PickleValue& dict, const std::string& file) {
  std::unordered_map<std::string, const PickleValue*> storages;
  for (std::size_t i = 1; i < dict.items.size(); i += 2) {
    if (dict.items[i]->kind != Kind::kTensor) continue;  // reported by build_state_dict
    const PickleValue* storage = dict.items[i]->storage;
    const auto [it, inserted] = storages.emplace(storage->text, storage);
    if (!inserted && (it->second->storage_type != storage->storage_type ||
                      it->second->integer != storage->integer)) {
      return base::Status::corrupt(fmt::format(
          "{}: storage '{}' is declared twice with different types or sizes", file, storage->text));
    }
  }
  return storages;
}

base::Result<StateDict> build_state_dict(const PickleValue& dict, const StorageBytes& storages,
                                         const std::string& file) {
  if (dict.kind != Kind::kDict) {
    return base::Status::corrupt(
        fmt::format("{}: the pickled object is not a dict; expected a state_dict()", file));
  }
  // Tensors may share a storage (tied weights), but a hostile file must not turn one storage
  // into thousands of copies: the output is bounded by a multiple of what the file holds.
  std::uint64_t stored = 0;
  for (const auto& [key, bytes] : storages) stored += bytes.size();
  std::uint64_t produced = 0;
  StateDict out;
  for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2) {
    const PickleValue& key = *dict.items[i];
    const PickleValue& value = *dict.items[i + 1];
    if (key.kind != Kind::kString)
      return base::Status::corrupt(fmt::format("{}: a dict key is not a string", file));
    if (value.kind != Kind::kTensor) {
      return base::Status::corrupt(fmt::format(
          "{}: \"{}\" is not a tensor; expected a state dict of tensors", file, key.text));
    }
    const auto bytes = storages.find(value.storage->text);
    if (bytes == storages.end()) {
      return base::Status::corrupt(fmt::format("{}: tensor \"{}\": storage '{}' is missing", file,
                                               key.text, value.storage->text));
    }
    QTUNE_ASSIGN_OR_RETURN(
        Tensor tensor,
        gather_tensor(value, bytes->second, fmt::format("{}: tensor \"{}\"", file, key.text)));
    produced += tensor.data.size() * sizeof(float);
    if (produced > kMaxSharing * stored + kMaxSharing) {
      return base::Status::corrupt(
          fmt::format("{}: tensors reuse the same storages more than {} times over; "
                      "expected a state dict",
                      file, kMaxSharing));
    }
    out.insert_or_assign(key.text, std::move(tensor));
  }
  return out;
}

base::Result<StateDict> load_zip(std::string_view bytes, const std::string& file) {
  QTUNE_ASSIGN_OR_RETURN(const ZipReader zip, ZipReader::open(bytes, file));
  const ZipReader::Entry* pickle_entry = nullptr;
  for (const auto& entry : zip.entries()) {
    const std::size_t slash = entry.name.find('/');
    if (slash != std::string::npos && entry.name.substr(slash) == "/data.pkl") {
      if (pickle_entry != nullptr)
        return base::Status::corrupt(fmt::format("{}: more than one data.pkl", file));
      pickle_entry = &entry;
    }
  }
  if (pickle_entry == nullptr) {
    return base::Status::corrupt(
        fmt::format("{}: no <name>/data.pkl entry; expected a torch.save zip file", file));
  }
  const std::string prefix =
      pickle_entry->name.substr(0, pickle_entry->name.size() - std::string_view("data.pkl").size());
  std::string scratch;
  if (const auto* order = zip.find(prefix + "byteorder"); order != nullptr) {
    QTUNE_ASSIGN_OR_RETURN(const std::string_view value, zip.read(*order, scratch));
    if (value != "little")
      return base::Status::corrupt(
          fmt::format("{}: byte order '{}' is not supported; expected little", file, value));
  }
  std::string pickle_scratch;
  QTUNE_ASSIGN_OR_RETURN(const std::string_view pickle, zip.read(*pickle_entry, pickle_scratch));
  PickleMachine machine(pickle, file + ": " + pickle_entry->name);
  QTUNE_ASSIGN_OR_RETURN(const PickleValue* dict, machine.run(0));
  if (dict->kind != Kind::kDict) {
    return base::Status::corrupt(
        fmt::format("{}: the pickled object is not a dict; expected a state_dict()", file));
  }
  QTUNE_ASSIGN_OR_RETURN(const auto used, collect_storages(*dict, file));
  // Stored entries are views into `bytes`; deflated ones are inflated into these buffers.
  std::unordered_map<std::string, std::string> inflated;
  StorageBytes storages;
  for (const auto& [key, storage] : used) {
    const auto* entry = zip.find(prefix + "data/" + key);
    if (entry == nullptr) {
      return base::Status::corrupt(
          fmt::format("{}: storage entry \"{}data/{}\" is missing", file, prefix, key));
    }
    QTUNE_ASSIGN_OR_RETURN(storages[key], zip.read(*entry, inflated[key]));
    QTUNE_RETURN_IF_ERROR(check_storage_size(*storage, storages[key].size(), file));
  }
  return build_state_dict(*dict, storages, file);
}

base::Result<StateDict> load_legacy(std::string_view bytes, const std::string& file) {
  PickleMachine machine(bytes, file);
  auto not_torch = [&](std::string_view what) {
    return base::Status::corrupt(
        fmt::format("{}: {}; expected a torch.save file (zip or legacy format)", file, what));
  };
  QTUNE_ASSIGN_OR_RETURN(const PickleValue* magic, machine.run(0));
  if (magic->kind != Kind::kBigInt || magic->text != kLegacyMagic)
    return not_torch("no legacy magic number");
  QTUNE_ASSIGN_OR_RETURN(const PickleValue* protocol, machine.run(machine.end_offset()));
  if (protocol->kind != Kind::kInt || protocol->integer != kLegacyProtocolVersion) {
    return not_torch("legacy protocol version is not 1001");
  }
  QTUNE_ASSIGN_OR_RETURN(const PickleValue* sys_info, machine.run(machine.end_offset()));
  if (sys_info->kind != Kind::kDict) return not_torch("no sys info dict");
  for (std::size_t i = 0; i + 1 < sys_info->items.size(); i += 2) {
    if (sys_info->items[i]->text == "little_endian" && sys_info->items[i + 1]->integer != 1) {
      return base::Status::corrupt(
          fmt::format("{}: written on a big-endian machine; not supported", file));
    }
  }
  QTUNE_ASSIGN_OR_RETURN(const PickleValue* dict, machine.run(machine.end_offset()));
  if (dict->kind != Kind::kDict) {
    return base::Status::corrupt(
        fmt::format("{}: the pickled object is not a dict; expected a state_dict()", file));
  }
  QTUNE_ASSIGN_OR_RETURN(const PickleValue* keys, machine.run(machine.end_offset()));
  if (keys->kind != Kind::kList) return not_torch("no list of storage keys after the object");
  QTUNE_ASSIGN_OR_RETURN(const auto used, collect_storages(*dict, file));
  // Then each storage, in the order of the key list: int64 element count, raw elements.
  std::size_t pos = machine.end_offset();
  StorageBytes storages;
  for (const PickleValue* key : keys->items) {
    const auto it = key->kind == Kind::kString ? used.find(key->text) : used.end();
    if (it == used.end()) return not_torch("the storage key list names a storage no tensor uses");
    if (bytes.size() - pos < 8) {
      return base::Status::corrupt(fmt::format(
          "{}: storage '{}': element count missing at byte {} (truncated?)", file, key->text, pos));
    }
    const auto count = load_le<std::int64_t>(bytes, pos);
    pos += 8;
    const std::size_t elem = element_size(it->second->storage_type);
    if (count < 0 || static_cast<std::uint64_t>(count) > (bytes.size() - pos) / elem) {
      return base::Status::corrupt(
          fmt::format("{}: storage '{}': {} elements declared at byte {}, {} bytes remain "
                      "(truncated?)",
                      file, key->text, count, pos - 8, bytes.size() - pos));
    }
    const std::size_t size = static_cast<std::size_t>(count) * elem;
    storages[key->text] = bytes.substr(pos, size);
    QTUNE_RETURN_IF_ERROR(check_storage_size(*it->second, size, file));
    pos += size;
  }
  return build_state_dict(*dict, storages, file);
}

}  // namespace

base::Result<StateDict> parse_state_dict(std::string_view bytes, const std::string& file) {
  if (bytes.starts_with("PK\x03\x04")) return load_zip(bytes, file);
  if (bytes.starts_with("\x80")) return load_legacy(bytes, file);
  return base::Status::corrupt(
      fmt::format("{}: neither a zip nor a pickle; expected a torch.save file", file));
}

base::Result<StateDict> load_state_dict(const std::filesystem::path& path) {
  QTUNE_ASSIGN_OR_RETURN(const MappedFile file, MappedFile::open(path));
  return parse_state_dict(file.bytes(), path.string());
}

}  // namespace qtune::metrics
