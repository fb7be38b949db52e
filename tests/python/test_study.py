"""qtune.Study from Python: ask/tell on a real SQLite file that the qtune CLI reads too."""
import tempfile
import threading
import time
import unittest

import qtune
from qtune_testing import run_cli_json

# 4 x 4 x 4 = 64 configurations; the bowl below has its minimum 0 at K=4 dim=256 act=elu.
STUDY = """\
[study]
name = "toy"
seed = 42

[space]
K = { range = [2, 5] }
dim = { values = [64, 128, 256, 512] }
act = { values = ["relu", "elu", "tanh", "gelu"] }

[budget]
trials = 30
"""


def bowl(K, dim, act):
    return (K - 4) ** 2 + (dim / 256 - 1) ** 2 + (0.0 if act == "elu" else 1.0)


class StudyTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.file = f"{self.dir.name}/toy.toml"
        with open(self.file, "w") as f:
            f.write(STUDY)

    def test_ask_tell_reaches_the_optimum_and_the_cli_reads_the_same_trials(self):
        with qtune.Study.open(self.file) as study:
            self.assertEqual(study.storage, f"sqlite://{self.dir.name}/toy.db")
            told = {}
            while (trial := study.ask()) is not None:
                self.assertEqual([type(v) for v in trial.params.values()], [int, int, str])
                told[trial.number] = bowl(**trial.params)
                study.tell(trial, told[trial.number])
            best = study.best()
            progress = study.progress()
            trials = study.trials()

        # The default strategy finds the optimum in 30 of the 64 configurations.
        self.assertEqual(best.params, {"K": 4, "dim": 256, "act": "elu"})
        self.assertEqual(best.value, 0.0)
        self.assertEqual((progress.complete, progress.evaluations, progress.budget), (30, 30, 30))
        self.assertEqual({t.number: t.value for t in trials}, told)
        first = [t.state_id for t in trials if not t.remeasure]
        self.assertEqual(len(set(first)), len(first), "a configuration is evaluated again only as a re-measurement")

        status = run_cli_json("status", self.file, "--format", "json")
        self.assertEqual(status["trials"], 30)
        self.assertEqual(status["counts"]["COMPLETE"], 30)
        self.assertEqual({k: status["best"][k] for k in ("number", "value", "params")},
                         {"number": best.number, "value": 0.0,
                                          "params": {"K": 4, "dim": 256, "act": "elu"}})
        exported = run_cli_json("export", self.file, "--format", "json")
        self.assertEqual([(t["number"], t["state"], t["value"], t["params"]) for t in exported],
                         [(t.number, t.state, t.value, dict(t.params)) for t in trials])

    def test_resume_after_closing_hands_out_the_untold_trial_again(self):
        study = qtune.Study.open(self.file)
        for _ in range(3):
            trial = study.ask()
            study.tell(trial, bowl(**trial.params))
        pending = study.ask()
        study.close()
        self.assertTrue(study.closed)
        with self.assertRaisesRegex(qtune.OperationError, 'study "toy": closed'):
            study.ask()

        with qtune.Study.open(self.file) as again:
            progress = again.progress()
            self.assertEqual((progress.complete, progress.interrupted), (3, 1))
            resumed = again.ask()
            self.assertEqual((resumed.number, resumed.params, resumed.resumed), (pending.number, pending.params, True))
            again.tell(resumed, bowl(**resumed.params))
            while (trial := again.ask()) is not None:
                again.tell(trial, bowl(**trial.params))
            numbers = [t.number for t in again.trials()]
            states = {t.state for t in again.trials()}
        self.assertEqual(numbers, list(range(30)))
        self.assertEqual(states, {"COMPLETE"})

    def test_failures_and_refused_transitions(self):
        with qtune.Study.open(self.file) as study:
            trial = study.ask()
            with self.assertRaisesRegex(qtune.ConflictError, "every trajectory .* has a running trial"):
                study.ask()
            study.tell_failure(trial, "exit code 1", "Traceback ...")
            with self.assertRaises(RuntimeError) as refused:  # told already
                study.tell(trial, 1.0)
            self.assertIsInstance(refused.exception, qtune.ConflictError)
            self.assertEqual(refused.exception.code, "conflict")
            nan = study.ask()
            study.tell(nan, float("nan"))  # not finite: a failure, as a script printing nan
            records = study.trials()
        self.assertEqual([(t.state, t.failure_reason != "") for t in records], [("FAILED", True), ("FAILED", True)])
        self.assertEqual(records[0].log_tail, "Traceback ...")
        self.assertIsNone(records[0].value)

    def test_invalid_study_text_raises_value_error_naming_the_key(self):
        with self.assertRaises(ValueError) as bad_key:
            qtune.Study.from_toml(STUDY.replace("trials = 30", "trails = 30"), path=f"{self.dir.name}/bad.toml")
        self.assertIsInstance(bad_key.exception, qtune.InputError)
        self.assertIn("bad.toml:", str(bad_key.exception))
        self.assertIn("trails", str(bad_key.exception))
        with self.assertRaisesRegex(ValueError, "step"):
            qtune.Study.from_dict({"space": {"K": {"range": [2, 5], "step": 0}}}, path=f"{self.dir.name}/d.toml")
        with self.assertRaisesRegex(ValueError, "nope.toml"):
            qtune.Study.open(f"{self.dir.name}/nope.toml")
        with self.assertRaisesRegex(TypeError, r"space\.K\.values\[1\]: a set has no TOML form"):
            qtune.Study.from_dict({"space": {"K": {"values": [1, {2}]}}})

    def test_a_dict_keeps_its_dimension_order_and_value_types(self):
        config = {"study": {"name": "d", "seed": 3},
                  "space": {"zeta": {"values": [0.1, 0.01]}, "alpha": {"values": ["x", "y"]},
                            "n": {"pow2": [8, 32]}},
                  "budget": {"trials": 12}}
        with qtune.Study.from_dict(config, path=f"{self.dir.name}/d.toml") as study:
            self.assertEqual(study.storage, f"sqlite://{self.dir.name}/d.db")
            seen = []
            while (trial := study.ask()) is not None:
                seen.append(trial.params)
                study.tell(trial, trial.params["zeta"] * trial.params["n"])
        self.assertEqual(len(seen), 12, "the budget (12) is the whole space: 2 x 2 x 3")
        self.assertEqual(list(seen[0]), ["zeta", "alpha", "n"])
        self.assertEqual({type(v) for p in seen for v in p.values()}, {float, str, int})
        self.assertEqual(sorted({p["n"] for p in seen}), [8, 16, 32])

    def test_storage_argument_and_threads_sharing_a_study(self):
        db = f"{self.dir.name}/elsewhere.db"
        text = STUDY.replace("trials = 30", "trials = 20\nparallel = 2")
        with qtune.Study.from_toml(text, storage=f"sqlite://{db}") as study:
            def work():
                while True:
                    try:
                        trial = study.ask()
                    except qtune.ConflictError:  # both trajectories busy: the other thread tells soon
                        time.sleep(0.001)
                        continue
                    if trial is None:
                        return
                    study.tell(trial, bowl(**trial.params))

            workers = [threading.Thread(target=work) for _ in range(2)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            self.assertEqual(study.progress().complete, 20)
        status = run_cli_json("status", "--storage", f"sqlite://{db}", "--study", "toy", "--format", "json")
        self.assertEqual(status["counts"]["COMPLETE"], 20)

    def test_optimize_records_exceptions_as_failed_trials(self):
        def objective(K, dim, act):
            if act == "gelu":
                raise ValueError("diverged")
            return bowl(K, dim, act)

        with qtune.Study.open(self.file) as study:
            best = qtune.optimize(study, objective, n_trials=25)
            trials = study.trials()
        self.assertEqual(len(trials), 25)
        failed = [t for t in trials if t.state == "FAILED"]
        self.assertEqual({t.params["act"] for t in failed}, {"gelu"} if failed else set())
        for t in failed:
            self.assertEqual(t.failure_reason, "ValueError('diverged')")
            self.assertIn("Traceback", t.log_tail)
        self.assertEqual(best.value, min(t.value for t in trials if t.state == "COMPLETE"))

    def test_imported_results_seed_the_study_and_are_not_run_again(self):
        with open(f"{self.dir.name}/FID_Results.csv", "w") as f:
            for K in (2, 3):
                for dim in (64, 128, 256, 512):
                    for act in ("relu", "elu", "tanh", "gelu"):
                        f.write(f"{K}_{dim}_{act},{bowl(K, dim, act)}\n")
            f.write("9_64_relu,1.0\n")  # K=9 is not in the [space]: skipped
        with qtune.Study.open(self.file) as study:
            report = study.import_results(f"{self.dir.name}/FID_Results.csv", key="{K}_{dim}_{act}")
            self.assertEqual((report["read"], report["added"], report["already"]), (32, 32, 0))
            self.assertEqual(len(report["skipped"]), 1)
            self.assertIn("FID_Results.csv:33: K is 9", report["skipped"][0])
            again = study.import_results(f"{self.dir.name}/FID_Results.csv", key="{K}_{dim}_{act}")
            self.assertEqual((again["added"], again["already"]), (0, 32))
            study.add_trial({"K": 4, "dim": 256, "act": "elu"}, 0.0)
            study.add_trial({"K": 4, "dim": 256, "act": "elu"}, 0.0)  # again: added once
            with self.assertRaises(ValueError):
                study.add_trial({"K": 7, "dim": 256, "act": "elu"}, 1.0)
            imported = {t.state_id for t in study.trials()}
            ran = set()
            while (trial := study.ask()) is not None:
                ran.add(trial.state_id)
                study.tell(trial, bowl(**trial.params))
            progress = study.progress()
            self.assertEqual((progress.imported, progress.complete, progress.evaluations), (33, 30, 30))
            self.assertFalse(ran & imported, "an imported configuration ran again")
            self.assertEqual(study.best().value, 0.0)
            sources = [t.source for t in study.trials() if t.source]
            self.assertEqual(len(sources), 33)
            self.assertTrue(sources[0].endswith("FID_Results.csv:1"))


if __name__ == "__main__":
    unittest.main()
