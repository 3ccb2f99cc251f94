"""The accelerator catalog: schema, units, plausible ranges, sources, aliases and device names."""

import json
import re
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
    # capacity in GB: 8 GB (RTX 4060, RTX 3070) … 512 GB (M3 Ultra)
    assert 8 <= record["memory_gb"] <= 512
    # bandwidth in TB/s, not GB/s: 0.12 (M4) … 8 (B200)
    assert 0.1 <= record["memory_bandwidth_tb_per_s"] <= 10
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


_APPLE_FORMULA = re.compile(r"^(\d+) cores x (\d+) ALUs x 2 x ([\d.]+) GHz$")


@pytest.mark.parametrize("record", [r for r in RECORDS if r["vendor"] == "apple"], ids=lambda r: r["id"])
def test_apple_flops_are_apple_figures_or_the_documented_product_of_cores_and_clock(record):
    """Apple publishes FLOP/s only for the M1 family; elsewhere fp32 is cores x 128 ALUs x 2 x clock, written out in
    `derived` with the clock's source, and the stored figure must be that product."""
    t = record["dense_tflops"]
    assert t["fp32"] is not None and t["fp16"] == t["fp32"] and "fp16" in record["derived"]
    assert record["field_sources"]["dense_tflops"].startswith("https://")
    assert "publishes no FLOP/s" not in record["notes"]
    formula = record["derived"].get("fp32")
    if formula is None:  # Apple's own figure (M1 Pro / Max / Ultra)
        assert record["source"].startswith("https://www.apple.com/newsroom/")
        return
    cores, alus, ghz = _APPLE_FORMULA.match(formula).groups()
    assert int(cores) == record["compute_units"] and int(alus) == 128
    assert t["fp32"] == pytest.approx(int(cores) * int(alus) * 2 * float(ghz) / 1000, rel=0.01)


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
    # Apple publishes no bf16 rate: bf16 falls back to the derived fp16 figure; with neither, there is none
    m4 = gpus.get("m4-max-128gb")
    assert m4.peak_flops_per_s("bf16") == m4.peak_flops_per_s("fp16") == m4.dense_tflops.fp32 * 1e12
    assert gpus.get("dgx-spark").peak_flops_per_s("bf16") is None  # NVIDIA gives GB10 only a sparse fp4 figure
    with pytest.raises(InputError) as info:
        h100.dense_tflops_for("fp64")
    assert info.value.field == "compute_format"


@pytest.mark.parametrize("printed, gpu_id", [
    ("NVIDIA GeForce RTX 4080", "rtx-4080"),
    ("NVIDIA GeForce RTX 4080 SUPER", "rtx-4080-super"),
    ("NVIDIA GeForce RTX 3080 Ti", "rtx-3080-ti"),
    ("NVIDIA GeForce RTX 5060 Ti", "rtx-5060-ti-16gb"),
    ("NVIDIA GB10", "dgx-spark"),
    ("AMD Radeon RX 7900 XT", "rx-7900-xt"),
    ("Apple M1 Max (32-core GPU, 400 GB/s)", "m1-max-64gb"),
    ("Apple M4 (10-core GPU)", "m4-32gb"),
])
def test_names_logs_print_for_the_added_entries(printed, gpu_id):
    assert gpus.match_device_name(printed).id == gpu_id


def test_a_core_count_the_catalog_lacks_is_still_no_match():
    # the M1 Max name alias belongs to the 32-core entry; a 24-core log line must not borrow its figures
    assert gpus.match_device_name("Apple M1 Max (24-core GPU)") is None
    assert gpus.match_device_name("NVIDIA GeForce RTX 4080 Ti") is None
