"""Where the browser runtime's inputs and outputs live in the checkout: the one place that knows these folders.

``node_modules/`` holds what ``npm ci`` installed (Pyodide, KaTeX); ``build/pyodide/`` holds what
:mod:`hooks.runtime.wheel` made from ``calculators/`` (the wheel, its lock file, the snapshot, ``runtime.json``).
"""

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
PYODIDE_PACKAGE = NODE_MODULES / "pyodide"
KATEX_DIST = NODE_MODULES / "katex" / "dist"
RUNTIME_BUILD = ROOT / "build" / "pyodide"


def pyodide_version() -> str:
    """The version of the Pyodide npm package installed in ``node_modules/``."""
    return json.loads((PYODIDE_PACKAGE / "package.json").read_text())["version"]
