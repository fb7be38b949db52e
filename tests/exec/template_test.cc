#include "qtune/exec/template.h"

#include <gtest/gtest.h>

#include "support/run_process.h"

namespace qtune::exec {
namespace {

const std::vector<std::string> kKnown = {"K", "batch_size", "trial_id"};

TEST(TemplateTest, ExpandsPlaceholdersAndKeepsOtherBraces) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"{K}", "4"},
      {"{K}_{batch_size}/rec", "4_a b/rec"},
      {"plain", "plain"},
      {"{{K}}", "{K}"},
      {"d = {1: 2}", "d = {1: 2}"},
      {"{K", "{K"},
      {"}{", "}{"},
      {"{ K }", "{ K }"},
      {"{trial_id}-{K}{K}", "7-44"},
      {"", ""},
  };
  const TemplateValues values = {{"K", "4"}, {"batch_size", "a b"}, {"trial_id", "7"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const auto parsed = Template::parse(c.text, kKnown);
    ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
    EXPECT_EQ(parsed->expand(values), c.expected);
    EXPECT_EQ(parsed->text(), c.text);
  }
}

TEST(TemplateTest, UnknownPlaceholderNamesItAndTheKnownOnes) {
  const auto parsed = Template::parse("python {k}", kKnown);
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("{k} names no dimension"), std::string::npos);
  EXPECT_NE(parsed.status().message().find("{batch_size}"), std::string::npos);
}

TEST(TemplateTest, ShellQuotedValuesReachShAsOneWord) {
  // /bin/sh is the independent reference: each quoted value must come back unchanged.
  const std::vector<std::string> words = {
      "a b", "it's", "$(echo pwned)", "`id`", "x;y|z&", "*", "\"q\"", "", "\\n"};
  for (const std::string& word : words) {
    SCOPED_TRACE(word);
    const auto result =
        testing::run_process({"/bin/sh", "-c", "printf '%s|%s' " + shell_quote(word) + " end"});
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out, word + "|end");
  }
}

TEST(TemplateTest, ExpandWithQuoteQuotesOnlyValues) {
  const auto parsed = Template::parse("--k={K}", kKnown);
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_EQ(parsed->expand({{"K", "a b"}}, &shell_quote), "--k='a b'");
  EXPECT_TRUE(parsed->has_placeholders());
}

}  // namespace
}  // namespace qtune::exec
