"""The accelerator catalog: schema, units, plausible ranges, sources, aliases and device names."""

import json
from importlib import resources

import pytest

from calculators.catalogs import gpus
from calculators.core.errors import InputError

RAW = json.loads(resources.files("calculators.data").joinpath("gpus.json").read_text(encoding="utf-8"))
RECORDS = RAW["gpus"]
IDS = [r["id"] for r in RECORDS]

REQUIRED = {
    "id", "name", "vendor", "segment", "architecture", "release_year", "memory_gb", "memory_type", "memory_model",
    "memory_bandwidth_tb_per_s", "dense_tflops", "aliases", "source", "field_sources",
    "derived", "notes", "compute_units", "last_level_cache_mib", "tdp_w", "interconnect",
}


def test_catalog_is_large_and_covers_the_named_families():
    assert len(RECORDS) >= 40
    for wanted in ("v100-sxm2-32gb", "a100-40gb-sxm", "a100-80gb-sxm", "a100-40gb-pcie", "a100-80gb-pcie",
                   "a10g", "a10", "l4", "l40s", "h100-sxm", "h100-pcie", "h100-nvl", "h200", "gh200", "b200",
                   "gb200", "b300", "rtx-3090", "rtx-4090", "rtx-5090", "rtx-6000-ada", "rtx-pro-6000-blackwell",
                   "mi250x", "mi300x", "mi325x", "mi355x", "rx-7900-xtx", "m2-ultra-192gb", "m3-max-128gb",
                   "m3-ultra-512gb", "m4-max-128gb", "m4-pro-64gb", "gaudi3", "tpu-v5e", "tpu-v6e"):
        assert wanted in IDS, wanted


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_schema_and_units(record):
    assert REQUIRED <= set(record), REQUIRED - set(record)
    assert record["id"] == record["id"].lower() and " " not in record["id"]
    assert set(record["dense_tflops"]) == set(gpus.TENSOR_FORMATS)
    assert record["vendor"] in {"nvidia", "amd", "apple", "intel", "google"}
    assert record["memory_model"] in {"discrete", "unified"}
    assert 2017 <= record["release_year"] <= 2026
    # capacity in GB: 16 GB (T4) … 512 GB (M3 Ultra)
    assert 8 <= record["memory_gb"] <= 512
    # bandwidth in TB/s, not GB/s: 0.27 (M4 Pro) … 8 (B200)
    assert 0.2 <= record["memory_bandwidth_tb_per_s"] <= 10
    for fmt, value in record["dense_tflops"].items():
        assert value is None or 1 <= value <= 20000, (fmt, value)
    if record["interconnect"]:
        assert 10 <= record["interconnect"]["bandwidth_gb_per_s"] <= 2000


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_throughput_ordering_is_plausible(record):
    t = record["dense_tflops"]
    # narrower formats are never slower than wider ones on the same tensor path
    if t["bf16"] and t["fp8"]:
        assert t["fp8"] >= t["bf16"]
    if t["fp8"] and t["fp4"]:
        assert t["fp4"] >= t["fp8"]
    if t["fp32"] and t["bf16"]:
        assert t["bf16"] >= t["fp32"]
    # the ridge point (bf16 FLOP per byte) of every chip lies between 20 and 1000
    if t["bf16"]:
        assert 20 <= t["bf16"] / record["memory_bandwidth_tb_per_s"] <= 1000


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_every_figure_has_a_source(record):
    assert record["source"].startswith("https://")
    for field, where in record["field_sources"].items():
        assert where.startswith(("https://", "measured:")), (field, where)
        assert field in record, f"field_sources names unknown field {field}"
    # figures recorded as measured must be backed by a measured source
    if record["memory_reported_bytes"] is not None:
        assert "memory_reported_bytes" in record["field_sources"]


def test_no_figure_is_invented_for_apple():
    # Apple publishes no FLOP/s figures: the catalog must leave them empty rather than guess.
    for record in RECORDS:
        if record["vendor"] == "apple":
            assert all(v is None for v in record["dense_tflops"].values())


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_usable_memory_is_below_capacity_and_above_the_reserve(record):
    """The rule is computed, not stored: every card keeps most of its memory and loses at least the context."""
    gpu = gpus.get(record["id"])
    capacity = record["memory_gb"] * 2**30
    assert 0.6 * capacity < gpu.usable_memory_bytes < capacity
    assert "usable_memory_bytes" not in record  # derived data is not stored


