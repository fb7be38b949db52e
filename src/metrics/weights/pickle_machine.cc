#include "metrics/weights/pickle_machine.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <limits>

#include "metrics/io/little_endian.h"

namespace qtune::metrics {
namespace {

using Kind = PickleValue::Kind;

constexpr std::size_t kMaxValues = std::size_t{1} << 21;

constexpr std::string_view kAllowedGlobals =
    "collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_tensor, "
    "torch._utils._rebuild_parameter, torch.{Float,Double,Half,Long,Int}Storage";

struct AllowedGlobal {
  std::string_view module;
  std::string_view name;
  PickleValue::Global global;
  StorageType storage_type;
};
constexpr std::array<AllowedGlobal, 9> kGlobals = {{
    {"collections", "OrderedDict", PickleValue::Global::kOrderedDict, StorageType::kFloat},
    {"torch._utils", "_rebuild_tensor_v2", PickleValue::Global::kRebuildTensorV2,
     StorageType::kFloat},
    {"torch._utils", "_rebuild_tensor", PickleValue::Global::kRebuildTensor, StorageType::kFloat},
    {"torch._utils", "_rebuild_parameter", PickleValue::Global::kRebuildParameter,
     StorageType::kFloat},
    {"torch", "FloatStorage", PickleValue::Global::kStorageType, StorageType::kFloat},
    {"torch", "DoubleStorage", PickleValue::Global::kStorageType, StorageType::kDouble},
    {"torch", "HalfStorage", PickleValue::Global::kStorageType, StorageType::kHalf},
    {"torch", "LongStorage", PickleValue::Global::kStorageType, StorageType::kLong},
    {"torch", "IntStorage", PickleValue::Global::kStorageType, StorageType::kInt},
}};

// The opcodes a state dict uses (pickletools.py names them).
namespace opcode {
constexpr unsigned char kProto = 0x80;
constexpr unsigned char kFrame = 0x95;
constexpr unsigned char kStop = '.';
constexpr unsigned char kMark = '(';
constexpr unsigned char kEmptyDict = '}';
constexpr unsigned char kEmptyList = ']';
constexpr unsigned char kEmptyTuple = ')';
constexpr unsigned char kTuple1 = 0x85;
constexpr unsigned char kTuple2 = 0x86;
constexpr unsigned char kTuple3 = 0x87;
constexpr unsigned char kTuple = 't';
constexpr unsigned char kList = 'l';
constexpr unsigned char kDict = 'd';
constexpr unsigned char kAppend = 'a';
constexpr unsigned char kAppends = 'e';
constexpr unsigned char kSetItem = 's';
constexpr unsigned char kSetItems = 'u';
constexpr unsigned char kBinPut = 'q';
constexpr unsigned char kLongBinPut = 'r';
constexpr unsigned char kMemoize = 0x94;
constexpr unsigned char kBinGet = 'h';
constexpr unsigned char kLongBinGet = 'j';
constexpr unsigned char kBinInt = 'J';
constexpr unsigned char kBinInt1 = 'K';
constexpr unsigned char kBinInt2 = 'M';
constexpr unsigned char kLong1 = 0x8a;
constexpr unsigned char kNone = 'N';
constexpr unsigned char kNewTrue = 0x88;
constexpr unsigned char kNewFalse = 0x89;
constexpr unsigned char kBinFloat = 'G';
constexpr unsigned char kBinUnicode = 'X';
constexpr unsigned char kBinString = 'T';
constexpr unsigned char kShortBinUnicode = 0x8c;
constexpr unsigned char kShortBinString = 'U';
constexpr unsigned char kBinUnicode8 = 0x8d;
constexpr unsigned char kGlobal = 'c';
constexpr unsigned char kStackGlobal = 0x93;
constexpr unsigned char kBinPersId = 'Q';
constexpr unsigned char kReduce = 'R';
constexpr unsigned char kBuild = 'b';
}  // namespace opcode

// Which handler runs an opcode; kRefused (the default) for every opcode a state dict
// does not need.
enum class OpcodeGroup {
  kRefused,
  kControl,
  kMakeContainer,
  kFillContainer,
  kMemo,
  kConstant,
  kString,
  kObject
};

constexpr std::array<OpcodeGroup, 256> kOpcodeGroups = [] {
  using namespace opcode;
  std::array<OpcodeGroup, 256> groups{};
  const auto assign = [&groups](OpcodeGroup group, std::initializer_list<unsigned char> ops) {
    for (const unsigned char op : ops) groups[op] = group;
  };
  assign(OpcodeGroup::kControl, {kProto, kFrame, kStop, kMark});
  assign(OpcodeGroup::kMakeContainer,
         {kEmptyDict, kEmptyList, kEmptyTuple, kTuple1, kTuple2, kTuple3, kTuple, kList, kDict});
  assign(OpcodeGroup::kFillContainer, {kAppend, kAppends, kSetItem, kSetItems});
  assign(OpcodeGroup::kMemo, {kBinPut, kLongBinPut, kMemoize, kBinGet, kLongBinGet});
  assign(OpcodeGroup::kConstant,
         {kBinInt, kBinInt1, kBinInt2, kLong1, kNone, kNewTrue, kNewFalse, kBinFloat});
  assign(OpcodeGroup::kString,
         {kBinUnicode, kBinString, kShortBinUnicode, kShortBinString, kBinUnicode8});
  assign(OpcodeGroup::kObject, {kGlobal, kStackGlobal, kBinPersId, kReduce, kBuild});
  return groups;
}();

bool is_int(const PickleValue* v) { return v->kind == Kind::kInt; }

// A tuple of ints (a tensor size or stride).
bool to_int_vector(const PickleValue* v, std::vector<std::int64_t>& out) {
  if (v->kind != Kind::kTuple) return false;
  out.clear();
  for (const PickleValue* item : v->items) {
    if (!is_int(item)) return false;
    out.push_back(item->integer);
  }
  return true;
}

}  // namespace

std::size_t element_size(StorageType type) {
  switch (type) {
    case StorageType::kFloat:
      return 4;
    case StorageType::kDouble:
      return 8;
    case StorageType::kHalf:
      return 2;
    case StorageType::kLong:
      return 8;
    case StorageType::kInt:
      return 4;
  }
  return 0;
}

PickleValue* PickleMachine::make(Kind kind) {
  QTUNE_CHECK(arena_.size() < kMaxValues);  // step() refuses the opcode before this
  arena_.push_back(std::make_unique<PickleValue>());
  arena_.back()->kind = kind;
  return arena_.back().get();
}

base::Status PickleMachine::error(std::size_t at, std::string_view what) const {
  return base::Status::corrupt(fmt::format("{}: pickle byte {}: {}", file_name_, at, what));
}

base::Result<std::string_view> PickleMachine::take(std::size_t n, std::size_t at) {
  if (n > bytes_.size() - pos_) {
    return error(at,
                 fmt::format("needs {} bytes, {} remain (truncated?)", n, bytes_.size() - pos_));
  }
  const std::string_view out = bytes_.substr(pos_, n);
  pos_ += n;
  return out;
}

base::Result<PickleValue*> PickleMachine::pop(std::size_t at) {
  if (stack_.empty() || (!marks_.empty() && stack_.size() == marks_.back()))
    return error(at, "stack underflow");
  PickleValue* v = stack_.back();
  stack_.pop_back();
  return v;
}

base::Result<std::vector<const PickleValue*>> PickleMachine::pop_to_mark(std::size_t at) {
  if (marks_.empty()) return error(at, "no MARK to pop to");
  const std::size_t mark = marks_.back();
  marks_.pop_back();
  std::vector<const PickleValue*> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark),
                                        stack_.end());
  stack_.resize(mark);
  return items;
}

