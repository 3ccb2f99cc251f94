"""The browser's snapshot decoder (docs/javascripts/runtime.js, run in Node) agrees with the Python reference.

hooks/runtime/snapshot_format.py writes the file at build time and is the reference; the browser reads it with its own
JavaScript decoder. Both must rebuild the same heap, byte for byte, and refuse the same damaged files.
"""

import gzip
import json
import pathlib
import random
import shutil
import subprocess

import pytest

from hooks.runtime.snapshot_format import PAGE_BYTES, compact, expand
from tests.conftest import IN_CI

pytestmark = pytest.mark.node
HERE = pathlib.Path(__file__).resolve().parent
RUNTIME_JS = HERE.parent.parent / "docs" / "javascripts" / "runtime.js"


def js_expand(tmp_path: pathlib.Path, files: dict[str, bytes]) -> dict[str, bytes | str]:
    """Each file decoded by runtime.js: the heap, or the decoder's error message."""
    node = shutil.which("node")
    if node is None:
        if IN_CI:
            pytest.fail("Node.js is required in CI")
        pytest.skip("Node.js missing")
    paths = []
    for name, data in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    result = subprocess.run([node, str(HERE / "expand_snapshot.mjs"), str(RUNTIME_JS), *map(str, paths)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    outcomes = json.loads(result.stdout)
    assert len(outcomes) == len(paths)
    return {path.name: (path.with_name(path.name + ".heap").read_bytes() if outcome["ok"] else outcome["error"])
            for path, outcome in zip(paths, outcomes)}


def python_expand(data: bytes) -> bytes | None:
    try:
        return expand(data)
    except ValueError:
        return None


def _heaps() -> dict[str, bytes]:
    rng = random.Random(7)
    scattered = bytearray(64 * PAGE_BYTES + 1234)  # many runs of different lengths, and a short last page
    for page in rng.sample(range(65), 30):
        start = page * PAGE_BYTES
        for _ in range(3):
            position = start + rng.randrange(PAGE_BYTES)
            if position < len(scattered):
                scattered[position] = rng.randrange(1, 256)
    return {
        "scattered": bytes(scattered),
        "full": bytes(rng.randrange(256) for _ in range(5 * PAGE_BYTES)),
        "zero": bytes(3 * PAGE_BYTES),
        "empty": b"",
    }


def _damaged(packed: bytes) -> dict[str, bytes]:
    return {
        "magic": b"NOTASNAP" + packed[8:],
        "too-short": packed[:15],
        "truncated": packed[:-10],
        "trailing": packed + b"\0",
        "out-of-range": packed[:16] + (1 << 30).to_bytes(4, "little") + packed[20:],
        "count-too-large": packed[:12] + (10**6).to_bytes(4, "little") + packed[16:],
    }


def test_the_browser_decoder_rebuilds_every_heap_the_build_writes(tmp_path):
    heaps = _heaps()
    decoded = js_expand(tmp_path, {name: compact(heap) for name, heap in heaps.items()})
    for name, heap in heaps.items():
        assert decoded[name] == heap, name
    assert len(compact(heaps["scattered"])) < len(heaps["scattered"])  # the test heap does have zero pages to leave out


def test_the_browser_decoder_refuses_what_the_reference_refuses(tmp_path):
    packed = compact(_heaps()["scattered"])
    damaged = _damaged(packed)
    decoded = js_expand(tmp_path, damaged)
    for name, data in damaged.items():
        assert python_expand(data) is None, f"the reference accepts the {name} file: this case tests nothing"
        assert isinstance(decoded[name], str), f"runtime.js accepted a damaged file ({name})"


def test_the_browser_decoder_rebuilds_the_served_snapshot(tmp_path, built_site):
    runtime = json.loads((built_site / "assets" / "pyodide" / "runtime.json").read_text())
    packed = gzip.decompress((built_site / "assets" / "pyodide" / runtime["snapshot"]).read_bytes())
    decoded = js_expand(tmp_path, {"served": packed})
    assert decoded["served"] == expand(packed)
