// load_state_dict against PyTorch: files written by torch.save in both formats (by
// tests/reference/io_write_state_dict.py), compared value by value with what torch itself
// holds; hostile and malformed files must give errors, never crashes.
#include "metrics/weights/state_dict.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "metrics/weights/parse_state_dict.h"
#include "support/inception_weights.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::metrics {
namespace {

using qtune::testing::fid_inception_weights;
using qtune::testing::fid_inception_weights_legacy;
using qtune::testing::fid_inception_weights_values;
using qtune::testing::read_file;
using qtune::testing::run_reference_script;
using qtune::testing::TempDir;
using namespace std::string_literals;

// The reference values: per key (sorted), u32 length + key, u32 ndim + int64 dims, float32 data.
StateDict read_expected(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  StateDict out;
  std::size_t pos = 0;
  auto take = [&](void* dst, std::size_t n) {
    QTUNE_CHECK(pos + n <= bytes.size());
    if (n == 0) return;  // dst may be null (0-d shape, empty tensor)
    std::memcpy(dst, bytes.data() + pos, n);
    pos += n;
  };
  while (pos < bytes.size()) {
    std::uint32_t len = 0;
    take(&len, 4);
    std::string key(len, '\0');
    take(key.data(), len);
    std::uint32_t ndim = 0;
    take(&ndim, 4);
    Tensor t;
    t.shape.resize(ndim);
    take(t.shape.data(), ndim * 8);
    std::size_t count = 1;
    for (std::int64_t d : t.shape) count *= static_cast<std::size_t>(d);
    t.data.resize(count);
    take(t.data.data(), count * 4);
    out.emplace(key, std::move(t));
  }
  return out;
}

void expect_same(const StateDict& actual, const StateDict& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (const auto& [key, tensor] : expected) {
    const auto it = actual.find(key);
    ASSERT_NE(it, actual.end()) << key;
    EXPECT_EQ(it->second.shape, tensor.shape) << key;
    ASSERT_EQ(it->second.data.size(), tensor.data.size()) << key;
    for (std::size_t i = 0; i < tensor.data.size(); ++i) {
      ASSERT_EQ(it->second.data[i], tensor.data[i]) << key << "[" << i << "]";
    }
  }
}

class StateDictFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    run_reference_script("io_write_state_dict.py", {dir_->path().string(), "small", "7"});
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static std::filesystem::path file(std::string_view name) { return *dir_ / name; }
  static std::unique_ptr<TempDir> dir_;
};
std::unique_ptr<TempDir> StateDictFiles::dir_;

TEST_F(StateDictFiles, ZipAndLegacyFormatsMatchTorchValues) {
  for (const char* name : {"small_zip.pth", "small_legacy.pth"}) {
    const auto dict = load_state_dict(file(name));
    ASSERT_TRUE(dict.is_ok()) << dict.status().to_string();
    expect_same(*dict, read_expected(file("small_values.bin")));
  }
}

TEST_F(StateDictFiles, KeepsScalarAndIntegerTensors) {
  const auto dict = load_state_dict(file("small_zip.pth"));
  ASSERT_TRUE(dict.is_ok()) << dict.status().to_string();
  const Tensor& count = dict->at("bn.num_batches_tracked");
  EXPECT_TRUE(count.shape.empty());
  ASSERT_EQ(count.data.size(), 1u);
  EXPECT_EQ(count.data[0], 12345.0f);
  EXPECT_EQ(dict->at("transposed").shape, (std::vector<std::int64_t>{5, 6}));
  EXPECT_TRUE(dict->at("empty").data.empty());
}

void expect_refused(const base::Result<StateDict>& dict, std::string_view file,
                    std::string_view global) {
  ASSERT_FALSE(dict.is_ok());
  EXPECT_EQ(dict.status().code(), base::StatusCode::kCorrupt);
  EXPECT_NE(dict.status().message().find(file), std::string::npos) << dict.status().message();
  EXPECT_NE(dict.status().message().find(global), std::string::npos) << dict.status().message();
}

TEST(StateDict, RefusesPicklesThatCallFunctions) {
  TempDir dir;
  run_reference_script("io_write_hostile_pickles.py", {dir.path().string()});
  expect_refused(load_state_dict(dir / "system_zip.pth"), "system_zip.pth",
                 "'posix.system' is not allowed");
  expect_refused(load_state_dict(dir / "system_legacy.pth"), "system_legacy.pth",
                 "'posix.system' is not allowed");
  expect_refused(load_state_dict(dir / "eval_zip.pth"), "eval_zip.pth",
                 "'__builtin__.eval' is not allowed");
  expect_refused(load_state_dict(dir / "system_plain.pkl"), "system_plain.pkl",
                 "'posix.system' is not allowed");
}

