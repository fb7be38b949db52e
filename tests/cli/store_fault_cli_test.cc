// The store's disk fills up in the middle of a study: a real tmpfs of 512 KiB holds the
// SQLite store, and the fourth trial fills it. `qtune run` stops with an error that says the
// disk is full and what to do, nothing finished is lost, `qtune status` still reads the
// study, and once space is freed the same command resumes: the trial that ended while the
// disk was full is recorded from its folder, not run again. Needs a tmpfs mount (root, as
// CI runs); skipped with the reason otherwise.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cli/run_cli_util.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

// A tmpfs mounted for the test's lifetime.
class SmallDisk {
 public:
  SmallDisk(const std::filesystem::path& at, std::string_view size) : at_(at) {
    std::filesystem::create_directories(at);
    mounted_ = run_process({"mount", "-t", "tmpfs", "-o", "size=" + std::string(size), "tmpfs",
                            at.string()})
                   .exit_code == 0;
  }
  ~SmallDisk() {
    if (mounted_) run_process({"umount", "-l", at_.string()});
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  bool mounted() const { return mounted_; }

 private:
  std::filesystem::path at_;
  bool mounted_ = false;
};

TEST(StoreFault, AFullDiskStopsTheRunClearlyAndTheSameCommandResumesLosingNothing) {
  TempDir dir;
  SmallDisk disk(dir / "store", "512k");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  // Trial x = 3 fills the store's disk (once) before it prints its value.
  dir.write("t.sh", R"(echo "$1" >> starts.log
if [ "$1" = 3 ] && [ ! -e filled ]; then touch filled; dd if=/dev/zero of=store/fill bs=4k 2>/dev/null; fi
echo FID: $1
)");
  const auto file = dir.write("study.toml", R"([study]
name = "t"
storage = "sqlite://store/t.db"
[space]
x = { range = [0, 5] }
[strategy]
kind = "grid"
[trial]
command = ["sh", "t.sh", "{x}"]
)");
  const auto qtune = [&](std::vector<std::string> args) {
    args.insert(args.begin(), qtune_cli());
    return run_process(args, dir.path());
  };
  const ProcessResult full = qtune({"run", file.string()});
  EXPECT_EQ(full.exit_code, 1) << full.err;
  EXPECT_NE(full.err.find("database or disk is full"), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("free space (or make it writable) and run the same command again"),
            std::string::npos)
      << full.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "filled"));

  // Read-only, the study opens on the full disk: the three trials before are there.
  const ProcessResult status = qtune({"status", file.string(), "--format", "json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(nlohmann::json::parse(status.out)["counts"]["COMPLETE"], 3) << status.out;

  std::filesystem::remove(dir / "store/fill");
  const ProcessResult resumed = qtune({"run", file.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const nlohmann::json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 6u);
  std::map<std::string, int> starts;
  for (const std::string& line : lines_of(dir / "starts.log")) ++starts[line];
  for (int x = 0; x < 6; ++x) EXPECT_EQ(starts[std::to_string(x)], 1) << "x = " << x;
  for (const nlohmann::json& t : trials) {
    EXPECT_EQ(t["state"], "COMPLETE") << t.dump();
    EXPECT_EQ(t["value"], t["params"]["x"].get<double>()) << t.dump();
  }
}

}  // namespace
}  // namespace qtune::testing
