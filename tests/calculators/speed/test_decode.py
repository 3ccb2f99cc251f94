"""Speed model mechanisms: bytes read, FLOPs, MoE, quantized weights, roofline, tensor parallelism, ranking."""

import dataclasses
import math

import pytest

from calculators import speed
from calculators.architectures import build
from calculators.core.errors import InputError
from calculators.speed.kernels import pnorm

# Published config.json values (as in shared/gpu-truth/measure.py and the Hugging Face model cards).
LLAMA_8B = dict(model_type="llama", vocab_size=128256, hidden_size=4096, intermediate_size=14336,
                num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8, head_dim=128,
                tie_word_embeddings=False)
LLAMA_70B = dict(LLAMA_8B, hidden_size=8192, intermediate_size=28672, num_hidden_layers=80,
                 num_attention_heads=64, num_key_value_heads=8)
MIXTRAL = dict(model_type="mixtral", vocab_size=32000, hidden_size=4096, intermediate_size=14336,
               num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8, head_dim=128,
               num_local_experts=8, num_experts_per_tok=2, tie_word_embeddings=False)


@pytest.fixture(scope="module")
def llama():
    return build(LLAMA_8B)


def test_pnorm_is_between_max_and_sum():
    assert pnorm(3, 4, 2) == pytest.approx(5)
    assert pnorm(3, 0, 2) == 3
    assert max(3, 4) <= pnorm(3, 4, 2) <= 7


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


def test_batching_raises_throughput_not_single_user_speed(llama):
    rows = speed.batch_sweep(llama, "h200", batches=(1, 8, 64, 256, 1024), context_tokens=1024).rows
    per_user = [r.tokens_per_s_per_user for r in rows]
    total = [r.tokens_per_s_total for r in rows]
    assert per_user == sorted(per_user, reverse=True)
    assert total == sorted(total)


def test_linear_sweep_turns_compute_bound_between_128_and_256(llama):
    # gpu-truth README: the H200 llama-3.1-8b sweep turns compute-bound between batch 128 and 256
    sweep = speed.batch_sweep(llama, "NVIDIA H200", batches=(1,), context_tokens=0)
    assert 128 < sweep.compute_bound_batch <= 256


def test_experts_touched_grow_with_batch():
    assert speed.expected_experts_touched(8, 2, 1) == pytest.approx(2)
    assert speed.expected_experts_touched(8, 2, 1000) == pytest.approx(8)
    assert speed.expected_experts_touched(128, 8, 4) == pytest.approx(128 * (1 - (1 - 8 / 128) ** 4))
    with pytest.raises(InputError) as info:
        speed.expected_experts_touched(8, 9, 1)
    assert info.value.field == "experts_per_token"


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


def test_prefill_is_compute_bound_and_counts_causal_attention(llama):
    pre = speed.prefill(llama, "h100-sxm", prompt_tokens=2048)
    linear_params = llama.matmul_params
    lm_head = llama.vocab_size * llama.hidden_size
    attention = 4 * 32 * 128 * (2048 * 2049 / 2) * 32
    assert pre.flops == pytest.approx(2 * (linear_params - lm_head) * 2048 + 2 * lm_head + attention, rel=1e-6)
    achieved = pre.flops / pre.seconds
    assert 0.5 * 989.5e12 < achieved < 0.81 * 989.5e12
    assert pre.ttft_seconds == pre.seconds
    longer = speed.prefill(llama, "h100-sxm", prompt_tokens=8192)
    assert longer.seconds > 4 * pre.seconds


@pytest.mark.parametrize("gpu, ridge", [("h100-sxm", 295), ("a100-80gb-sxm", 153), ("h200", 206), ("mi300x", 247)])
def test_ridge_points_match_published_values(gpu, ridge):
    # calculators-landscape reference: ridge points from vendor dense peaks
    assert speed.ridge_point_flop_per_byte(gpu, "bf16") == pytest.approx(ridge, abs=1)


def test_matmul_intensity_and_placement():
    gemv = speed.matmul_intensity_flop_per_byte(1, 4096, 4096)
    assert gemv == pytest.approx(1.0, rel=0.01)
    assert speed.matmul_intensity_flop_per_byte(1, 4096, 4096, weight_bytes_per_value=0.5) == pytest.approx(4, rel=0.01)
    assert speed.place("h100-sxm", gemv).bound == "memory"
    big = speed.matmul_intensity_flop_per_byte(8192, 8192, 8192)
    point = speed.place("h100-sxm", big)
    assert point.bound == "compute" and point.attainable_flops_per_s == 989.5e12
    assert speed.ridge_point_flop_per_byte("m4-max-128gb") is None


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
    step = speed.decode_step(llama, "m4-max-128gb", batch=1, context_tokens=1024)
    assert not step.compute_known and step.compute_seconds == 0
    # 546 GB/s: about 30 tokens/s for 16 GB of bf16 weights
    assert 25 < step.tokens_per_s_per_user < 35


def test_ranking_keeps_only_what_fits_and_sorts():
    arch = build(LLAMA_70B)
    options = speed.rank(arch, batch=1, context_tokens=4096)
    keys = {(o.gpu_id, o.count) for o in options}
    assert ("h100-sxm", 1) not in keys and ("h100-sxm", 2) in keys
    assert ("mi300x", 1) in keys
    assert all(o.memory_needed_bytes / o.count <= o.memory_available_bytes / o.count for o in options)
    totals = [o.tokens_per_s_total for o in options]
    assert totals == sorted(totals, reverse=True)
    by_cost = speed.rank(arch, batch=1, context_tokens=4096, sort_by="cost", counts=(2,))
    priced = [o.usd_per_million_tokens for o in by_cost if o.usd_per_million_tokens is not None]
    assert priced and priced == sorted(priced)
    cheap = speed.rank(arch, batch=1, context_tokens=4096, sort_by="cost", counts=(2,), prices={"h100-sxm": 0.01})
    assert cheap[0].gpu_id == "h100-sxm" and cheap[0].usd_per_hour == pytest.approx(0.02)
    with pytest.raises(InputError) as info:
        speed.rank(arch, sort_by="speed")
    assert info.value.field == "sort_by"


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


def test_memory_need_comes_from_the_memory_engine():
    arch = build(LLAMA_70B)
    need = speed.memory_needed(arch, weight_format="bf16", batch=1, context_tokens=4096)
    assert need.method.startswith("calculators.memory")
    # bf16 weights of Llama-3.1-70B: 70.55e9 params x 2 bytes, plus a KV cache and activations
    assert need.weights_bytes == pytest.approx(arch.n_params * 2)
    assert need.total_bytes > need.weights_bytes + need.kv_cache_bytes
