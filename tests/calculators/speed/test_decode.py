"""Decode steps: bytes read, FLOPs, MoE and quantized weights, tensor parallelism, memory-only GPUs, bad input."""

import dataclasses
import math

import pytest

from calculators import speed
from calculators.architectures import build
from calculators.core.errors import InputError
from tests.calculators.support import MIXTRAL


def test_decode_reads_every_weight_once_and_the_kv_cache_per_sequence(llama):
    step = speed.decode_step(llama, "h100-sxm", batch=8, context_tokens=4096)
    linear_params = llama.matmul_params
    assert step.weight_bytes_read == linear_params * 2
    assert step.kv_bytes_read == pytest.approx(llama.kv_cache_bytes(8, 4096, 2))
    # FLOPs: 2 x linear params x batch + 4 x heads x head_dim x context x batch per layer
    attention = 4 * 8 * 4096 * 32 * 128 * 32
    assert step.flops == pytest.approx(2 * linear_params * 8 + attention)
    assert step.tokens_per_s_total == pytest.approx(8 / step.step_seconds)
    assert step.bound == "memory"


def test_batch_one_decode_is_bandwidth_bound_near_the_spec_fraction(llama):
    # 15 GB of bf16 linear weights at 88.6% of 3.35 TB/s take ~5.1 ms; the step cannot be faster, and
    # the rest is kernel overhead: ~4.6 us for each of the ~450 kernels of a CUDA-graph decode step
    step = speed.decode_step(llama, "h100-sxm", batch=1, context_tokens=0)
    eff = speed.default_efficiency()
    floor = step.weight_bytes_read / (3.35e12 * eff.memory_bandwidth_fraction)
    kernels = 225 + 32 + eff.extra_kernels_per_layer * 32
    assert floor < step.step_seconds < floor + kernels * eff.kernel_overhead_seconds * 1.1


def test_moe_reads_active_weights_at_batch_one_and_all_weights_at_large_batch():
    arch = build(MIXTRAL)
    one = speed.decode_step(arch, "h100-sxm", batch=1, context_tokens=0)
    many = speed.decode_step(arch, "h100-sxm", batch=512, context_tokens=0)
    embedding = arch.vocab_size * arch.hidden_size
    assert one.weight_bytes_read / 2 == pytest.approx(arch.active_params - embedding, rel=0.01)
    assert many.weight_bytes_read / 2 == pytest.approx(arch.n_params - embedding, rel=0.01)


def test_quantized_weights_read_fewer_bytes_but_pay_dequantization(llama):
    bf16 = speed.decode_step(llama, "h100-sxm", batch=1, context_tokens=0)
    int4 = speed.decode_step(llama, "h100-sxm", batch=1, context_tokens=0, weight_format="int4")
    assert int4.weight_bytes_read == pytest.approx(bf16.weight_bytes_read / 4)
    assert int4.step_seconds < bf16.step_seconds
    assert int4.compute_seconds > bf16.compute_seconds  # dequantization work


def test_tensor_parallel_splits_weights_and_adds_communication(llama):
    one = speed.decode_step(llama, "h100-sxm", batch=8, context_tokens=4096)
    two = speed.decode_step(llama, "h100-sxm", batch=8, context_tokens=4096, tensor_parallel=2)
    assert two.weight_bytes_read == pytest.approx(one.weight_bytes_read / 2)
    assert two.kv_bytes_read == pytest.approx(one.kv_bytes_read / 2)
    assert two.communication_seconds > 0 and one.communication_seconds == 0
    assert two.step_seconds < one.step_seconds
    pcie = speed.decode_step(llama, "l40s", batch=8, context_tokens=4096, tensor_parallel=2)
    nvlink = speed.decode_step(llama, "h100-sxm", batch=8, context_tokens=4096, tensor_parallel=2)
    assert pcie.communication_seconds > nvlink.communication_seconds
    with pytest.raises(InputError) as info:
        speed.decode_step(llama, "m4-max-128gb", batch=1, tensor_parallel=2)
    assert info.value.field == "tensor_parallel"


def test_unified_memory_machine_without_flops_is_memory_only(llama):
    step = speed.decode_step(llama, "dgx-spark", batch=1, context_tokens=1024)  # NVIDIA publishes only its FP4 rate
    assert not step.compute_known and step.compute_seconds == 0
    # 273 GB/s: about 15 tokens/s for 16 GB of bf16 weights
    assert 10 < step.tokens_per_s_per_user < 20


@pytest.mark.parametrize("kwargs, field", [
    (dict(batch=0), "batch"), (dict(batch=1.5), "batch"), (dict(context_tokens=-1), "context_tokens"),
    (dict(weight_format="q9"), "weight_format"), (dict(compute_format="fp64"), "compute_format"),
    (dict(tensor_parallel=0), "tensor_parallel"),
])
def test_bad_input_names_the_field(llama, kwargs, field):
    with pytest.raises(InputError) as info:
        speed.decode_step(llama, "h100", **kwargs)
    assert info.value.field == field


def test_results_are_frozen(llama):
    step = speed.decode_step(llama, "h100", batch=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.batch = 2
    assert math.isfinite(step.arithmetic_intensity_flop_per_byte)
