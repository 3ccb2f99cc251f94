"""The file format of the Python memory snapshot the site serves: Pyodide's heap without its all-zero pages.

About two fifths of a freshly started heap is zero (memory the allocator has not used yet). Leaving those pages out
makes the file the browser keeps in cache storage, and reads back on every later visit, about 40 % smaller, and
rebuilding the heap from it costs one copy. Layout, all integers unsigned 32-bit little-endian:

    MAGIC, heap size in bytes, number of runs, then (offset, length) of each run of non-zero pages,
    then the bytes of those runs, one after the other.

``docs/javascripts/runtime.js`` (``expandSnapshot``) reads it in the browser; :func:`expand` here is the reference.
"""

import struct

MAGIC = b"CALCSNP1"
PAGE_BYTES = 4096
_HEADER = struct.Struct("<8sII")
_RUN = struct.Struct("<II")


def nonzero_runs(heap: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each maximal run of pages holding a non-zero byte; the last page may be short."""
    runs: list[tuple[int, int]] = []
    zero_page = bytes(PAGE_BYTES)
    for offset in range(0, len(heap), PAGE_BYTES):
        page = heap[offset:offset + PAGE_BYTES]
        if page == zero_page[:len(page)]:
            continue
        if runs and runs[-1][0] + runs[-1][1] == offset:
            runs[-1] = (runs[-1][0], runs[-1][1] + len(page))
        else:
            runs.append((offset, len(page)))
    return runs


def compact(heap: bytes) -> bytes:
    runs = nonzero_runs(heap)
    parts = [_HEADER.pack(MAGIC, len(heap), len(runs))]
    parts += [_RUN.pack(offset, length) for offset, length in runs]
    parts += [heap[offset:offset + length] for offset, length in runs]
    return b"".join(parts)


def expand(data: bytes) -> bytes:
    """The heap again; ValueError if the data is not a whole snapshot in this format."""
    if len(data) < _HEADER.size:
        raise ValueError("snapshot too short")
    magic, size, count = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ValueError("not a calculators snapshot")
    heap = bytearray(size)
    position = _HEADER.size + count * _RUN.size
    for index in range(count):
        offset, length = _RUN.unpack_from(data, _HEADER.size + index * _RUN.size)
        if offset + length > size or position + length > len(data):
            raise ValueError("snapshot run out of range")
        heap[offset:offset + length] = data[position:position + length]
        position += length
    if position != len(data):
        raise ValueError("snapshot has trailing bytes")
    return bytes(heap)
