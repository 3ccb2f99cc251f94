"""The snapshot file format: a heap without its zero pages, rebuilt byte for byte, and damaged files refused."""

import gzip
import json

import pytest

from hooks.runtime.snapshot_format import MAGIC, PAGE_BYTES, compact, expand, nonzero_runs


def _heap() -> bytes:
    heap = bytearray(10 * PAGE_BYTES + 100)  # a short last page, as a real heap has
    heap[5] = 1
    heap[3 * PAGE_BYTES + 7] = 2
    heap[4 * PAGE_BYTES] = 3
    heap[-1] = 9
    return bytes(heap)


def test_runs_cover_exactly_the_pages_with_data():
    assert nonzero_runs(_heap()) == [(0, PAGE_BYTES), (3 * PAGE_BYTES, 2 * PAGE_BYTES), (10 * PAGE_BYTES, 100)]
    assert nonzero_runs(bytes(3 * PAGE_BYTES)) == []


def test_round_trip_is_exact_and_leaves_out_zero_pages():
    heap = _heap()
    packed = compact(heap)
    assert packed.startswith(MAGIC)
    assert expand(packed) == heap
    assert len(packed) < 3 * PAGE_BYTES + 200  # the 3 pages and the tail with data, plus the header
    assert expand(compact(bytes(PAGE_BYTES))) == bytes(PAGE_BYTES)


@pytest.mark.parametrize("damage", ["magic", "truncated", "trailing", "out of range"])
def test_damaged_files_are_refused(damage):
    packed = bytearray(compact(_heap()))
    if damage == "magic":
        packed[0:8] = b"NOTASNAP"
    elif damage == "truncated":
        del packed[-10:]
    elif damage == "trailing":
        packed += b"\0"
    else:
        packed[16:20] = (len(_heap())).to_bytes(4, "little")  # first run starts past the end of the heap
    with pytest.raises(ValueError):
        expand(bytes(packed))


def test_the_served_snapshot_is_a_heap_in_this_format_named_after_its_hash(built_site):
    import hashlib
    runtime = json.loads((built_site / "assets" / "pyodide" / "runtime.json").read_text())
    served = (built_site / "assets" / "pyodide" / runtime["snapshot"]).read_bytes()
    assert runtime["snapshot"] == f"snapshots/{hashlib.sha256(served).hexdigest()[:16]}.gz"
    packed = gzip.decompress(served)
    heap = expand(packed)
    assert len(heap) > 16 * 2**20 and len(packed) < 0.8 * len(heap)
