"""pip install . -- the Python module qtune, built by the project's own CMake build.

The extension (_qtune) is the CMake target qtune_python, linked against the static libraries of
the same build, so nothing is compiled twice: with an existing build folder (QTUNE_BUILD_DIR, by
default build/release) only what is out of date is rebuilt; without one, `cmake --preset
release` configures it first (tests and benchmarks off). Offline on Debian 12, in a venv that
sees Debian's packages (pip refuses system installs, PEP 668):

    /usr/bin/python3 -m venv --system-site-packages ~/venv
    ~/venv/bin/pip install --no-build-isolation --no-index .
"""
import os
import pathlib
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = pathlib.Path(os.environ.get("QTUNE_BUILD_DIR", ROOT / "build" / "release"))
        if not (build_dir / "CMakeCache.txt").exists():
            subprocess.run(["cmake", "--preset", "release", "-B", str(build_dir),
                            f"-DQTUNE_PYTHON={sys.executable}", "-DQTUNE_BUILD_TESTS=OFF",
                            "-DQTUNE_BUILD_BENCH=OFF"], cwd=ROOT, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "qtune_python"], cwd=ROOT,
                       check=True)
        built = sorted((build_dir / "python" / "qtune").glob("_qtune*.so"))
        if not built:
            raise RuntimeError(f"{build_dir}/python/qtune: no _qtune module after the build")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    name="qtune",
    version="0.1.0",
    description="Tune a training script's hyperparameters with Q-learning, rewarded by image metrics",
    packages=["qtune"],
    package_dir={"": "python"},
    ext_modules=[Extension("qtune._qtune", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.11",
    options={"build": {"build_base": "build/python-package"}, "egg_info": {"egg_base": "build"}},
)
