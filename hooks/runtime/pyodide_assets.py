"""Serve Pyodide, KaTeX and the calculators wheel from the site itself (no CDN).

Files are registered with MkDocs as generated files, so ``mkdocs build`` copies
them and ``mkdocs serve`` serves them from the same URLs.
"""

import pathlib

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = pathlib.Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
PYODIDE_URL_DIR = "assets/pyodide"
KATEX_URL_DIR = "assets/katex"
#: The runtime proper; the npm package also holds maps, typings and consoles the site does not need.
PYODIDE_RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "package.json")


def add(files: Files, config, runtime: dict) -> None:
    pyodide_dir = NODE_MODULES / "pyodide"
    katex_dir = NODE_MODULES / "katex" / "dist"
    for directory in (pyodide_dir, katex_dir):
        if not directory.is_dir():
            raise PluginError(f"{directory.relative_to(ROOT)} is missing: run `npm ci` (or `make build`) first")
    for name in PYODIDE_RUNTIME_FILES:
        _add(files, config, f"{PYODIDE_URL_DIR}/{name}", pyodide_dir / name)
    build_dir = ROOT / "build" / "pyodide"
    lock = build_dir / "pyodide-lock.json" if runtime.get("lock_file") else pyodide_dir / "pyodide-lock.json"
    _add(files, config, f"{PYODIDE_URL_DIR}/pyodide-lock.json", lock)
    _add(files, config, f"{PYODIDE_URL_DIR}/{runtime['wheel']}", build_dir / runtime["wheel"])
    _add(files, config, f"{PYODIDE_URL_DIR}/runtime.json", build_dir / "runtime.json")
    if runtime.get("snapshot"):
        _add(files, config, f"{PYODIDE_URL_DIR}/{runtime['snapshot']}", build_dir / runtime["snapshot"])
    for name in ("katex.min.js", "katex.min.css"):
        _add(files, config, f"{KATEX_URL_DIR}/{name}", katex_dir / name)
    for font in sorted((katex_dir / "fonts").glob("*.woff2")):
        _add(files, config, f"{KATEX_URL_DIR}/fonts/{font.name}", font)


def _add(files: Files, config, src_uri: str, path: pathlib.Path) -> None:
    if not path.is_file():
        raise PluginError(f"{path.relative_to(ROOT)} is missing: run `make build` first")
    existing = files.get_file_from_path(src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(File.generated(config, src_uri, abs_src_path=str(path)))
