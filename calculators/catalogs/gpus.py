"""The accelerator catalog (``data/gpus.json``): look-ups by id, alias or the name nvidia-smi prints.

Every figure lives in the data file with its source; this module only reads it.
"""

import dataclasses
import difflib
import functools
import re

from calculators import data
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.core.units import GIB, TB

#: Formats with a dense throughput figure in the catalog, in the order the data file lists them.
TENSOR_FORMATS = ("fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp4")

#: When a format has no published figure, the nearest one that runs at the same rate on every
#: listed chip that publishes both (bf16 and fp16 share the 16-bit tensor path).
_SAME_RATE = {"bf16": "fp16", "fp16": "bf16"}


@dataclasses.dataclass(frozen=True)
class DenseTflops:
    """Dense peak throughput per format in 10^12 operations per second; None = not published."""
    fp32: float | None = None
    tf32: float | None = None
    bf16: float | None = None
    fp16: float | None = None
    fp8: float | None = None
    int8: float | None = None
    fp4: float | None = None


@dataclasses.dataclass(frozen=True)
class Link:
    name: str
    bandwidth_gb_per_s: float


@dataclasses.dataclass(frozen=True)
class Gpu:
    id: str
    name: str
    vendor: str
    segment: str
    form_factor: str | None
    architecture: str
    compute_capability: str | None
    release_year: int
    memory_gb: float
    memory_type: str
    memory_model: str
    memory_reported_bytes: int | None
    usable_memory_bytes: int
    memory_bandwidth_tb_per_s: float
    dense_tflops: DenseTflops
    compute_units: int | None
    compute_unit_kind: str | None
    last_level_cache_mib: float | None
    last_level_cache_kind: str | None
    tdp_w: float | None
    interconnect: Link | None
    host_link: Link | None
    aliases: tuple[str, ...]
    source: str
    field_sources: tuple[tuple[str, str], ...]
    derived: tuple[tuple[str, str], ...]
    notes: str

    @property
    def memory_bandwidth_bytes_per_s(self) -> float:
        return self.memory_bandwidth_tb_per_s * TB

    def dense_tflops_for(self, compute_format: str) -> float | None:
        """Published dense figure for ``compute_format`` (or its same-rate twin), None if neither is published."""
        if compute_format not in TENSOR_FORMATS:
            raise InputError("compute_format", f"no throughput figures for {compute_format!r}; "
                                               f"known: {', '.join(TENSOR_FORMATS)}")
        value = getattr(self.dense_tflops, compute_format)
        if value is None and compute_format in _SAME_RATE:
            value = getattr(self.dense_tflops, _SAME_RATE[compute_format])
        return value

    def peak_flops_per_s(self, compute_format: str) -> float | None:
        value = self.dense_tflops_for(compute_format)
        return None if value is None else value * 1e12

    def link_bytes_per_s_one_way(self) -> float | None:
        """Interconnect bandwidth in one direction (vendors quote both directions together)."""
        link = self.interconnect or self.host_link
        return None if link is None else link.bandwidth_gb_per_s * 1e9 / 2


def _gpu(record: dict) -> Gpu:
    def link(value):
        return None if value is None else Link(name=value["name"], bandwidth_gb_per_s=float(value["bandwidth_gb_per_s"]))

    return Gpu(
        id=record["id"], name=record["name"], vendor=record["vendor"], segment=record["segment"],
        form_factor=record.get("form_factor"), architecture=record["architecture"],
        compute_capability=record.get("compute_capability"), release_year=int(record["release_year"]),
        memory_gb=float(record["memory_gb"]), memory_type=record["memory_type"],
        memory_model=record["memory_model"], memory_reported_bytes=record.get("memory_reported_bytes"),
        usable_memory_bytes=usable_memory_bytes(record),
        memory_bandwidth_tb_per_s=float(record["memory_bandwidth_tb_per_s"]),
        dense_tflops=DenseTflops(**{k: (None if v is None else float(v)) for k, v in record["dense_tflops"].items()}),
        compute_units=record.get("compute_units"), compute_unit_kind=record.get("compute_unit_kind"),
        last_level_cache_mib=record.get("last_level_cache_mib"), last_level_cache_kind=record.get("last_level_cache_kind"),
        tdp_w=record.get("tdp_w"), interconnect=link(record.get("interconnect")), host_link=link(record.get("host_link")),
        aliases=tuple(record.get("aliases", ())), source=record["source"],
        field_sources=tuple(sorted(record.get("field_sources", {}).items())),
        derived=tuple(sorted(record.get("derived", {}).items())), notes=record.get("notes", ""))


