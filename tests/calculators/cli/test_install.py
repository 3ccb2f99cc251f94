"""The command line installs from the package: ``pip install`` gives a ``gpu-glossary`` command with --version."""

import shutil
import subprocess
import sys

from calculators import __version__
from hooks.runtime.wheel import source_files
from validation.truth import ROOT


def test_the_wheel_installs_a_gpu_glossary_command(tmp_path):
    wheels, env, src = tmp_path / "wheels", tmp_path / "venv", tmp_path / "src"
    for path in source_files():  # a clean copy, as the site's wheel is built, so nothing is written to the checkout
        (src / path.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, src / path.relative_to(ROOT))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w",
                    str(wheels), str(src)], check=True, cwd=tmp_path, timeout=300)
    (wheel,) = wheels.glob("calculators-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=300)
    subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    str(wheel)], check=True, timeout=300)
    command = env / "bin" / "gpu-glossary"
    version = subprocess.run([str(command), "--version"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert version.returncode == 0 and version.stdout.strip() == f"gpu-glossary {__version__}"
    weights = subprocess.run([str(command), "weights", "8.03e9", "--format", "int4"], capture_output=True, text=True,
                             cwd=tmp_path, timeout=60)
    assert weights.returncode == 0 and "8,030,000,000 parameters in INT4" in weights.stdout, weights.stderr
