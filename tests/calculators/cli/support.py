"""Shared by the command-line tests: the commands run as a user runs them, in a subprocess."""

import subprocess
import sys

from tests.calculators.truth import ROOT


def run_cli(args, stdin=""):
    return subprocess.run([sys.executable, "-m", "calculators", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