def usable_memory_bytes(record: dict) -> int:
    """Memory a workload can use on one device, from the rule documented in ``gpus.json``
    (``usable_memory_rule``): discrete cards lose the runtime context to the memory the driver reports; Apple's
    unified memory lends the GPU a fixed share of RAM."""
    rule = data.load("gpus.json")["usable_memory_rule"]
    memory_bytes = float(record["memory_gb"]) * GIB
    if record["memory_model"] == "unified":
        unified = rule["unified"]
        small = float(record["memory_gb"]) <= unified["small_threshold_gb"]
        return int(memory_bytes * (unified["fraction_small"] if small else unified["fraction_large"]))
    reported = record.get("memory_reported_bytes") or int(memory_bytes)
    return reported - int(rule["discrete"]["reserve_bytes"])


def record_with_derived(gpu_id: str) -> dict | None:
    """The catalog record of ``gpu_id`` plus the figures the catalog derives from it (``usable_memory_bytes``),
    for prose that quotes fields by name; None when there is no such id."""
    record = data.find("gpus.json", "gpus", gpu_id)
    return None if record is None else {**record, "usable_memory_bytes": usable_memory_bytes(record)}


def normalize(name: str) -> str:
    """Key used for matching: lower case, runs of spaces/underscores/hyphens become one hyphen."""
    return re.sub(r"[\s_\-]+", "-", name.strip().lower())


@functools.cache
def all_gpus() -> dict[str, Gpu]:
    """Every accelerator by id, in catalog order."""
    return {r["id"]: _gpu(r) for r in data.load("gpus.json")["gpus"]}


@functools.cache
def _index() -> dict[str, str]:
    index = {}
    for gpu in all_gpus().values():
        for key in (gpu.id, *gpu.aliases):
            index.setdefault(normalize(key), gpu.id)
    return index


def find(name: str) -> Gpu | None:
    """The entry for an id, alias or device name (as nvidia-smi / torch.cuda.get_device_name print it), or None."""
    if not isinstance(name, str):
        return None
    key = normalize(name)
    gpu_id = _index().get(key)
    if gpu_id is None and key.startswith("nvidia-"):
        gpu_id = _index().get(key[len("nvidia-"):])
    return None if gpu_id is None else all_gpus()[gpu_id]


_CORES = re.compile(r"(\d+)[- ]core", re.IGNORECASE)


def _base_name(text: str) -> str:
    """The name before any parenthesis or comma, normalized ("Apple M1 Max (32-core GPU, 64 GB)" -> apple-m1-max)."""
    return normalize(re.split(r"[(,]", text, maxsplit=1)[0])


def match_device_name(text: str) -> Gpu | None:
    """The one entry a device name as a log prints it names ("NVIDIA GeForce RTX 4080 (Vulkan device)",
    "Apple M1 Max (32-core GPU, 400 GB/s)"), or None when no entry or several fit. The name before any parenthesis
    must equal an entry's id, alias or name (so "RTX 3090 Ti" is not the RTX 3090); a core count in the text must
    equal the entry's."""
    if not isinstance(text, str) or not text.strip() or len(text) > 4 * validate.MAX_NAME_CHARS:
        return None
    exact = find(text)
    if exact is not None:
        return exact
    base = _base_name(text)
    if base.startswith("nvidia-"):
        base = base[len("nvidia-"):]
    cores = _CORES.search(text)
    candidates = []
    for gpu in all_gpus().values():
        names = {normalize(gpu.id), _base_name(gpu.name), *(normalize(a) for a in gpu.aliases)}
        names |= {n[len("nvidia-"):] for n in names if n.startswith("nvidia-")}
        if base in names and not (cores and gpu.compute_unit_kind != "SM" and gpu.compute_units != int(cores.group(1))):
            candidates.append(gpu)
    return candidates[0] if len(candidates) == 1 else None


def get(name, *, field: str = "gpu") -> Gpu:
    """Like :func:`find` but raises ``InputError`` naming ``field``, with close suggestions; a ``Gpu`` is
    returned as it is, so engines accept either."""
    if isinstance(name, Gpu):
        return name
    if not isinstance(name, str) or not name.strip():
        raise InputError(field, "expected a GPU id or device name, e.g. 'h100-sxm' or 'NVIDIA H200'")
    if len(name) > validate.MAX_NAME_CHARS:
        raise InputError(field, f"is {len(name):,} characters long; a GPU name has at most {validate.MAX_NAME_CHARS}")
    gpu = find(name)
    if gpu is not None:
        return gpu
    key = normalize(name)
    close = difflib.get_close_matches(key, list(_index()), n=4, cutoff=0.5)
    suggestions = list(dict.fromkeys(_index()[c] for c in close))
    shown = name if len(name) <= 40 else name[:40] + "…"
    hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else "; see `python -m calculators gpus`"
    raise InputError(field, f"unknown GPU {shown!r}{hint}")

