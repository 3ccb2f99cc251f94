"""Moving bytes between GPUs: a point-to-point copy and ring collectives over one link.

Vendors quote a GPU's NVLink (or PCIe) bandwidth as the total of both directions; a transfer uses one direction,
so the rates here are half the catalog figure (:meth:`calculators.catalogs.gpus.Gpu.link_bytes_per_s_one_way`). Times are
lower bounds at the full rated rate: protocol overhead, latency and contention add to them.
"""

import dataclasses
import re

from calculators.catalogs.gpus import Gpu, Link
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.core.units import GB, GIB, KB, KIB, MB, MIB, TB, TIB

#: Bytes each GPU sends (and receives) in a ring collective of ``S`` bytes over ``n`` GPUs, as a multiple of S.
#: All-reduce is a reduce-scatter followed by an all-gather; ``S`` is the full tensor each GPU holds (all-reduce)
#: or the full gathered result (all-gather, reduce-scatter).
COLLECTIVES = {
    "copy": ("Copy to one other GPU", lambda n: 1.0),
    "all-reduce": ("All-reduce (ring)", lambda n: 2 * (n - 1) / n),
    "all-gather": ("All-gather (ring)", lambda n: (n - 1) / n),
    "reduce-scatter": ("Reduce-scatter (ring)", lambda n: (n - 1) / n),
}
LINKS = {"interconnect": "GPU-to-GPU link (NVLink, Infinity Fabric…)", "host": "Host link (PCIe)"}
MAX_GPUS = 100_000
MAX_BYTES = 1e18

_UNITS = {"": 1, "b": 1, "kb": KB, "mb": MB, "gb": GB, "tb": TB, "kib": KIB, "mib": MIB, "gib": GIB, "tib": TIB}
_SIZE = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9]*)?(?:e[+-]?[0-9]+)?)\s*([kmgt]i?b|b)?\s*$", re.IGNORECASE)


def parse_size(field: str, text) -> float:
    """Bytes from text such as ``16 GB``, ``1.5 GiB``, ``64MiB`` or ``2e9`` (decimal units are powers of 1000)."""
    if not isinstance(text, str):
        return validate.number(field, text, minimum=0, maximum=MAX_BYTES, exclusive_minimum=True)
    match = _SIZE.match(text) if len(text) <= 64 else None
    if not match:
        shown = text.strip()[:40]
        raise InputError(field, f"{shown!r} is not a size; write e.g. 16 GB, 1.5 GiB or 2e9 (bytes)")
    value = validate.number(field, match.group(1), minimum=0, exclusive_minimum=True)
    size = value * _UNITS[(match.group(2) or "").lower()]
    if size > MAX_BYTES:
        raise InputError(field, f"must be at most {MAX_BYTES:g} bytes")
    return size


def link(gpu: Gpu, which: str, *, field: str = "link") -> Link:
    """The GPU's GPU-to-GPU interconnect or its host link, as the catalog lists it."""
    chosen = gpu.interconnect if which == "interconnect" else gpu.host_link if which == "host" else None
    if which not in LINKS:
        raise InputError(field, f"unknown link {which[:20]!r}; expected one of: {', '.join(LINKS)}")
    if chosen is None:
        kind = "GPU-to-GPU interconnect" if which == "interconnect" else "host link"
        other = "the host link (PCIe)" if which == "interconnect" else "the GPU-to-GPU link"
        raise InputError(field, f"the catalog lists no {kind} for {gpu.name}; choose {other}")
    return chosen


def one_way_bytes_per_s(chosen: Link) -> float:
    """One direction of a link whose catalog figure counts both directions."""
    return chosen.bandwidth_gb_per_s * GB / 2


def collective_factor(collective: str, gpus: int) -> float:
    """Bytes each GPU sends per byte of the collective's tensor (see :data:`COLLECTIVES`)."""
    if collective not in COLLECTIVES:
        raise InputError("collective", f"unknown collective {collective[:20]!r}; expected one of: "
                                       f"{', '.join(COLLECTIVES)}")
    if collective != "copy" and gpus < 2:
        raise InputError("gpus", "a collective needs at least 2 GPUs")
    return COLLECTIVES[collective][1](gpus)


@dataclasses.dataclass(frozen=True)
class Transfer:
    size_bytes: float
    link: Link
    one_way_bytes_per_s: float
    collective: str
    gpus: int
    bytes_per_gpu: float   # sent (and received) by each GPU
    seconds: float         # at the full one-way rate, no latency


def transfer(size_bytes: float, chosen: Link, *, collective: str = "copy", gpus: int = 2) -> Transfer:
    """Time to move ``size_bytes`` as a copy or a ring collective over ``gpus`` GPUs joined by ``chosen``."""
    if not 0 < size_bytes <= MAX_BYTES:
        raise InputError("size", f"must be between 1 byte and {MAX_BYTES:g} bytes")
    if not 1 <= gpus <= MAX_GPUS:
        raise InputError("gpus", f"must be between 1 and {MAX_GPUS:,}")
    rate = one_way_bytes_per_s(chosen)
    sent = size_bytes * collective_factor(collective, gpus)
    return Transfer(size_bytes=size_bytes, link=chosen, one_way_bytes_per_s=rate, collective=collective,
                    gpus=gpus, bytes_per_gpu=sent, seconds=sent / rate)
