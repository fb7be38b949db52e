"""A Keras-like user loop: your training function, qtune.optimize(study, objective), the best.

    python3 examples/python/optimize_loop.py [FOLDER]

The study (space, budget) is a dict shaped like a study file; its trials go to FOLDER/loop.db
(default: a temporary folder), which `qtune status FOLDER/loop.toml` reads too. `train` stands for
a training run that returns the FID of its reconstructions: here a known bowl, so that the run is
quick and the answer checkable (K=6, intermediate_dim=128, batch_size=32 is the optimum).
"""
import sys
import tempfile

import qtune


def train(K, intermediate_dim, batch_size, maxiter):
    """The FID a training with these hyperparameters reaches (lower is better)."""
    return 10.0 + (K - 6) ** 2 + (intermediate_dim / 128 - 1) ** 2 * 4 + (batch_size != 32) * 2 + 20.0 / maxiter


def main(folder):
    study = qtune.Study.from_dict({
        "study": {"name": "loop", "seed": 1},
        "space": {
            "K": {"range": [2, 10]},
            "intermediate_dim": {"values": [64, 128, 256]},
            "batch_size": {"values": [16, 32, 64]},
            "maxiter": {"values": [20, 40]},
        },
        "budget": {"trials": 40},
    }, path=f"{folder}/loop.toml")
    with study:
        best = qtune.optimize(study, train)
        progress = study.progress()
    print(f"best FID {best.value:.4g} with {best.params} after {progress.evaluations} trainings")
    return best


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(folder)
