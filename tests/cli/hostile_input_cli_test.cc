// Issue 11: inputs that must not crash qtune nor leak a secret, end to end through the
// qtune binary: malformed storage URLs never show a piece of their password (case 3), a
// study file's storage scheme error names file:line, a study file's numbers and nesting
// are exit 2 (cases 4, 5), and `qtune fid` of two .npz files needs no weights (case 12).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

constexpr std::string_view kSecret = "Zq8xK2vW9mJ4tR";

// The first 4+ character piece of kSecret that `text` shows, or "".
std::string leaked_piece(const std::string& text) {
  for (std::size_t from = 0; from + 4 <= kSecret.size(); ++from) {
    const std::string piece(kSecret.substr(from, 4));
    if (text.find(piece) != std::string::npos) return piece;
  }
  return "";
}

TEST(HostileInput, NoMalformedStorageUrlShowsAnyPieceOfItsPassword) {
  const TempDir dir;
  const std::vector<std::string> urls = {
      "postgresql://u:Zq8xK2vW9mJ4tR@[::1:5433/db",           // unclosed bracket
      "postgresql://u:Zq8xK2v@W9mJ4tR@127.0.0.1:1/db",        // '@' in the password
      "postgresql://u:Zq8xK2v/W9mJ4tR@127.0.0.1:1/db",        // '/' in the password
      "postgresql://u:Zq8xK2v?W9mJ4tR@127.0.0.1:1/db",        // '?' in the password
      "postgresql://u:%5Aq8xK2vW9mJ4tR@127.0.0.1:1/db",       // percent-encoded
      "postgresql://u:Zq8x%zzK2vW9mJ4tR@127.0.0.1:1/db",      // bad percent-encoding
      "postgresql://u:Zq8xK2vW9mJ4tR@127.0.0.1:notaport/db",  // bad port
      "postgresql://u:Zq8xK2vW9mJ4tR@127.0.0.1:1/db",         // nothing listening
      "postgressql://u:Zq8xK2vW9mJ4tR@127.0.0.1/db",          // scheme typo
      "postgresql:/u:Zq8xK2vW9mJ4tR@127.0.0.1/db",            // one slash
      "postgres:u:Zq8xK2vW9mJ4tR@127.0.0.1/db",               // no slashes
      "postgresql:host=127.0.0.1 port=1 password=Zq8xK2vW9mJ4tR",
      "postgresql:host=127.0.0.1 port=x password='Zq8xK2vW9mJ4tR",
      "postgresql://127.0.0.1:1/db?password=Zq8xK2vW9mJ4tR&sslmode=bogus",
  };
  for (const std::string& url : urls) {
    const ProcessResult r =
        run_process({qtune_cli(), "status", "--storage", url, "--study", "x"}, dir.path());
    EXPECT_NE(r.exit_code, 0) << url;
    EXPECT_EQ(leaked_piece(r.err + r.out), "") << url << "\n" << r.err;
    EXPECT_NE(r.err.find("qtune status: "), std::string::npos) << url << "\n" << r.err;
  }
}

TEST(HostileInput, StudyFileStorageSchemeErrorNamesFileAndLine) {
  const TempDir dir;
  const auto study = dir.write("study.toml", R"([study]
name = "s"
storage = "mysql://u:Zq8xK2vW9mJ4tR@h/db"
[space]
x = { range = [0, 6] }
[trial]
command = ["true"]
)");
  const ProcessResult r = run_process({qtune_cli(), "status", study.string()}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("study.toml:3: [study] storage: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown scheme"), std::string::npos) << r.err;
  EXPECT_EQ(leaked_piece(r.err), "") << r.err;
}

TEST(HostileInput, StudyFileNumbersAndNestingAreExit2NotACrash) {
  const TempDir dir;
  const std::string head = "[study]\nname = \"s\"\n[trial]\ncommand = [\"true\"]\n";
  std::string deep = "[space]\nx = [1, 2]\n";
  for (int i = 0; i < 50'000; ++i) deep += "a.";
  deep += "b = 1\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[space]\nx = [1, 2]\n[strategy]\nepsilon_min = 9007199254740993\n", "study.toml:8:"},
      {"[space]\nx = { range = [0, 9223372036854775807] }\n", "study.toml:6:"},
      {"[space]\nx = { pow2 = [1, 9223372036854775807] }\n", "study.toml:6:"},
      {deep, "study.toml:7: a dotted key nests deeper than 64 levels"},
  };
  for (const auto& [body, expected] : cases) {
    const auto study = dir.write("study.toml", head + body);
    const ProcessResult r = run_process({qtune_cli(), "status", study.string()}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << body.substr(0, 80) << "\n" << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
  }
}

TEST(HostileInput, FidOfTwoNpzFilesNeedsNoWeights) {
  const TempDir dir;
  const ProcessResult made = run_process({QTUNE_PYTHON, "-c",
                                          "import numpy as np\n"
                                          "np.savez('a.npz', mu=np.zeros(64), sigma=np.eye(64))\n"
                                          "np.savez('b.npz', mu=np.ones(64), sigma=np.eye(64))\n"},
                                         dir.path());
  ASSERT_EQ(made.exit_code, 0) << made.err;
  // No weights anywhere: TORCH_HOME names an empty folder.
  const ProcessResult r = run_process({qtune_cli(), "fid", "a.npz", "b.npz"}, dir.path(),
                                      {"TORCH_HOME=" + dir.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.out.rfind("FID:  ", 0), 0u) << r.out;
  EXPECT_NEAR(std::stod(r.out.substr(6)), 64.0, 1e-6);
}

}  // namespace
}  // namespace qtune::testing
