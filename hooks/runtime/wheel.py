"""Build the ``calculators`` wheel the site serves, and a Pyodide lock file that names it.

The wheel is a plain ``py3-none-any`` wheel built by pip (``pyodide build`` needs the
internet). When an interpreter with pyodide-build is available (``.venv-pyodide``,
Python ≥ 3.12), ``pyodide lockfile add-wheels`` adds the wheel to Pyodide's lock file
so the browser loads it by name under an integrity check; otherwise the build says
it skipped that step and the browser loads the wheel by URL.

Run as ``python -m hooks.runtime.wheel`` (the Makefile does); the MkDocs hook calls
:func:`ensure` so ``mkdocs serve`` rebuilds it when ``calculators/`` changes.
"""

import fcntl
import gzip
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from hooks.runtime import snapshot_format
from hooks.runtime.paths import PYODIDE_PACKAGE, ROOT, RUNTIME_BUILD

#: Where :func:`build` writes (a name of its own so a test can build elsewhere).
OUT_DIR = RUNTIME_BUILD
PYODIDE_CLI = ROOT / ".venv-pyodide" / "bin" / "pyodide"
RUNTIME_JSON = "runtime.json"
SNAPSHOT_SCRIPT = pathlib.Path(__file__).resolve().with_name("pyodide_snapshot.mjs")
SNAPSHOT_FORMAT = pathlib.Path(__file__).resolve().with_name("snapshot_format.py")


def source_files() -> list[pathlib.Path]:
    """Everything that goes into the wheel, so staleness and hashes cover it all."""
    files = [ROOT / "pyproject.toml"]
    files += sorted(p for p in (ROOT / "calculators").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return files


def source_digest() -> str:
    digest = hashlib.sha256()
    for path in source_files() + [SNAPSHOT_SCRIPT, SNAPSHOT_FORMAT, PYODIDE_PACKAGE / "package.json"]:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_runtime() -> dict | None:
    try:
        return json.loads((OUT_DIR / RUNTIME_JSON).read_text())
    except (OSError, ValueError):
        return None


def ensure(log=print) -> dict:
    """Build the wheel unless the one in ``build/pyodide`` was built from the current sources."""
    OUT_DIR.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT_DIR.parent / "pyodide.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel builds (tests, serve) must not rebuild the same folder at once
        digest = source_digest()
        runtime = read_runtime()
        if runtime and runtime.get("source_sha256") == digest and (OUT_DIR / runtime["wheel"]).is_file():
            return runtime
        return build(digest, log)


def build(digest: str, log=print) -> dict:
    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    OUT_DIR.mkdir(parents=True)
    # the zip's timestamps are fixed whatever the build's date: the wheel is named by its sources' digest, and a
    # rebuild on another day must not change its bytes (nor the snapshot made from it)
    env = dict(os.environ, SOURCE_DATE_EPOCH="315532800")
    with tempfile.TemporaryDirectory() as tmp:
        # Build from a clean copy so stale files in build/lib never reach the wheel.
        src = pathlib.Path(tmp) / "src"
        for path in source_files():
            target = src / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                        "--wheel-dir", str(pathlib.Path(tmp) / "dist"), str(src)], check=True, env=env)
        (wheel_path,) = (pathlib.Path(tmp) / "dist").glob("calculators-*-py3-none-any.whl")
        wheel_bytes = wheel_path.read_bytes()
    wheel_sha = hashlib.sha256(wheel_bytes).hexdigest()
    # A folder named after the wheel's hash: a browser can never pair a new lock file with a stale cached wheel.
    wheel_rel = f"wheels/{wheel_sha[:16]}/{wheel_path.name}"
    (OUT_DIR / wheel_rel).parent.mkdir(parents=True)
    (OUT_DIR / wheel_rel).write_bytes(wheel_bytes)
    lock = add_to_lock_file(OUT_DIR / wheel_rel, wheel_rel, log)
    snapshot = make_snapshot(OUT_DIR / wheel_rel, log)
    runtime = {"wheel": wheel_rel, "wheel_sha256": wheel_sha, "source_sha256": digest,
               "lock_file": "pyodide-lock.json" if lock else None, "package": "calculators", "snapshot": snapshot}
    (OUT_DIR / RUNTIME_JSON).write_text(json.dumps(runtime, indent=1, sort_keys=True) + "\n")
    log(f"built {wheel_rel} (sha256 {wheel_sha[:12]}…)")
    return runtime


def add_to_lock_file(wheel: pathlib.Path, wheel_rel: str, log) -> bool:
    if not PYODIDE_CLI.exists():
        log("skipped: pyodide lockfile add-wheels (no .venv-pyodide with pyodide-build; needs Python >= 3.12). "
            "The browser will load the wheel by URL, without an integrity check.")
        return False
    output = OUT_DIR / "pyodide-lock.json"
    result = subprocess.run([str(PYODIDE_CLI), "lockfile", "add-wheels", "--input", str(PYODIDE_PACKAGE / "pyodide-lock.json"),
                             "--output", str(output), str(wheel)], capture_output=True, text=True)
    if result.returncode != 0:
        log(f"skipped: pyodide lockfile add-wheels failed ({result.stderr.strip()[-300:]}); loading the wheel by URL.")
        return False
    lock = json.loads(output.read_text())
    lock["packages"]["calculators"]["file_name"] = wheel_rel
    output.write_text(json.dumps(lock, sort_keys=True, separators=(",", ":")))
    return True


def make_snapshot(wheel: pathlib.Path, log) -> str | None:
    """A memory snapshot of Python with the calculators imported, made by Node (see the script), without its zero
    pages (hooks/runtime/snapshot_format.py) and gzip-compressed. Named after its own hash: the browser keeps snapshots by
    URL, so any change (calculators, Pyodide, the script, the format) must give a new name."""
    node = shutil.which("node")
    if node is None:
        log("skipped: Python snapshot (no node); first visits will start Python from scratch.")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        raw = pathlib.Path(tmp) / "snapshot.bin"
        result = subprocess.run([node, str(SNAPSHOT_SCRIPT), str(PYODIDE_PACKAGE), str(wheel), str(raw)],
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0 or not raw.is_file():
            log(f"skipped: Python snapshot failed ({result.stderr.strip()[-300:]}); first visits start Python.")
            return None
        # mtime=0: the same bytes on every build
        packed = gzip.compress(snapshot_format.compact(raw.read_bytes()), compresslevel=6, mtime=0)
    snapshot_rel = f"snapshots/{hashlib.sha256(packed).hexdigest()[:16]}.gz"
    target = OUT_DIR / snapshot_rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(packed)
    log(f"made {snapshot_rel} ({len(packed) / 1e6:.1f} MB)")
    return snapshot_rel


if __name__ == "__main__":
    info = ensure()
    print(json.dumps(info, indent=1))
