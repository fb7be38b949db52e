// PickleMachine: a restricted Python unpickler for PyTorch state dicts. It executes nothing:
// the few callables a state dict uses are recognised by name and turned into data (a dict,
// a storage reference, a tensor view); any other global, callable or opcode is refused.
//
// Supported opcodes (protocols 2-5 as torch.save writes them): PROTO FRAME STOP MARK
// EMPTY_{DICT,LIST,TUPLE} TUPLE TUPLE1-3 LIST DICT APPEND(S) SETITEM(S) (LONG_)BINPUT MEMOIZE
// (LONG_)BINGET BININT BININT1 BININT2 LONG1 NONE NEWTRUE NEWFALSE BINFLOAT
// (SHORT_)BINUNICODE BINUNICODE8 (SHORT_)BINSTRING GLOBAL STACK_GLOBAL BINPERSID REDUCE BUILD.
// Allowed globals and what they become:
//   collections.OrderedDict()                        -> an empty dict
//   torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, meta])
//   torch._utils._rebuild_tensor(storage, offset, size, stride)   -> a tensor view
//   torch._utils._rebuild_parameter(tensor, requires_grad, hooks) -> the tensor
//   torch.{Float,Double,Half,Long,Int}Storage        -> only as the type in a persistent id
// Persistent ids ('storage', <storage type>, key, location, numel[, view metadata None])
// become storage references. BUILD on a dict (OrderedDict's `_metadata`) is accepted and its
// state dropped. Values live in an arena owned by the machine (cycles cannot leak).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qtune/base/result.h"

namespace qtune::metrics {

enum class StorageType { kFloat, kDouble, kHalf, kLong, kInt };
std::size_t element_size(StorageType type);

struct PickleValue {
  enum class Kind {
    kNone,
    kBool,
    kInt,
    kBigInt,
    kFloat,
    kString,
    kTuple,
    kList,
    kDict,
    kGlobal,
    kStorage,
    kTensor
  };
  enum class Global {
    kOrderedDict,
    kRebuildTensorV2,
    kRebuildTensor,
    kRebuildParameter,
    kStorageType
  };

  Kind kind = Kind::kNone;
  std::int64_t integer = 0;  // kInt, kBool; kStorage: element count; kTensor: storage offset
  double real = 0;           // kFloat
  std::string text;  // kString; kBigInt: little-endian two's complement bytes; kStorage: key
  std::vector<const PickleValue*> items;  // kTuple, kList; kDict: key, value, key, value, ...
  Global global = Global::kOrderedDict;   // kGlobal
  StorageType storage_type = StorageType::kFloat;  // kGlobal(kStorageType), kStorage
  const PickleValue* storage = nullptr;            // kTensor
  std::vector<std::int64_t> shape;                 // kTensor
  std::vector<std::int64_t> stride;                // kTensor
};

class PickleMachine {
 public:
  // `bytes` must outlive the machine; `file_name` prefixes every error message.
  PickleMachine(std::string_view bytes, std::string file_name)
      : bytes_(bytes), file_name_(std::move(file_name)) {}

  // Runs the pickle that starts at `offset` up to its STOP; returns the unpickled value
  // (owned by the machine). Each run has its own memo, as each pickle.dump() does.
  base::Result<const PickleValue*> run(std::size_t offset);
  // The offset just past the last STOP.
  std::size_t end_offset() const { return pos_; }

 private:
  PickleValue* make(PickleValue::Kind kind);
  base::Status error(std::size_t at, std::string_view what) const;
  base::Status step(unsigned char op, std::size_t at, bool& stopped);
  base::Status refuse(unsigned char op, std::size_t at) const;
  // Opcode handlers, one per group of opcodes (step dispatches); `at` is the opcode's offset.
  base::Status control(unsigned char op, std::size_t at, bool& stopped);
  base::Status make_container(unsigned char op, std::size_t at);
  base::Status fill_container(unsigned char op, std::size_t at);
  base::Status memo_op(unsigned char op, std::size_t at);
  base::Status push_constant(unsigned char op, std::size_t at);
  base::Status push_string_op(unsigned char op, std::size_t at);
  base::Status load_object(unsigned char op, std::size_t at);

  base::Status make_tuple(std::size_t n, std::size_t at);
  base::Status memo_put(std::uint64_t key, std::size_t at);
  base::Status memo_get(std::uint64_t key, std::size_t at);
  base::Status push_int(std::int64_t v);
  base::Status push_long1(std::size_t at);
  base::Status push_binfloat(std::size_t at);
  base::Status push_string(std::size_t len, std::size_t at);
  base::Status read_global(std::size_t at);
  base::Result<std::string_view> take(std::size_t n, std::size_t at);
  template <typename T>
  base::Result<T> take_le(std::size_t at);  // sizeof(T) bytes, little-endian
  base::Result<PickleValue*> pop(std::size_t at);
  base::Result<std::vector<const PickleValue*>> pop_to_mark(std::size_t at);
  base::Status push_global(std::string_view module, std::string_view name, std::size_t at);
  base::Result<PickleValue*> reduce(const PickleValue& callable, const PickleValue& args,
                                    std::size_t at);
  base::Result<PickleValue*> persistent_load(const PickleValue& pid, std::size_t at);
  base::Status set_items(PickleValue& dict, const std::vector<const PickleValue*>& kv,
                         std::size_t at);

  std::string_view bytes_;
  std::string file_name_;
  std::size_t pos_ = 0;
  std::vector<std::unique_ptr<PickleValue>> arena_;
  std::vector<PickleValue*> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, PickleValue*> memo_;
};

}  // namespace qtune::metrics
