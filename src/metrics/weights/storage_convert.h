// From a storage's raw bytes and a tensor view (offset, shape, stride, all in elements) to a
// contiguous float32 Tensor. Views are gathered element by element after checking that the
// last element they touch lies inside the storage.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "metrics/weights/pickle_machine.h"
#include "metrics/weights/state_dict.h"
#include "qtune/base/result.h"

namespace qtune::metrics {

// kCorrupt unless `bytes` == the storage's declared element count times its element size.
base::Status check_storage_size(const PickleValue& storage, std::size_t bytes,
                                const std::string& file);

// `tensor` is a kTensor value whose storage holds `bytes`; `where` prefixes errors.
base::Result<Tensor> gather_tensor(const PickleValue& tensor, std::string_view bytes,
                                   const std::string& where);

}  // namespace qtune::metrics