base::Status PickleMachine::push_global(std::string_view module, std::string_view name,
                                        std::size_t at) {
  for (const AllowedGlobal& g : kGlobals) {
    if (g.module == module && g.name == name) {
      PickleValue* v = make(Kind::kGlobal);
      v->global = g.global;
      v->storage_type = g.storage_type;
      v->text = fmt::format("{}.{}", module, name);
      stack_.push_back(v);
      return base::Status::ok();
    }
  }
  return error(
      at,
      fmt::format("global '{}.{}' is not allowed (a state dict needs only {}); refusing to load",
                  module, name, kAllowedGlobals));
}

base::Status PickleMachine::set_items(PickleValue& dict, const std::vector<const PickleValue*>& kv,
                                      std::size_t at) {
  if (dict.kind != Kind::kDict) return error(at, "SETITEM(S) on a value that is not a dict");
  if (kv.size() % 2 != 0) return error(at, "SETITEMS with an odd number of items");
  dict.items.insert(dict.items.end(), kv.begin(), kv.end());
  return base::Status::ok();
}

base::Result<PickleValue*> PickleMachine::persistent_load(const PickleValue& pid, std::size_t at) {
  // ('storage', storage type, key, location, numel) in zip files; legacy files add view
  // metadata, which is None unless the storage is a view of another (torch < 1.0).
  const auto& t = pid.items;
  if (pid.kind != Kind::kTuple || (t.size() != 5 && t.size() != 6) || t[0]->kind != Kind::kString ||
      t[0]->text != "storage") {
    return error(at, "persistent id is not a ('storage', type, key, location, numel) tuple");
  }
  if (t[1]->kind != Kind::kGlobal || t[1]->global != PickleValue::Global::kStorageType) {
    return error(at, "persistent id names no storage type (torch.FloatStorage, ...)");
  }
  if (t[2]->kind != Kind::kString || t[3]->kind != Kind::kString || !is_int(t[4]) ||
      t[4]->integer < 0) {
    return error(at, "persistent id has a malformed key, location or element count");
  }
  if (t.size() == 6 && t[5]->kind != Kind::kNone) {
    return error(
        at,
        fmt::format("storage '{}' is a view of another storage (torch < 1.0 format); re-save the "
                    "file with a current torch.save",
                    t[2]->text));
  }
  PickleValue* storage = make(Kind::kStorage);
  storage->storage_type = t[1]->storage_type;
  storage->text = t[2]->text;
  storage->integer = t[4]->integer;
  return storage;
}

