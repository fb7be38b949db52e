"""Study.run(): the loop of `qtune run` from Python, with real trial processes (local executor)."""
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

import qtune

# FID (x-3)^2 + (y-1)^2 from its params. While the file `gate` exists, every trial but the first
# to start sleeps, so that an interrupt finds one running.
TRIAL = """\
import os, sys, time
x, y = int(sys.argv[1]), int(sys.argv[2])
try:
    os.mkdir("first")
except FileExistsError:
    while os.path.exists("gate"):
        time.sleep(0.05)
print(f"FID: {(x - 3) ** 2 + (y - 1) ** 2}")
"""

STUDY = """\
[study]
name = "py"
seed = 5

[space]
x = {{ range = [0, 5] }}
y = {{ values = [0, 1, 2] }}

[budget]
trials = {trials}
parallel = {parallel}

[trial]
command = ["{python}", "trial.py", "{{x}}", "{{y}}"]
"""

# Runs the study in a child process, so that the test can send it SIGINT.
CHILD = textwrap.dedent("""\
    import sys
    import qtune
    study = qtune.Study.open(sys.argv[1])
    try:
        study.run(quiet=False)
    except KeyboardInterrupt:
        print("KeyboardInterrupt")
        sys.exit(130)
    print("finished")
    """)


def fid(params):
    return (params["x"] - 3) ** 2 + (params["y"] - 1) ** 2


class RunTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.path = pathlib.Path(self.dir.name)
        (self.path / "trial.py").write_text(TRIAL)

    def study_file(self, trials, parallel):
        file = self.path / "py.toml"
        file.write_text(STUDY.format(trials=trials, parallel=parallel, python=sys.executable))
        return str(file)

    def test_run_executes_the_trials_and_returns_the_best(self):
        with qtune.Study.open(self.study_file(8, 2)) as study:
            best = study.run()
            trials = study.trials()
        self.assertEqual(len(trials), 8)
        for t in trials:
            self.assertEqual(t.state, "COMPLETE")
            self.assertEqual(t.value, fid(t.params))
        self.assertEqual(best.value, min(t.value for t in trials))
        self.assertEqual(best.value, fid(best.params))
        self.assertTrue((self.path / "py.trials" / "0" / "stdout.log").exists())

    def test_keyboard_interrupt_gives_the_running_trials_back_and_run_resumes(self):
        file = self.study_file(6, 2)
        (self.path / "gate").write_text("")
        child = subprocess.Popen([sys.executable, "-c", CHILD, file], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        try:
            # The first trial to finish prints "trial N ..."; the other one waits on the gate.
            deadline = time.monotonic() + 60
            for line in child.stderr:
                if line.startswith("trial "):
                    break
                self.assertLess(time.monotonic(), deadline)
            child.send_signal(signal.SIGINT)
            err = child.stderr.read()
            out = child.stdout.read()
            child.wait(timeout=60)
        finally:
            child.kill()
            child.wait()
        self.assertEqual(child.returncode, 130, err)
        self.assertEqual(out.strip(), "KeyboardInterrupt")
        # The first trial's slot may have been refilled before the signal came.
        self.assertRegex(err, r"Study.run: Interrupt received; stopping [12] running trials?\n")

        os.remove(self.path / "gate")
        with qtune.Study.open(file) as study:
            before = {t.number: t for t in study.trials()}
            states = sorted(t.state for t in before.values())
            self.assertIn(states, (["COMPLETE", "INTERRUPTED"], ["COMPLETE", "INTERRUPTED", "INTERRUPTED"]))
            best = study.run()
            after = study.trials()
        self.assertEqual(len(after), 6)
        for t in after:
            self.assertEqual(t.state, "COMPLETE")
            self.assertEqual(t.value, fid(t.params))
            if before.get(t.number) is not None and before[t.number].state == "COMPLETE":
                # Not run again: the same record.
                self.assertEqual(t.finished_at, before[t.number].finished_at)
        self.assertEqual(best.value, min(t.value for t in after))

    def test_storage_runs_the_study_in_another_store(self):
        file = self.study_file(3, 1)
        other = f"sqlite://{self.dir.name}/other.db"
        with qtune.Study.open(file) as study:
            study.run(storage=other)
            self.assertEqual(study.storage, other)
            self.assertEqual(len(study.trials()), 3)
        with qtune.Study.open(file) as study:
            self.assertEqual(study.trials(), [])  # the study file's own store is untouched

    def test_a_study_without_trial_says_what_is_missing(self):
        with qtune.Study.from_dict({"study": {"name": "d", "storage": f"sqlite://{self.dir.name}/d.db"},
                                    "space": {"x": {"range": [0, 3]}}}) as study:
            with self.assertRaises(qtune.InputError) as raised:
                study.run()
        self.assertIn("has no [trial] section", str(raised.exception))
        self.assertIn('"trial": {"command": [...]}', str(raised.exception))

    def test_combined_metric_components_are_in_the_trial_records(self):
        # The images of tests/cli/combined_metric_cli_test.cc: mse and correlation by hand.
        (self.path / "images.py").write_text(textwrap.dedent("""\
            import os, sys
            from PIL import Image
            x = int(sys.argv[1])
            ramp = [100 + 4 * c for c in range(16)]
            rec = {1: [v + 40 for v in ramp], 2: ramp[::-1], 3: [v + 80 for v in ramp]}[x]
            for sub, row in (("stim", ramp), ("rec", rec)):
                os.makedirs(f"{x}/{sub}", exist_ok=True)
                image = Image.new("L", (16, 16))
                image.putdata(row * 16)
                image.save(f"{x}/{sub}/0.png")
            """))
        file = self.path / "c.toml"
        file.write_text(textwrap.dedent(f"""\
            [study]
            name = "c"
            [space]
            x = {{ range = [1, 3] }}
            [strategy]
            kind = "grid"
            [trial]
            command = ["{sys.executable}", "images.py", "{{x}}"]
            metric = {{ reference = "{{x}}/stim", generated = "{{x}}/rec", combine = [
              {{ builtin = "mse" }}, {{ builtin = "correlation", weight = 3 }}] }}
            """))
        with qtune.Study.open(str(file)) as study:
            best = study.run()
            trials = study.trials()
        mse = {1: 1600, 2: 1360, 3: 6400}
        correlation = {1: 1, 2: -1, 3: 1}
        self.assertEqual(len(trials), 3)
        for t in trials:
            self.assertEqual(list(t.components), ["mse", "correlation"])
            self.assertAlmostEqual(t.components["mse"], mse[t.params["x"]], places=9)
            self.assertAlmostEqual(t.components["correlation"], correlation[t.params["x"]], places=9)
        # Ranked by the loss now (docs/config.md "Rewards from several metrics"): x = 1.
        self.assertEqual(best.params, {"x": 1})
        self.assertAlmostEqual(best.value, 0.375)


if __name__ == "__main__":
    unittest.main()
