"""Figures the catalogs define, by unit, so a number declared ``{{ given: … }}`` can be checked not to be one."""

import functools
import math
import re

from calculators import data
from calculators.catalogs import models
from calculators.core.units import GB, GIB
from calculators.figures import expressions as fx

#: Formats whose weight sizes an entry is likely to quote.
WEIGHT_FORMATS = ("fp32", "bf16", "fp8", "int4", "q4_k_m", "nf4")
#: Units that name the same catalog quantity (the CUDA guide writes KB for KiB).
SAME_UNIT = {"KB": "KiB", "MB": "MiB"}


#: Brand words left out when looking for a GPU's name in an entry ("RTX 4080" names the GeForce RTX 4080).
BRANDS = ("nvidia ", "amd ", "apple ", "intel ", "geforce ", "radeon ", "instinct ", "google ")


def _gpu_names(record) -> tuple[str, ...]:
    """The GPU's name without brand words, and each model-number token of its id ("h100", "4080", "mi300x"; not
    "sxm" or "80gb", which many GPUs share)."""
    name = record["name"].lower().split(" (")[0]
    for brand in BRANDS:
        name = name.replace(brand, "")
    tokens = [t for t in record["id"].lower().split("-") if re.search(r"\d", t) and not t.endswith("gb")]
    return (name.strip(), *tokens)


@functools.cache
def by_unit() -> dict[str, list[tuple[float, str, tuple[str, ...]]]]:
    """Each unit's catalog figures: (value, what it is, the names that identify its subject in a text; empty when
    the figure is not about one named GPU or model)."""
    figures: dict[str, list[tuple[float, str, tuple[str, ...]]]] = {}
    subject: tuple[str, ...] = ()

    def add(unit, value, what):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value:
            figures.setdefault(unit, []).append((float(value), what, subject))

    for record in data.load("gpus.json")["gpus"]:
        name = record["id"]
        subject = _gpu_names(record)
        add("GB", record["memory_gb"], f"{name} memory")
        add("TB/s", record["memory_bandwidth_tb_per_s"], f"{name} memory bandwidth")
        add("GB/s", (record["memory_bandwidth_tb_per_s"] or 0) * 1000, f"{name} memory bandwidth")
        for link in ("interconnect", "host_link"):
            add("GB/s", (record.get(link) or {}).get("bandwidth_gb_per_s"), f"{name} {link}")
        for dtype, rate in record["dense_tflops"].items():
            add("TFLOP/s", rate, f"{name} dense {dtype}")
        add("W", record["tdp_w"], f"{name} power")
        add("MiB", record["last_level_cache_mib"], f"{name} last-level cache")
    subject = ()
    for limits in data.load("sm_limits.json")["limits"]:
        cc = limits["compute_capability"]
        for field in ("shared_memory_per_sm_kib", "max_shared_memory_per_block_kib"):
            add("KiB", limits[field], f"compute capability {cc} {field}")
        add("KiB", limits["registers_per_sm"] * 4 / 1024, f"compute capability {cc} register file")
    for model_id, model in models.all_models().items():
        subject = (model_id, model.name.lower())
        for fmt in WEIGHT_FORMATS:
            size = fx.weight_bytes(model_id, fmt)
            add("GB", size / GB, f"{model_id} weights in {fmt}")
            add("GiB", size / GIB, f"{model_id} weights in {fmt}")
    return figures


def match(number: str, unit: str, text: str) -> str | None:
    """What catalog figure ``number unit`` equals at the precision it is written with, if any, among the figures
    about what ``text`` (the entry) names: 64 MiB in an entry about NCCL buckets on H100s is not the L2 cache of an
    RTX 4080 the entry never mentions.

    Whole numbers below 10 are too coarse to identify a figure ("1 GiB" is not a claim about any model)."""
    value = float(number.replace(",", ""))
    decimals = len(number.split(".")[1]) if "." in number else 0
    text = text.lower()
    for known, what, names in by_unit().get(SAME_UNIT.get(unit, unit), []):
        if names and not any(re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", text) for name in names):
            continue
        if math.isclose(round(known, decimals), value, rel_tol=1e-9) and (decimals or known >= 10):
            return what
    return None
