"""The speed engine's request, bandwidth-ceiling, tensor-parallel plan and roofline-corner helpers."""

import pytest

from calculators.catalogs import gpus
from calculators.catalogs import models
from calculators.core.errors import InputError
from calculators.architectures import build
from calculators.speed import (decode_ceiling, decode_step, mean_decode_context, prefill, request, roof,
                               tensor_parallel_plan)
from calculators.speed.efficiency import default as eff


@pytest.fixture(scope="module")
def llama8b():
    return models.resolve("llama-3.1-8b")[1]


@pytest.fixture(scope="module")
def llama70b():
    return models.resolve("llama-3.1-70b")[1]


def test_request_is_prefill_then_decode_steps_at_the_mean_context(llama8b):
    r = request(llama8b, "h100-sxm", prompt_tokens=1000, output_tokens=201, batch=4)
    assert r.mean_context_tokens == mean_decode_context(1000, 201) == 1100
    assert r.ttft_seconds == prefill(llama8b, "h100-sxm", prompt_tokens=1000, batch=4).seconds
    step = decode_step(llama8b, "h100-sxm", batch=4, context_tokens=1100)
    assert r.time_per_output_token_seconds == step.step_seconds
    assert r.total_seconds == pytest.approx(r.ttft_seconds + 200 * step.step_seconds)
    assert r.tokens_per_s_total == pytest.approx(4 * r.tokens_per_s_per_user)
    assert 0 < r.prefill_share < 1


def test_request_rejects_empty_output(llama8b):
    with pytest.raises(InputError) as error:
        request(llama8b, "h100-sxm", prompt_tokens=10, output_tokens=0)
    assert error.value.field == "output_tokens"


def test_decode_ceiling_is_bandwidth_over_bytes_read(llama8b):
    h100 = gpus.get("h100-sxm")
    bound = decode_ceiling(llama8b, h100, weight_format="bf16")
    assert bound.kv_bytes_per_token == 0
    # every linear weight in two bytes (the embedding table is a lookup, not read whole)
    assert bound.weight_bytes_per_token == pytest.approx(2 * llama8b.matmul_params)
    assert bound.ceiling_tokens_per_s == pytest.approx(h100.memory_bandwidth_bytes_per_s / bound.bytes_per_token)
    assert bound.achievable_tokens_per_s == pytest.approx(bound.ceiling_tokens_per_s * eff().memory_bandwidth_fraction)
    assert bound.modelled_tokens_per_s < bound.achievable_tokens_per_s
    int4 = decode_ceiling(llama8b, h100, weight_format="int4")
    assert int4.ceiling_tokens_per_s == pytest.approx(4 * bound.ceiling_tokens_per_s)
    with_cache = decode_ceiling(llama8b, h100, context_tokens=8192)
    assert with_cache.kv_bytes_per_token == pytest.approx(8192 * 131072)  # 128 KiB per token in bf16


def test_tensor_parallel_plan_splits_weights_and_replicates_kv_heads(llama70b):
    one = tensor_parallel_plan(llama70b, "h100-sxm", degree=1, context_tokens=4096)
    four = tensor_parallel_plan(llama70b, "h100-sxm", degree=4, context_tokens=4096)
    assert not one.fits and four.fits
    assert four.weights_per_gpu_bytes == pytest.approx(one.weights_per_gpu_bytes / 4)
    assert one.communication_seconds == 0 < four.communication_seconds
    assert four.step.step_seconds < one.step.step_seconds
    assert four.kv_replicas == 1
    sixteen = tensor_parallel_plan(llama70b, "h100-sxm", degree=16, context_tokens=4096)
    eight = tensor_parallel_plan(llama70b, "h100-sxm", degree=8, context_tokens=4096)
    assert sixteen.kv_replicas == 2 and sixteen.kv_cache_per_gpu_bytes == eight.kv_cache_per_gpu_bytes


def test_tensor_parallel_needs_an_interconnect(llama8b):
    with pytest.raises(InputError) as error:
        tensor_parallel_plan(llama8b, "m4-max-128gb", degree=2)
    assert error.value.field == "degree"


def test_roof_has_a_corner_at_the_ridge():
    h100 = gpus.get("h100-sxm")
    points = roof(h100, "bf16", 1, 10_000)
    assert [x for x, _ in points] == pytest.approx([1, 989.5e12 / 3.35e12, 10_000])
    assert points[0][1] == pytest.approx(3.35e12) and points[-1][1] == pytest.approx(989.5e12)
    achievable = roof(h100, "bf16", 1, 10_000, achievable=True)
    assert achievable[-1][1] == pytest.approx(989.5e12 * eff().compute_fraction)
    assert len(roof(h100, "bf16", 1000, 10_000)) == 2  # right of the ridge: the flat roof only
    with pytest.raises(InputError):
        roof("m4-max-128gb", "bf16", 1, 10)


def test_linear_groups_are_computed_once_per_architecture_object(llama8b):
    assert llama8b.linear_groups is llama8b.linear_groups
    other = build(models.get("llama-3.1-8b").config)
    assert other is not llama8b and other.linear_groups == llama8b.linear_groups
