"""pip install of the checkout into a venv, offline, as the README says; then the Keras-like
example loop (examples/python/optimize_loop.py) with the installed module.

QTUNE_BUILD_DIR (set by ctest) points setup.py at this build, so the module is not compiled again.
"""
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


class PipInstallTest(unittest.TestCase):
    def test_pip_install_into_a_venv_then_the_example_loop(self):
        with tempfile.TemporaryDirectory() as tmp:
            venv = pathlib.Path(tmp) / "venv"
            subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True)
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # not the build's module
            done = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-build-isolation", "--no-index",
                                   "--no-cache-dir", str(ROOT)], env=env, capture_output=True, text=True)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            where = subprocess.run([str(venv / "bin" / "python"), "-c", "import qtune; print(qtune.__file__)"],
                                   env=env, cwd=tmp, capture_output=True, text=True, check=True)
            self.assertTrue(where.stdout.strip().startswith(str(venv)), where.stdout)
            loop = subprocess.run([str(venv / "bin" / "python"), str(ROOT / "examples" / "python" / "optimize_loop.py"),
                                   tmp], env=env, cwd=tmp, capture_output=True, text=True)
            self.assertEqual(loop.returncode, 0, loop.stderr)
            self.assertIn("best FID 10.5 with {'K': 6, 'intermediate_dim': 128, 'batch_size': 32, 'maxiter': 40} "
                          "after 40 trainings", loop.stdout)


if __name__ == "__main__":
    unittest.main()