base::Result<PickleValue*> PickleMachine::reduce(const PickleValue& callable,
                                                 const PickleValue& args, std::size_t at) {
  if (callable.kind != Kind::kGlobal)
    return error(at, "REDUCE on a value that is not an allowed global");
  if (args.kind != Kind::kTuple)
    return error(at, fmt::format("REDUCE of '{}' without an argument tuple", callable.text));
  const auto& a = args.items;
  switch (callable.global) {
    case PickleValue::Global::kOrderedDict:
      if (!a.empty())
        return error(at, "collections.OrderedDict called with arguments; expected ()");
      return make(Kind::kDict);
    case PickleValue::Global::kRebuildParameter:
      if (a.size() != 3 || a[0]->kind != Kind::kTensor) {
        return error(at,
                     "torch._utils._rebuild_parameter: expected (tensor, requires_grad, hooks)");
      }
      if (a[2]->kind != Kind::kDict || !a[2]->items.empty()) {
        return error(at, "torch._utils._rebuild_parameter: backward hooks are code; expected none");
      }
      return const_cast<PickleValue*>(a[0]);
    case PickleValue::Global::kRebuildTensorV2:
    case PickleValue::Global::kRebuildTensor: {
      const bool v2 = callable.global == PickleValue::Global::kRebuildTensorV2;
      const bool arity_ok = v2 ? (a.size() == 6 || a.size() == 7) : a.size() == 4;
      PickleValue* tensor = make(Kind::kTensor);
      if (!arity_ok || a[0]->kind != Kind::kStorage || !is_int(a[1]) ||
          !to_int_vector(a[2], tensor->shape) || !to_int_vector(a[3], tensor->stride) ||
          tensor->shape.size() != tensor->stride.size()) {
        return error(at, fmt::format("{}: expected (storage, offset, size tuple, stride tuple{})",
                                     callable.text, v2 ? ", requires_grad, hooks" : ""));
      }
      if (v2 && (a[5]->kind != Kind::kDict || !a[5]->items.empty())) {
        return error(at, fmt::format("{}: backward hooks are code; expected none", callable.text));
      }
      tensor->storage = a[0];
      tensor->integer = a[1]->integer;
      return tensor;
    }
    case PickleValue::Global::kStorageType:
      break;
  }
  return error(at, fmt::format("'{}' may not be called; only tensor rebuilds and OrderedDict are",
                               callable.text));
}

