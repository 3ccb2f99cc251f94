"""llama.cpp's speed model: its per-backend constants follow from the field records, and each mechanism (bytes
read where they live, a time per layer, the matmul path's peak, weights copied over the host link) does what
the records show."""

import json
import subprocess
import sys

import pytest

from calculators.catalogs import models
from calculators.core.errors import InputError
from calculators.memory.placement import Placement
from calculators.memory.setup import runtime_data
from calculators.speed import llama_cpp
from validation.truth import ROOT

LLAMA = models.resolve("llama-3.1-8b")[1]


def test_the_backend_constants_are_what_the_derivation_script_computes():
    proc = subprocess.run([sys.executable, "scripts/derive_llama_cpp_speed.py"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == runtime_data()["llama_cpp"]["speed"]["backends"]


def test_the_time_per_layer_is_one_physical_scale_on_every_backend():
    """Launching and synchronising a layer's dozen small kernels: about a tenth of a millisecond on CUDA, ROCm and
    Metal alike; a fitted value far from that would mean the fit absorbed something else."""
    for backend, data in runtime_data()["llama_cpp"]["speed"]["backends"].items():
        assert 50e-6 < data["decode_layer_seconds"] < 300e-6, backend
        assert data["decode_bandwidth_fraction"] < 1


def test_decode_reads_each_byte_at_the_bandwidth_of_the_memory_that_holds_it():
    full = llama_cpp.decode(LLAMA, "rtx-4090", backend="CUDA", weight_format="q4_k_m", context_tokens=0,
                            generated_tokens=128)
    half = llama_cpp.decode(LLAMA, "rtx-4090", backend="CUDA", weight_format="q4_k_m", context_tokens=0,
                            generated_tokens=128, placement=Placement(gpu_layers=16), host_bandwidth_gb_per_s=89.6)
    assert full.host_read_seconds == 0 and half.host_read_seconds > 0
    # sixteen layers read from dual-channel DDR5 at 80% of 89.6 GB/s take longer than all of them from GDDR6X
    assert half.tokens_per_s < full.tokens_per_s / 3
    with pytest.raises(InputError) as caught:
        llama_cpp.decode(LLAMA, "rtx-4090", backend="CUDA", weight_format="q4_k_m", context_tokens=0,
                         generated_tokens=128, placement=Placement(gpu_layers=16))
    assert caught.value.field == "host_bandwidth_gb_per_s"


def test_a_moe_decode_reads_only_the_routed_experts():
    qwen = models.resolve("qwen3-30b-a3b")[1]
    run = llama_cpp.decode(qwen, "rtx-4090", backend="CUDA", weight_format="q4_k_m", context_tokens=0,
                           generated_tokens=1)
    dense_equivalent = llama_cpp.decode(LLAMA, "rtx-4090", backend="CUDA", weight_format="q4_k_m",
                                        context_tokens=0, generated_tokens=1)
    assert run.gpu_read_seconds < dense_equivalent.gpu_read_seconds  # 3B active of 30B read, against 8B


def test_a_prefill_with_experts_in_system_ram_copies_them_over_the_host_link_per_micro_batch():
    qwen = models.resolve("qwen3-30b-a3b")[1]
    kept = llama_cpp.prefill(qwen, "rtx-4090", backend="CUDA", weight_format="q4_k_m", prompt_tokens=2048,
                             n_ubatch=512, placement=Placement(tensor_overrides=(("exps", "CPU"),)))
    one_batch = llama_cpp.prefill(qwen, "rtx-4090", backend="CUDA", weight_format="q4_k_m", prompt_tokens=2048,
                                  n_ubatch=2048, placement=Placement(tensor_overrides=(("exps", "CPU"),)))
    assert kept.transfer_seconds == pytest.approx(4 * one_batch.transfer_seconds)
    assert kept.transfer_seconds > kept.compute_seconds  # PCIe 4.0 x16 is the bottleneck, as users report


def test_a_backend_without_measurements_is_refused():
    with pytest.raises(InputError) as caught:
        llama_cpp.decode(LLAMA, "rtx-4090", backend="Vulkan", weight_format="q4_0", context_tokens=0,
                         generated_tokens=128)
    assert caught.value.field == "backend"