// Every truncation and every single-byte corruption of valid files: an error or (for bytes
// that only change values) a result, but never a crash; ASan/UBSan check the "never".
TEST_F(StateDictFiles, TruncatedOrCorruptFilesNeverCrash) {
  for (const char* name : {"small_zip.pth", "small_legacy.pth"}) {
    const std::string good = read_file(file(name));
    for (std::size_t len = 0; len < good.size(); ++len) {
      const auto dict = parse_state_dict(std::string_view(good).substr(0, len), name);
      EXPECT_FALSE(dict.is_ok()) << name << " cut to " << len;
    }
    for (std::size_t i = 0; i < good.size(); ++i) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ 0xa5);
      (void)parse_state_dict(bad, name).is_ok();
    }
  }
}

// Hand-made legacy files: the header pickles torch writes, then `object` (a pickled dict),
// the storage key list ["0"], then `storage` (int64 count + raw elements).
std::string legacy_file(std::string_view object, std::string_view storage) {
  std::string out = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19."s;  // magic number
  out += "\x80\x02M\xe9\x03."s;                                                    // protocol 1001
  out +=
      "\x80\x02}(X\x0d\x00\x00\x00"
      "little_endian\x88u."s;  // sys info
  out += object;
  out +=
      "\x80\x02]X\x01\x00\x00\x00"
      "0a."s;  // ["0"]
  out += storage;
  return out;
}

// {"w": _rebuild_tensor_v2(<FloatStorage "0" of `numel`>, offset, (size,), (stride,), False,
// OrderedDict())}
std::string one_tensor_pickle(char numel, char offset, char size,
                              std::string_view stride_op = "K\x01") {
  std::string p =
      "\x80\x02}(X\x01\x00\x00\x00"
      "wctorch._utils\n_rebuild_tensor_v2\n"s;
  p += "((X\x07\x00\x00\x00"
       "storagectorch\nFloatStorage\nX\x01\x00\x00\x00"
       "0"s;
  p += "X\x03\x00\x00\x00"
       "cpuK"s +
       numel + "NtQ";
  p += "K"s + offset + "K" + size + "\x85" + std::string(stride_op) + "\x85";
  p += "\x89"
       "ccollections\nOrderedDict\n)RtRu."s;
  return p;
}

std::string floats(std::int64_t count, std::size_t present) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &count, 8);
  for (std::size_t i = 0; i < present; ++i) {
    const float v = static_cast<float>(i) + 0.5f;
    out.append(reinterpret_cast<const char*>(&v), 4);
  }
  return out;
}

TEST(StateDict, HandMadeLegacyFileReadsView) {
  const auto dict =
      parse_state_dict(legacy_file(one_tensor_pickle(4, 1, 3), floats(4, 4)), "made.pth");
  ASSERT_TRUE(dict.is_ok()) << dict.status().to_string();
  EXPECT_EQ(dict->at("w").data, (std::vector<float>{1.5f, 2.5f, 3.5f}));
}

TEST(StateDict, MalformedFilesAreClearErrors) {
  struct Case {
    const char* what;
    std::string bytes;
    const char* message;
  };
  const Case cases[] = {
      {"view past the storage end", legacy_file(one_tensor_pickle(4, 3, 4), floats(4, 4)),
       "reaches element 6"},
      {"huge element count",
       legacy_file(one_tensor_pickle(4, 0, 4), floats(std::int64_t{1} << 62, 4)),
       "elements declared"},
      {"storage shorter than declared", legacy_file(one_tensor_pickle(4, 0, 4), floats(4, 2)),
       "elements declared"},
      {"count disagrees with the pickle", legacy_file(one_tensor_pickle(4, 0, 2), floats(2, 2)),
       "4 elements of 4 bytes declared, 8 bytes present"},
      {"negative stride",
       legacy_file(one_tensor_pickle(4, 0, 4, "J\xff\xff\xff\xff"s), floats(4, 4)), "stride -1"},
      {"offset past the storage", legacy_file(one_tensor_pickle(4, 100, 1), floats(4, 4)),
       "storage offset 100 lies outside storage '0' of 4 elements"},
      {"broadcast view", legacy_file(one_tensor_pickle(1, 0, 4, "K\x00"s), floats(1, 1)),
       "view of shape [4] has more elements than storage '0' (1)"},
      {"huge string length", legacy_file("\x80\x02X\xff\xff\xff\x7f"s, ""),
       "needs 2147483647 bytes"},
      {"unknown opcode", legacy_file("\x80\x02i", ""), "opcode 0x69 is not allowed"},
      {"not a dict", legacy_file("\x80\x02]q\x00."s, ""), "is not a dict"},
      {"memo key never stored", legacy_file("\x80\x02h\x07."s, ""), "memo key 7"},
      {"stack underflow", legacy_file("\x80\x02R.", ""), "stack underflow"},
      {"not a torch file", "hello", "neither a zip nor a pickle"},
      {"empty zip", "PK\x03\x04"s + std::string(18, '\0'), "no zip end-of-central-directory"},
  };
  for (const Case& c : cases) {
    const auto dict = parse_state_dict(c.bytes, "made.pth");
    ASSERT_FALSE(dict.is_ok()) << c.what;
    EXPECT_EQ(dict.status().code(), base::StatusCode::kCorrupt) << c.what;
    EXPECT_NE(dict.status().message().find("made.pth"), std::string::npos)
        << c.what << ": " << dict.status().message();
    EXPECT_NE(dict.status().message().find(c.message), std::string::npos)
        << c.what << ": " << dict.status().message();
  }
}

