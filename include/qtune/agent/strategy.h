// Strategy: the one ask/tell interface behind which every search strategy sits
// (q-learning in its presets, random search, grid search).
//
// The loop that drives a strategy lives in the study (or in replay), never here: a strategy
// neither runs trials nor touches storage. It sees only measured outcomes, as losses
// (lower is better; the study negates a metric to maximise), and failures as such, to
// which it applies its own failure penalty.
//
// Evaluations are cached by the strategy: ask() proposes only states that need a real
// evaluation (a state never measured, or a deliberate re-measurement of a noisy one).
// Agent steps onto known states happen inside ask() and cost nothing.
//
// Determinism: for a given space, config and seed, the sequence of proposals is a pure
// function of the sequence of (ask, tell) calls and their outcomes. snapshot() captures
// everything that influences the future (tables, RNG states, pending proposals, schedules),
// so a strategy restored from it proposes exactly what the original would have.
//
// Not thread-safe: the owner serialises calls.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/space/moves.h"
#include "qtune/space/space.h"

namespace qtune::agent {

struct Proposal {
  space::StateId state = 0;
  std::uint32_t trajectory = 0;  // which of the k parallel trajectories asked for it
  bool remeasure = false;        // true: a deliberate re-measurement of an evaluated state
};

// The outcome of evaluating a proposal.
struct Observation {
  std::optional<double> loss;  // lower is better; nullopt: the trial failed
  // The trial was stopped early (pruned): `loss` is a censored measurement, a bound in the
  // units of the other losses (it would have ended at least this bad; study/pruning.h
  // pruned_loss_bound). A strategy without a notion of censoring learns it as a measurement
  // of that value: the state counts as evaluated.
  bool censored = false;
  // What the evaluation cost (seconds of the trial, or a replay table's cost column);
  // nullopt: unknown. A cost-aware strategy learns a cost model from it (docs/config.md,
  // "Cost-aware search"); the others ignore it.
  std::optional<double> cost = std::nullopt;
};

// One row of a Q-table: the value of every action (Moves order) in a state.
struct QRow {
  space::StateId state = 0;
  std::vector<double> q;
};

// What a strategy's model believes about the loss at a state (the loss as told: lower is
// better), in the units of the losses told.
struct Belief {
  double mean = 0;
  double sd = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  Strategy() = default;
  Strategy(const Strategy&) = delete;
  Strategy& operator=(const Strategy&) = delete;

  // "q-learning", "random", "grid".
  virtual std::string_view name() const = 0;

  // The next state to evaluate, or nullopt: either every trajectory waits for a pending
  // proposal to be told (the caller knows whether any are pending), or the strategy is
  // exhausted (nothing left worth evaluating; with no pending proposals, the study ends).
  virtual std::optional<Proposal> ask() = 0;

  // The outcome of a proposal that ask() returned and that was not told yet.
  virtual void tell(const Proposal& proposal, const Observation& observation) = 0;

  // A measurement the strategy did not propose: a result that existed before the study
  // (`qtune import`). It is learned from as a told one would be (the evaluation cache, the
  // model's measurements), so that the first proposal already starts from it, and the state
  // counts as measured: no strategy proposes it again as new (random and grid skip it). A
  // state measured again adds a repeated measurement where the strategy keeps them (the
  // model), and is ignored otherwise; a state proposed and not yet told is left to its tell.
  // Deterministic like tell, and part of snapshot(). The default ignores it (for strategies
  // outside qtune that learn nothing from outside).
  virtual void observe(space::StateId state, const Observation& observation) {
    (void)state;
    (void)observation;
  }

  // The configuration the strategy recommends now: the best measured one for a noise-free
  // objective; the best by the model's mean among measured states when measurements are
  // noisy. nullopt before the first successful evaluation.
  virtual std::optional<space::StateId> recommend() const = 0;

  // Q-values of the visited states (empty for strategies without a Q-table), in state order.
  virtual std::vector<QRow> q_table() const { return {}; }
  // The move set the Q-table's columns refer to; nullptr without a Q-table.
  virtual const space::Moves* moves() const { return nullptr; }
  // Where greedy roll-outs begin: the fixed start, or the recommended state.
  virtual std::optional<space::StateId> start_state() const { return recommend(); }
  // Current exploration rate, for progress displays; nullopt where it means nothing.
  virtual std::optional<double> epsilon() const { return std::nullopt; }
  // Its model's predictions at `states` (one each, in order); empty for a strategy without
  // a model (all but model-based q-learning) and before anything was told. Read-only.
  virtual std::vector<Belief> beliefs(std::span<const space::StateId> states) const {
    (void)states;
    return {};
  }

  // Opaque, versioned bytes; restore() of them on a strategy created with the same space,
  // config and seed yields one indistinguishable from this one. kCorrupt on bad bytes.
  virtual std::string snapshot() const = 0;
  virtual base::Status restore(std::string_view snapshot) = 0;
};

}  // namespace qtune::agent
