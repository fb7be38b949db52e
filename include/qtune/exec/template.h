// Template: a text with placeholders, as used in [trial] command words, workdir, env values
// and metric paths of a study file.
//
//   "{K}_{intermediate_dim}/rec"  with K=4, intermediate_dim=128  ->  "4_128/rec"
//
// A placeholder is `{name}` where name is an identifier ([A-Za-z_][A-Za-z0-9_]*): a
// dimension of the space or one of the built-ins {trial_id} and {trial_dir}. `{{` and `}}`
// stand for literal braces; any other brace is literal text (so `{1: 2}` in a python -c
// program needs no escaping). Parsing validates names once; expansion cannot fail.
//
// Immutable after parsing; safe to share between threads.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"

namespace qtune::exec {

// Names a template may use besides the dimensions.
inline constexpr std::string_view kTrialIdPlaceholder = "trial_id";
inline constexpr std::string_view kTrialDirPlaceholder = "trial_dir";

// Values of the placeholders for one trial, by name.
using TemplateValues = std::map<std::string, std::string, std::less<>>;

class Template {
 public:
  Template() = default;
  // kInvalidArgument naming the placeholder if it is not in `known`; the caller adds
  // file, line and key.
  static base::Result<Template> parse(std::string_view text, const std::vector<std::string>& known);

  // The text with every placeholder replaced by its value; QTUNE_CHECKs that `values`
  // has every name the template uses (parse guaranteed they are known names).
  std::string expand(const TemplateValues& values) const;
  // The same, with each substituted value passed through `quote` (shell = true).
  std::string expand(const TemplateValues& values, std::string (*quote)(std::string_view)) const;

  const std::string& text() const { return text_; }
  bool has_placeholders() const;

 private:
  struct Piece {
    bool placeholder = false;
    std::string text;  // literal text, or the placeholder's name
  };
  std::string text_;
  std::vector<Piece> pieces_;
};

// Quotes a word for POSIX sh: 'it'\''s' form, so no character is special.
std::string shell_quote(std::string_view word);

}  // namespace qtune::exec
