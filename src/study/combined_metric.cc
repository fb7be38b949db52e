#include "qtune/study/combined_metric.h"

#include <algorithm>
#include <map>
#include <string>

namespace qtune::study {
namespace {

bool counts(const store::TrialRecord& t) {
  return t.state == store::TrialState::kComplete && !t.components.empty();
}

// A value oriented so that lower is better.
double oriented(const MetricComponent& c) { return c.maximize ? -c.value : c.value; }

// Each component's oriented values over a set of trials, sorted, by component name.
class ComponentRanks {
 public:
  explicit ComponentRanks(const std::vector<store::TrialRecord>& trials) {
    for (const store::TrialRecord& t : trials) {
      if (!counts(t)) continue;
      for (const MetricComponent& c : t.components) sorted_[c.name].push_back(oriented(c));
    }
    for (auto& [name, values] : sorted_) std::sort(values.begin(), values.end());
  }

  // The weighted mean of the components' mid-ranks as fractions; `extra`: the trial is not
  // among the trials ranked, and joins them.
  double loss(const std::vector<MetricComponent>& components, bool extra) const {
    double sum = 0;
    double weights = 0;
    for (const MetricComponent& c : components) {
      const double x = oriented(c);
      const auto found = sorted_.find(c.name);
      double better = 0;
      double ties = extra ? 1 : 0;
      double n = extra ? 1 : 0;
      if (found != sorted_.end()) {
        const std::vector<double>& v = found->second;
        const auto low = std::lower_bound(v.begin(), v.end(), x);
        const auto high = std::upper_bound(low, v.end(), x);
        better += static_cast<double>(low - v.begin());
        ties += static_cast<double>(high - low);
        n += static_cast<double>(v.size());
      }
      sum += c.weight * (n > 0 ? (better + ties / 2) / n : 0.5);
      weights += c.weight;
    }
    return weights > 0 ? sum / weights : 0.5;
  }

 private:
  std::map<std::string, std::vector<double>> sorted_;
};

}  // namespace

double told_combined_loss(const std::vector<MetricComponent>& components,
                          const std::vector<store::TrialRecord>& finished) {
  return ComponentRanks(finished).loss(components, true);
}

std::vector<std::optional<double>> combined_loss_now(
    const std::vector<store::TrialRecord>& trials) {
  const ComponentRanks ranks(trials);
  std::vector<std::optional<double>> out;
  out.reserve(trials.size());
  for (const store::TrialRecord& t : trials) {
    out.push_back(counts(t) ? std::optional<double>(ranks.loss(t.components, false))
                            : std::nullopt);
  }
  return out;
}

bool has_components(const std::vector<store::TrialRecord>& trials) {
  return std::any_of(trials.begin(), trials.end(), counts);
}

std::vector<std::string> component_names(const std::vector<store::TrialRecord>& trials) {
  std::vector<std::string> names;
  for (const store::TrialRecord& t : trials) {
    for (const MetricComponent& c : t.components) {
      if (std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name);
    }
  }
  return names;
}

std::optional<double> component_value(const store::TrialRecord& t, std::string_view name) {
  for (const MetricComponent& c : t.components) {
    if (c.name == name) return c.value;
  }
  return std::nullopt;
}

std::vector<std::size_t> pareto_front(const std::vector<store::TrialRecord>& trials) {
  const store::TrialRecord* latest = nullptr;
  for (const store::TrialRecord& t : trials) {
    if (counts(t) && (latest == nullptr || t.number > latest->number)) latest = &t;
  }
  if (latest == nullptr) return {};
  // Each candidate's oriented values in the order of the latest trial's components.
  std::vector<std::size_t> candidates;
  std::vector<std::vector<double>> points;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    if (!counts(trials[i])) continue;
    std::vector<double> point;
    for (const MetricComponent& wanted : latest->components) {
      const auto& have = trials[i].components;
      const auto found = std::find_if(have.begin(), have.end(), [&](const MetricComponent& c) {
        return c.name == wanted.name;
      });
      if (found == have.end()) break;
      point.push_back(oriented(*found));
    }
    if (point.size() != latest->components.size()) continue;
    candidates.push_back(i);
    points.push_back(std::move(point));
  }
  const auto dominates = [](const std::vector<double>& a, const std::vector<double>& b) {
    bool better = false;
    for (std::size_t k = 0; k < a.size(); ++k) {
      if (a[k] > b[k]) return false;
      better = better || a[k] < b[k];
    }
    return better;
  };
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 0; j < points.size() && !dominated; ++j)
      dominated = j != i && dominates(points[j], points[i]);
    if (!dominated) front.push_back(candidates[i]);
  }
  return front;
}

}  // namespace qtune::study