base::Result<const PickleValue*> PickleMachine::run(std::size_t offset) {
  pos_ = offset;
  stack_.clear();
  marks_.clear();
  memo_.clear();
  bool stopped = false;
  while (!stopped) {
    const std::size_t at = pos_;
    if (pos_ >= bytes_.size()) return error(at, "ended before STOP (truncated?)");
    const auto op = static_cast<unsigned char>(bytes_[pos_++]);
    QTUNE_RETURN_IF_ERROR(step(op, at, stopped));
  }
  if (stack_.size() != 1 || !marks_.empty()) return error(pos_, "STOP with an unbalanced stack");
  return stack_.back();
}

// One opcode (pickletools.py documents each). `at` is the opcode's offset.
base::Status PickleMachine::step(unsigned char op, std::size_t at, bool& stopped) {
  // Each value costs ~150 bytes per input byte; a hostile pickle must not turn 100 MB into
  // 15 GB. A state dict needs ~20 values per tensor.
  if (arena_.size() + 2 >= kMaxValues) {
    return error(at,
                 fmt::format("more than {} pickle values; a state dict has far fewer", kMaxValues));
  }
  switch (kOpcodeGroups[op]) {
    case OpcodeGroup::kControl:
      return control(op, at, stopped);
    case OpcodeGroup::kMakeContainer:
      return make_container(op, at);
    case OpcodeGroup::kFillContainer:
      return fill_container(op, at);
    case OpcodeGroup::kMemo:
      return memo_op(op, at);
    case OpcodeGroup::kConstant:
      return push_constant(op, at);
    case OpcodeGroup::kString:
      return push_string_op(op, at);
    case OpcodeGroup::kObject:
      return load_object(op, at);
    case OpcodeGroup::kRefused:
      break;
  }
  return refuse(op, at);
}

base::Status PickleMachine::refuse(unsigned char op, std::size_t at) const {
  return error(at, fmt::format("opcode 0x{:02x} is not allowed in a state dict", op));
}

template <typename T>
base::Result<T> PickleMachine::take_le(std::size_t at) {
  QTUNE_ASSIGN_OR_RETURN(const std::string_view v, take(sizeof(T), at));
  return load_le<T>(v, 0);
}

// PROTO, FRAME, STOP, MARK.
base::Status PickleMachine::control(unsigned char op, std::size_t at, bool& stopped) {
  switch (op) {
    case opcode::kProto: {
      QTUNE_ASSIGN_OR_RETURN(const std::string_view v, take(1, at));
      if (static_cast<unsigned char>(v[0]) > 5)
        return error(at, fmt::format("pickle protocol {} is unknown", +v[0]));
      return base::Status::ok();
    }
    case opcode::kFrame:
      return take(8, at).status();  // a length hint only
    case opcode::kStop:
      stopped = true;
      return base::Status::ok();
    case opcode::kMark:
      marks_.push_back(stack_.size());
      return base::Status::ok();
    default:
      return refuse(op, at);
  }
}