// pytorch-fid's full key set: the shared random-weight FID Inception file in both formats.
class FidInceptionFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    expected_ = std::make_unique<StateDict>(read_expected(fid_inception_weights_values()));
  }
  static void TearDownTestSuite() { expected_.reset(); }
  static std::unique_ptr<StateDict> expected_;
};
std::unique_ptr<StateDict> FidInceptionFiles::expected_;

TEST_F(FidInceptionFiles, BothFormatsLoadWithTorchValuesAndPassTheKeyCheck) {
  for (const auto& path : {fid_inception_weights(), fid_inception_weights_legacy()}) {
    const auto dict = load_state_dict(path);
    ASSERT_TRUE(dict.is_ok()) << dict.status().to_string();
    EXPECT_EQ(dict->size(), 566u);
    expect_same(*dict, *expected_);
    const base::Status check = check_fid_inception_state_dict(*dict);
    EXPECT_TRUE(check.is_ok()) << path << ": " << check.to_string();
  }

  // The check names the first missing, misshaped or unexpected key.
  StateDict dict = *expected_;
  dict.erase("Mixed_6c.branch7x7_2.bn.running_var");
  dict.erase("Mixed_7c.branch_pool.conv.weight");
  base::Status check = check_fid_inception_state_dict(dict);
  EXPECT_EQ(check.code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(check.message().find("\"Mixed_6c.branch7x7_2.bn.running_var\" is missing"),
            std::string::npos)
      << check.message();

  dict = *expected_;
  dict.at("Mixed_6b.branch7x7_2.conv.weight").shape = {128, 128, 7, 1};
  check = check_fid_inception_state_dict(dict);
  EXPECT_NE(check.message().find(
                "\"Mixed_6b.branch7x7_2.conv.weight\" has shape [128, 128, 7, 1]; expected "
                "[128, 128, 1, 7]"),
            std::string::npos)
      << check.message();

  dict = *expected_;
  dict["AuxLogits.fc.weight"] = Tensor{{1000, 768}, {}};
  check = check_fid_inception_state_dict(dict);
  EXPECT_NE(check.message().find("unexpected tensor \"AuxLogits.fc.weight\""), std::string::npos)
      << check.message();
}

TEST(StateDict, MissingFileIsNotFound) {
  const auto dict = load_state_dict("/nonexistent/weights.pth");
  ASSERT_FALSE(dict.is_ok());
  EXPECT_EQ(dict.status().code(), base::StatusCode::kNotFound);
  EXPECT_NE(dict.status().message().find("/nonexistent/weights.pth"), std::string::npos);
}

TEST(StateDict, DefaultWeightsPathFollowsTorchHome) {
  TempDir tmp;
  ::setenv("TORCH_HOME", tmp.path().c_str(), 1);
  const auto missing = default_weights_path();
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), base::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(kFidInceptionWeightsUrl), std::string::npos);
  const auto expected = tmp.write(std::string("hub/checkpoints/") + kFidInceptionWeightsFile, "x");
  const auto found = default_weights_path();
  ::unsetenv("TORCH_HOME");
  ASSERT_TRUE(found.is_ok()) << found.status().to_string();
  EXPECT_EQ(*found, expected);
}

}  // namespace
}  // namespace qtune::metrics
