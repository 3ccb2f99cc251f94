"""Serve Pyodide, KaTeX and the calculators wheel from the site itself (no CDN).

Files are registered with MkDocs as generated files, so ``mkdocs build`` copies
them and ``mkdocs serve`` serves them from the same URLs.
"""

import pathlib

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from hooks.runtime.paths import KATEX_DIST, PYODIDE_PACKAGE, ROOT, RUNTIME_BUILD

PYODIDE_URL_DIR = "assets/pyodide"
KATEX_URL_DIR = "assets/katex"
#: The runtime proper; the npm package also holds maps, typings and consoles the site does not need.
PYODIDE_RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "package.json")


def add(files: Files, config, runtime: dict) -> None:
    for directory in (PYODIDE_PACKAGE, KATEX_DIST):
        if not directory.is_dir():
            raise PluginError(f"{directory.relative_to(ROOT)} is missing: run `npm ci` (or `make build`) first")
    for name in PYODIDE_RUNTIME_FILES:
        _add(files, config, f"{PYODIDE_URL_DIR}/{name}", PYODIDE_PACKAGE / name)
    lock = RUNTIME_BUILD / "pyodide-lock.json" if runtime.get("lock_file") else PYODIDE_PACKAGE / "pyodide-lock.json"
    _add(files, config, f"{PYODIDE_URL_DIR}/pyodide-lock.json", lock)
    _add(files, config, f"{PYODIDE_URL_DIR}/{runtime['wheel']}", RUNTIME_BUILD / runtime["wheel"])
    _add(files, config, f"{PYODIDE_URL_DIR}/runtime.json", RUNTIME_BUILD / "runtime.json")
    if runtime.get("snapshot"):
        _add(files, config, f"{PYODIDE_URL_DIR}/{runtime['snapshot']}", RUNTIME_BUILD / runtime["snapshot"])
    for name in ("katex.min.js", "katex.min.css"):
        _add(files, config, f"{KATEX_URL_DIR}/{name}", KATEX_DIST / name)
    for font in sorted((KATEX_DIST / "fonts").glob("*.woff2")):
        _add(files, config, f"{KATEX_URL_DIR}/fonts/{font.name}", font)


def _add(files: Files, config, src_uri: str, path: pathlib.Path) -> None:
    if not path.is_file():
        raise PluginError(f"{path.relative_to(ROOT)} is missing: run `make build` first")
    existing = files.get_file_from_path(src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(File.generated(config, src_uri, abs_src_path=str(path)))
