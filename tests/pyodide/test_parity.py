"""The calculators give identical results in CPython and in Pyodide (the browser's Python)."""

import json
import os
import pathlib
import shutil
import subprocess

import pytest

from hooks.runtime import paths, wheel
from tests.conftest import IN_CI
from tests.pyodide import parity_cases

pytestmark = pytest.mark.node
HERE = pathlib.Path(__file__).resolve().parent


GENERATED = parity_cases.generated_cases()


@pytest.fixture(scope="module")
def pyodide_run(tmp_path_factory):
    node = shutil.which("node")
    pyodide_dir = paths.PYODIDE_PACKAGE
    if node is None or not pyodide_dir.is_dir():
        if IN_CI:
            pytest.fail("Node.js and node_modules/pyodide are required in CI (run `npm ci`)")
        pytest.skip("Node.js or node_modules/pyodide missing")
    runtime = wheel.ensure(log=lambda message: None)
    cases = tmp_path_factory.mktemp("parity") / "cases.json"
    cases.write_text(json.dumps(GENERATED))
    result = subprocess.run([node, str(HERE / "run_in_pyodide.mjs"), str(pyodide_dir),
                             str(wheel.OUT_DIR / runtime["wheel"]), str(HERE / "parity_cases.py"), str(cases)],
                            capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_pyodide_runs_python_3_13(pyodide_run):
    assert pyodide_run["python"].startswith("3.13.")


def test_same_results_in_cpython_and_pyodide(pyodide_run):
    in_pyodide = json.loads(pyodide_run["output"])
    in_cpython = json.loads(parity_cases.compute_all(json.dumps(GENERATED)))
    assert len(in_cpython) == len(parity_cases.widget_cases()) + len(GENERATED)
    assert in_pyodide == in_cpython
    # the set exercises both outcomes: results and field errors
    assert any(case["result"]["ok"] for case in in_cpython)
    assert any(not case["result"]["ok"] and case["result"]["field"] for case in in_cpython)
    generated = in_cpython[-len(GENERATED):]
    assert sum(case["result"]["ok"] for case in generated) >= len(GENERATED) // 3  # mostly real computations
    assert len({case["widget"] for case in generated}) >= 10