// EMPTY_DICT, EMPTY_LIST, EMPTY_TUPLE, TUPLE1-3, and TUPLE, LIST, DICT from the last MARK.
base::Status PickleMachine::make_container(unsigned char op, std::size_t at) {
  switch (op) {
    case opcode::kEmptyDict:
      stack_.push_back(make(Kind::kDict));
      return base::Status::ok();
    case opcode::kEmptyList:
      stack_.push_back(make(Kind::kList));
      return base::Status::ok();
    case opcode::kEmptyTuple:
      return make_tuple(0, at);
    case opcode::kTuple1:
      return make_tuple(1, at);
    case opcode::kTuple2:
      return make_tuple(2, at);
    case opcode::kTuple3:
      return make_tuple(3, at);
    case opcode::kTuple:
    case opcode::kList: {
      QTUNE_ASSIGN_OR_RETURN(auto items, pop_to_mark(at));
      PickleValue* v = make(op == opcode::kTuple ? Kind::kTuple : Kind::kList);
      v->items = std::move(items);
      stack_.push_back(v);
      return base::Status::ok();
    }
    case opcode::kDict: {
      QTUNE_ASSIGN_OR_RETURN(auto items, pop_to_mark(at));
      PickleValue* v = make(Kind::kDict);
      QTUNE_RETURN_IF_ERROR(set_items(*v, items, at));
      stack_.push_back(v);
      return base::Status::ok();
    }
    default:
      return refuse(op, at);
  }
}

