#include "study/fingerprint.h"

#include <fmt/format.h>

#include <sstream>

#include "qtune/store/open_store.h"

namespace qtune::study::detail {
namespace {

// The first line where two texts differ, as "stored: ... / now: ...".
std::string first_difference(const std::string& stored, const std::string& now) {
  std::istringstream a(stored);
  std::istringstream b(now);
  std::string la;
  std::string lb;
  while (true) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "";
    if (!more_a) la = "(nothing)";
    if (!more_b) lb = "(nothing)";
    if (la != lb || !more_a || !more_b) return fmt::format("stored \"{}\", now \"{}\"", la, lb);
  }
}

}  // namespace

std::string space_text(const space::Space& space) {
  std::string out;
  for (const space::Dimension& dim : space.dimensions()) {
    out += dim.name + " = [";
    for (std::size_t i = 0; i < dim.size(); ++i) {
      if (i > 0) out += ", ";
      out += space::format_value(dim.values[i]);
    }
    out += "]\n";
  }
  return out;
}

store::StudyRecord study_record(const StudyConfig& config) {
  store::StudyRecord record;
  record.name = config.name;
  record.space = space_text(config.space);
  record.strategy = config.strategy_text;
  record.direction = config.direction;
  record.seed = config.seed;
  return record;
}

base::Status check_same_study(const store::StudyRecord& stored, const StudyConfig& config) {
  const store::StudyRecord now = study_record(config);
  std::string what;
  if (stored.space != now.space) {
    what = "[space] changed: " + first_difference(stored.space, now.space);
  } else if (stored.strategy != now.strategy) {
    what = "[strategy] changed: " + first_difference(stored.strategy, now.strategy);
  } else if (stored.direction != now.direction) {
    what =
        fmt::format("[study] direction changed: stored \"{}\", now \"{}\"",
                    store::direction_name(stored.direction), store::direction_name(now.direction));
  } else if (stored.seed != now.seed) {
    what = fmt::format("[study] seed changed: stored {}, now {}", stored.seed, now.seed);
  } else {
    return base::Status::ok();
  }
  return base::Status::invalid_argument(fmt::format(
      "{}: study \"{}\" in {} was created from a different study file: {}; its trials and agent "
      "state "
      "belong to the old one, so restore it, or give this study a new [study] name or storage",
      config.file.string(), config.name, config.storage, what));
}

}  // namespace qtune::study::detail
