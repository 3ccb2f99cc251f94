"""hooks/runtime/paths.py is the one module that knows where node_modules/ and build/pyodide/ are."""

import json

from hooks.runtime import paths
from tests.conftest import ROOT


def test_folders_are_the_checkouts():
    assert paths.ROOT == ROOT
    assert paths.PYODIDE_PACKAGE == ROOT / "node_modules" / "pyodide"
    assert paths.KATEX_DIST == ROOT / "node_modules" / "katex" / "dist"
    assert paths.RUNTIME_BUILD == ROOT / "build" / "pyodide"


def test_pyodide_version_is_the_installed_packages():
    package = json.loads((ROOT / "node_modules" / "pyodide" / "package.json").read_text())
    assert paths.pyodide_version() == package["version"]


def test_no_other_hook_spells_these_folders():
    spelled = [path.relative_to(ROOT).as_posix() for path in sorted((ROOT / "hooks").rglob("*.py"))
               if path.name != "paths.py" and any(word in path.read_text() for word in ('"node_modules"', '"build"'))]
    assert spelled == []