// The top `n` values (above the last MARK) into a tuple.
base::Status PickleMachine::make_tuple(std::size_t n, std::size_t at) {
  if (stack_.size() < n + (marks_.empty() ? 0 : marks_.back())) return error(at, "stack underflow");
  PickleValue* t = make(Kind::kTuple);
  t->items.assign(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
  stack_.resize(stack_.size() - n);
  stack_.push_back(t);
  return base::Status::ok();
}

// APPEND, APPENDS, SETITEM, SETITEMS: into the list or dict below.
base::Status PickleMachine::fill_container(unsigned char op, std::size_t at) {
  switch (op) {
    case opcode::kAppend: {
      QTUNE_ASSIGN_OR_RETURN(PickleValue * item, pop(at));
      QTUNE_ASSIGN_OR_RETURN(PickleValue * list, pop(at));
      if (list->kind != Kind::kList) return error(at, "APPEND to a value that is not a list");
      list->items.push_back(item);
      stack_.push_back(list);
      return base::Status::ok();
    }
    case opcode::kAppends: {
      QTUNE_ASSIGN_OR_RETURN(auto items, pop_to_mark(at));
      if (stack_.empty() || stack_.back()->kind != Kind::kList)
        return error(at, "APPENDS to a value that is not a list");
      stack_.back()->items.insert(stack_.back()->items.end(), items.begin(), items.end());
      return base::Status::ok();
    }
    case opcode::kSetItem: {
      QTUNE_ASSIGN_OR_RETURN(PickleValue * value, pop(at));
      QTUNE_ASSIGN_OR_RETURN(PickleValue * key, pop(at));
      if (stack_.empty()) return error(at, "SETITEM without a dict");
      return set_items(*stack_.back(), {key, value}, at);
    }
    case opcode::kSetItems: {
      QTUNE_ASSIGN_OR_RETURN(auto items, pop_to_mark(at));
      if (stack_.empty()) return error(at, "SETITEMS without a dict");
      return set_items(*stack_.back(), items, at);
    }
    default:
      return refuse(op, at);
  }
}

// BINPUT, LONG_BINPUT, MEMOIZE, BINGET, LONG_BINGET.
base::Status PickleMachine::memo_op(unsigned char op, std::size_t at) {
  switch (op) {
    case opcode::kBinPut: {
      QTUNE_ASSIGN_OR_RETURN(const auto key, take_le<std::uint8_t>(at));
      return memo_put(key, at);
    }
    case opcode::kLongBinPut: {
      QTUNE_ASSIGN_OR_RETURN(const auto key, take_le<std::uint32_t>(at));
      return memo_put(key, at);
    }
    case opcode::kMemoize:
      return memo_put(memo_.size(), at);
    case opcode::kBinGet: {
      QTUNE_ASSIGN_OR_RETURN(const auto key, take_le<std::uint8_t>(at));
      return memo_get(key, at);
    }
    case opcode::kLongBinGet: {
      QTUNE_ASSIGN_OR_RETURN(const auto key, take_le<std::uint32_t>(at));
      return memo_get(key, at);
    }
    default:
      return refuse(op, at);
  }
}

base::Status PickleMachine::memo_put(std::uint64_t key, std::size_t at) {
  if (stack_.empty()) return error(at, "memo store from an empty stack");
  memo_[key] = stack_.back();
  return base::Status::ok();
}

base::Status PickleMachine::memo_get(std::uint64_t key, std::size_t at) {
  const auto it = memo_.find(key);
  if (it == memo_.end()) return error(at, fmt::format("memo key {} was never stored", key));
  stack_.push_back(it->second);
  return base::Status::ok();
}

// BININT, BININT1, BININT2, LONG1, NONE, NEWTRUE, NEWFALSE, BINFLOAT.
base::Status PickleMachine::push_constant(unsigned char op, std::size_t at) {
  switch (op) {
    case opcode::kBinInt: {
      QTUNE_ASSIGN_OR_RETURN(const auto v, take_le<std::int32_t>(at));
      return push_int(v);
    }
    case opcode::kBinInt1: {
      QTUNE_ASSIGN_OR_RETURN(const auto v, take_le<std::uint8_t>(at));
      return push_int(v);
    }
    case opcode::kBinInt2: {
      QTUNE_ASSIGN_OR_RETURN(const auto v, take_le<std::uint16_t>(at));
      return push_int(v);
    }
    case opcode::kLong1:
      return push_long1(at);
    case opcode::kNone:
      stack_.push_back(make(Kind::kNone));
      return base::Status::ok();
    case opcode::kNewTrue:
    case opcode::kNewFalse: {
      PickleValue* b = make(Kind::kBool);
      b->integer = op == opcode::kNewTrue ? 1 : 0;
      stack_.push_back(b);
      return base::Status::ok();
    }
    case opcode::kBinFloat:
      return push_binfloat(at);
    default:
      return refuse(op, at);
  }
}

base::Status PickleMachine::push_int(std::int64_t v) {
  PickleValue* x = make(Kind::kInt);
  x->integer = v;
  stack_.push_back(x);
  return base::Status::ok();
}

// LONG1: n-byte little-endian two's complement.
base::Status PickleMachine::push_long1(std::size_t at) {
  QTUNE_ASSIGN_OR_RETURN(const std::string_view n, take(1, at));
  const std::size_t len = static_cast<unsigned char>(n[0]);
  QTUNE_ASSIGN_OR_RETURN(const std::string_view v, take(len, at));
  if (len == 0) return push_int(0);
  if (len > 8) {  // kept as bytes: only compared (the legacy magic number)
    PickleValue* x = make(Kind::kBigInt);
    x->text = std::string(v);
    stack_.push_back(x);
    return base::Status::ok();
  }
  std::uint64_t u = 0;
  for (std::size_t i = len; i-- > 0;) u = (u << 8) | static_cast<unsigned char>(v[i]);
  if (len < 8 && (static_cast<unsigned char>(v[len - 1]) & 0x80u) != 0)
    u |= ~std::uint64_t{0} << (8 * len);
  return push_int(static_cast<std::int64_t>(u));
}

// BINFLOAT: big-endian double.
base::Status PickleMachine::push_binfloat(std::size_t at) {
  QTUNE_ASSIGN_OR_RETURN(const std::string_view v, take(8, at));
  std::string reversed(v.rbegin(), v.rend());
  PickleValue* x = make(Kind::kFloat);
  x->real = load_le<double>(reversed, 0);
  stack_.push_back(x);
  return base::Status::ok();
}

// BINUNICODE, BINSTRING, SHORT_BINUNICODE, SHORT_BINSTRING, BINUNICODE8.
base::Status PickleMachine::push_string_op(unsigned char op, std::size_t at) {
  switch (op) {
    case opcode::kBinUnicode:
    case opcode::kBinString: {
      QTUNE_ASSIGN_OR_RETURN(const auto len, take_le<std::uint32_t>(at));
      return push_string(len, at);
    }
    case opcode::kShortBinUnicode:
    case opcode::kShortBinString: {
      QTUNE_ASSIGN_OR_RETURN(const auto len, take_le<std::uint8_t>(at));
      return push_string(len, at);
    }
    case opcode::kBinUnicode8: {
      QTUNE_ASSIGN_OR_RETURN(const auto len, take_le<std::uint64_t>(at));
      if (len > bytes_.size())
        return error(at, fmt::format("string of {} bytes declared, the file is shorter", len));
      return push_string(static_cast<std::size_t>(len), at);
    }
    default:
      return refuse(op, at);
  }
}

base::Status PickleMachine::push_string(std::size_t len, std::size_t at) {
  QTUNE_ASSIGN_OR_RETURN(const std::string_view s, take(len, at));
  PickleValue* x = make(Kind::kString);
  x->text = std::string(s);
  stack_.push_back(x);
  return base::Status::ok();
}

// GLOBAL, STACK_GLOBAL, BINPERSID, REDUCE, BUILD: only the allowed globals, called as a state
// dict calls them.
base::Status PickleMachine::load_object(unsigned char op, std::size_t at) {
  switch (op) {
    case opcode::kGlobal:
      return read_global(at);
    case opcode::kStackGlobal: {
      QTUNE_ASSIGN_OR_RETURN(PickleValue * name, pop(at));
      QTUNE_ASSIGN_OR_RETURN(PickleValue * module, pop(at));
      if (name->kind != Kind::kString || module->kind != Kind::kString)
        return error(at, "STACK_GLOBAL of non-strings");
      return push_global(module->text, name->text, at);
    }
    case opcode::kBinPersId: {
      QTUNE_ASSIGN_OR_RETURN(PickleValue * pid, pop(at));
      QTUNE_ASSIGN_OR_RETURN(PickleValue * storage, persistent_load(*pid, at));
      stack_.push_back(storage);
      return base::Status::ok();
    }
    case opcode::kReduce: {
      QTUNE_ASSIGN_OR_RETURN(PickleValue * args, pop(at));
      QTUNE_ASSIGN_OR_RETURN(PickleValue * callable, pop(at));
      QTUNE_ASSIGN_OR_RETURN(PickleValue * result, reduce(*callable, *args, at));
      stack_.push_back(result);
      return base::Status::ok();
    }
    case opcode::kBuild: {  // only an OrderedDict's attributes (`_metadata`), which are dropped
      QTUNE_ASSIGN_OR_RETURN(PickleValue * state, pop(at));
      if (stack_.empty() || stack_.back()->kind != Kind::kDict || state->kind != Kind::kDict) {
        return error(at, "BUILD is allowed only to set a dict's attributes");
      }
      return base::Status::ok();
    }
    default:
      return refuse(op, at);
  }
}

// GLOBAL "module\nname\n".
base::Status PickleMachine::read_global(std::size_t at) {
  const std::size_t module_end = bytes_.find('\n', pos_);
  const std::size_t name_end =
      module_end == std::string_view::npos ? module_end : bytes_.find('\n', module_end + 1);
  if (name_end == std::string_view::npos)
    return error(at, "GLOBAL without two newline-terminated names");
  const std::string_view module = bytes_.substr(pos_, module_end - pos_);
  const std::string_view name = bytes_.substr(module_end + 1, name_end - module_end - 1);
  pos_ = name_end + 1;
  return push_global(module, name, at);
}

}  // namespace qtune::metrics