def test_discrete_usable_memory_is_the_reported_memory_minus_the_runtime_context():
    reserve = RAW["usable_memory_rule"]["discrete"]["reserve_bytes"]
    h200 = next(r for r in RECORDS if r["id"] == "h200")
    assert h200["memory_reported_bytes"]  # measured on the card (shared/gpu-truth)
    assert gpus.get("h200").usable_memory_bytes == h200["memory_reported_bytes"] - reserve
    a100 = next(r for r in RECORDS if r["memory_model"] == "discrete" and not r.get("memory_reported_bytes"))
    assert gpus.get(a100["id"]).usable_memory_bytes == int(a100["memory_gb"] * 2**30) - reserve


def test_unified_memory_share_depends_on_the_machine_size():
    rule = RAW["usable_memory_rule"]["unified"]
    small = next(r for r in RECORDS if r["memory_model"] == "unified" and r["memory_gb"] <= rule["small_threshold_gb"])
    assert gpus.get(small["id"]).usable_memory_bytes == int(small["memory_gb"] * 2**30 * rule["fraction_small"])


def test_m4_max_128gb_gives_the_gpu_three_quarters():
    assert gpus.get("m4-max-128gb").usable_memory_bytes == 96 * 2**30


def test_h200_usable_memory_comes_from_the_measured_total():
    # gpu-truth env record: torch total_memory 150109880320 bytes; minus ~0.6 GiB context
    h200 = gpus.get("h200")
    assert h200.memory_reported_bytes == 150109880320
    assert 138.9 * 2**30 < h200.usable_memory_bytes < 139.5 * 2**30


def test_ids_and_aliases_are_unique_after_normalisation():
    seen = {}
    for record in RECORDS:
        for key in (record["id"], *record["aliases"]):
            norm = gpus.normalize(key)
            assert seen.setdefault(norm, record["id"]) == record["id"], f"{key!r} used by {seen[norm]} and {record['id']}"


@pytest.mark.parametrize("device_name, gpu_id", [
    ("NVIDIA H100 80GB HBM3", "h100-sxm"),
    ("NVIDIA H200", "h200"),
    ("NVIDIA H100 PCIe", "h100-pcie"),
    ("NVIDIA H100 NVL", "h100-nvl"),
    ("NVIDIA A100-SXM4-80GB", "a100-80gb-sxm"),
    ("NVIDIA A100-SXM4-40GB", "a100-40gb-sxm"),
    ("NVIDIA A100 80GB PCIe", "a100-80gb-pcie"),
    ("NVIDIA A100-PCIE-40GB", "a100-40gb-pcie"),
    ("NVIDIA A10G", "a10g"),
    ("NVIDIA L4", "l4"),
    ("NVIDIA L40S", "l40s"),
    ("Tesla V100-SXM2-32GB", "v100-sxm2-32gb"),
    ("Tesla T4", "t4"),
    ("NVIDIA GeForce RTX 4090", "rtx-4090"),
    ("NVIDIA GeForce RTX 3090", "rtx-3090"),
    ("NVIDIA RTX 6000 Ada Generation", "rtx-6000-ada"),
    ("NVIDIA B200", "b200"),
    ("AMD Instinct MI300X", "mi300x"),
])
def test_device_names_map_to_entries(device_name, gpu_id):
    assert gpus.find(device_name).id == gpu_id
    assert gpus.get(f"  {device_name.upper()} ").id == gpu_id


def test_short_names_people_type():
    assert gpus.get("h100").id == "h100-sxm"
    assert gpus.get("a100").id == "a100-80gb-sxm"
    assert gpus.get("4090").id == "rtx-4090"
    assert gpus.get("H100_SXM").id == "h100-sxm"


def test_unknown_gpu_names_the_field_and_suggests():
    with pytest.raises(InputError) as info:
        gpus.get("h1000-sxm")
    assert info.value.field == "gpu"
    assert "h100-sxm" in str(info.value)
    with pytest.raises(InputError) as info:
        gpus.get("", field="gpus")
    assert info.value.field == "gpus"
    with pytest.raises(InputError):
        gpus.get(None)


def test_dataclass_is_frozen_and_derived_units():
    h100 = gpus.get("h100-sxm")
    with pytest.raises(AttributeError):
        h100.memory_gb = 1
    assert h100.memory_bandwidth_bytes_per_s == 3.35e12
    assert h100.peak_flops_per_s("bf16") == 989.5e12
    assert h100.link_bytes_per_s_one_way() == 450e9
    # bf16 falls back to fp16 where only fp16 is published (same 16-bit tensor rate)
    assert gpus.get("rx-7900-xtx").dense_tflops_for("bf16") == 122.8
    assert gpus.get("m4-max-128gb").peak_flops_per_s("bf16") is None
    with pytest.raises(InputError) as info:
        h100.dense_tflops_for("fp64")
    assert info.value.field == "compute_format"
