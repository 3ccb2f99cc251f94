"""Tensor-parallel plans: weights split across GPUs, KV heads replicated, an interconnect required."""

import pytest

from calculators.core.errors import InputError
from calculators.speed import tensor_parallel_plan


def test_tensor_parallel_plan_splits_weights_and_replicates_kv_heads(llama70b):
    one = tensor_parallel_plan(llama70b, "h100-sxm", tensor_parallel=1, context_tokens=4096)
    four = tensor_parallel_plan(llama70b, "h100-sxm", tensor_parallel=4, context_tokens=4096)
    assert not one.fits and four.fits
    assert four.weights_per_gpu_bytes == pytest.approx(one.weights_per_gpu_bytes / 4)
    assert one.communication_seconds == 0 < four.communication_seconds
    assert four.step.step_seconds < one.step.step_seconds
    assert four.kv_replicas == 1
    sixteen = tensor_parallel_plan(llama70b, "h100-sxm", tensor_parallel=16, context_tokens=4096)
    eight = tensor_parallel_plan(llama70b, "h100-sxm", tensor_parallel=8, context_tokens=4096)
    assert sixteen.kv_replicas == 2 and sixteen.kv_cache_per_gpu_bytes == eight.kv_cache_per_gpu_bytes


def test_tensor_parallel_needs_an_interconnect(llama8b):
    with pytest.raises(InputError) as error:
        tensor_parallel_plan(llama8b, "m4-max-128gb", tensor_parallel=2)
    assert error.value.field == "tensor_parallel"


def test_a_degree_that_does_not_divide_the_heads_is_refused_with_the_sizes_that_work(llama8b):
    """vLLM refuses --tensor-parallel-size 3 for Llama 3.1 8B (32 heads); so does the plan, naming the field."""
    with pytest.raises(InputError) as error:
        tensor_parallel_plan(llama8b, "h100-sxm", tensor_parallel=3)
    assert error.value.field == "tensor_parallel"
    assert "32 attention heads" in error.value.message and "1, 2, 4, 8, 16, 32" in error.value.message
