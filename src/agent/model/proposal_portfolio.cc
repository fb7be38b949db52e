#include "agent/model/proposal_portfolio.h"

#include <cmath>
#include <numbers>
#include <string>

namespace qtune::agent::model {

ProposalPortfolio::ProposalPortfolio(std::size_t rules, double discount)
    : discount_(discount), successes_(rules, 0.0), failures_(rules, 0.0) {
  QTUNE_CHECK(rules >= 1 && discount > 0.0 && discount <= 1.0);
}

std::size_t ProposalPortfolio::choose(Rng& rng) const {
  if (rules() == 1) return 0;
  std::size_t best = 0;
  double best_draw = -1.0;
  for (std::size_t i = 0; i < rules(); ++i) {
    const double draw = sample_beta(rng, 1.0 + successes_[i], 1.0 + failures_[i]);
    if (draw > best_draw) {
      best_draw = draw;
      best = i;
    }
  }
  return best;
}

void ProposalPortfolio::reward(std::size_t rule, bool success) {
  QTUNE_CHECK(rule < rules());
  for (std::size_t i = 0; i < rules(); ++i) {
    successes_[i] *= discount_;
    failures_[i] *= discount_;
  }
  (success ? successes_ : failures_)[rule] += 1.0;
}

void ProposalPortfolio::save(base::ByteWriter& out) const {
  out.f64s(successes_);
  out.f64s(failures_);
}

base::Status ProposalPortfolio::load(base::ByteReader& in) {
  QTUNE_ASSIGN_OR_RETURN(std::vector<double> s, in.f64s());
  QTUNE_ASSIGN_OR_RETURN(std::vector<double> f, in.f64s());
  if (s.size() != rules() || f.size() != rules()) {
    return base::Status::corrupt("proposal portfolio: " + std::to_string(s.size()) +
                                 " rules saved; this strategy has " + std::to_string(rules()));
  }
  for (std::size_t i = 0; i < rules(); ++i) {
    if (!(s[i] >= 0.0) || !(f[i] >= 0.0) || !std::isfinite(s[i]) || !std::isfinite(f[i])) {
      return base::Status::corrupt("proposal portfolio: counts must be finite and >= 0");
    }
  }
  successes_ = std::move(s);
  failures_ = std::move(f);
  return base::Status::ok();
}

double sample_normal(Rng& rng) {
  const double u1 = 1.0 - rng.uniform();  // (0, 1]
  const double u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double sample_gamma(Rng& rng, double shape) {
  QTUNE_CHECK(shape > 0.0);
  if (shape < 1.0) {
    const double u = 1.0 - rng.uniform();
    return sample_gamma(rng, shape + 1.0) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = 0.0, v = 0.0;
    do {
      x = sample_normal(rng);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = 1.0 - rng.uniform();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

double sample_beta(Rng& rng, double a, double b) {
  const double x = sample_gamma(rng, a);
  const double y = sample_gamma(rng, b);
  return x / (x + y);
}

}  // namespace qtune::agent::model
