"""What the Python binding tests share: the qtune CLI built beside the module, the reference
scripts of tests/reference, and temporary folders.

ctest sets PYTHONPATH (the built package) and QTUNE_CLI (python/CMakeLists.txt).
"""
import json
import os
import pathlib
import subprocess
import sys

REFERENCE = pathlib.Path(__file__).resolve().parent.parent / "reference"


def qtune_cli():
    cli = os.environ.get("QTUNE_CLI")
    if not cli:
        raise RuntimeError("QTUNE_CLI is not set; run the tests with ctest, or set it to build/<preset>/src/cli/qtune")
    return cli


def run_cli(*args):
    """Runs `qtune ARGS`; returns stdout, failing the test's process with stderr on a non-zero exit."""
    done = subprocess.run([qtune_cli(), *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"qtune {' '.join(map(str, args))}: exit {done.returncode}\n{done.stderr}")
    return done.stdout


def run_cli_json(*args):
    return json.loads(run_cli(*args))


def reference_script(name, *args):
    """Runs tests/reference/NAME with this (Debian's) python; returns its stdout."""
    done = subprocess.run([sys.executable, str(REFERENCE / name), *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"{name} {' '.join(map(str, args))}: exit {done.returncode}\n{done.stderr}")
    return done.stdout


# tests/reference/stats_paired.py, imported: its `make` writes the image folders in this process.
sys.path.insert(0, str(REFERENCE))
import stats_paired  # noqa: E402
