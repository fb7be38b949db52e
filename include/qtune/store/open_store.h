// open_store: a Store from a storage URL.
//
//   sqlite:///abs/path/study.db   an absolute path (three slashes)
//   sqlite://relative/study.db    relative to the current directory
//   sqlite://:memory:             a private in-memory database (gone when the store is)
//   postgresql://...              not built yet (kInvalidArgument)
//
// A SQLite file is created if missing, with its parent folder required to exist.
#pragma once

#include <memory>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/store/store.h"

namespace qtune::store {

base::Result<std::unique_ptr<Store>> open_store(std::string_view url);

}  // namespace qtune::store
