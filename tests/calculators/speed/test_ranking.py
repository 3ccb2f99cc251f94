"""GPU ranking: only what fits, sorted by speed or cost, with the memory need from the memory engine."""

import pytest

from calculators import speed
from calculators.architectures import build
from calculators.core.errors import InputError
from tests.calculators.support import LLAMA_70B


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


def test_memory_need_comes_from_the_memory_engine():
    arch = build(LLAMA_70B)
    need = speed.memory_needed(arch, weight_format="bf16", batch=1, context_tokens=4096)
    assert need.method.startswith("calculators.memory")
    # bf16 weights of Llama-3.1-70B: 70.55e9 params x 2 bytes, plus a KV cache and activations
    assert need.weights_bytes == pytest.approx(arch.n_params * 2)
    assert need.total_bytes > need.weights_bytes + need.kv_cache_bytes


def test_the_ranking_fits_what_the_tensor_parallel_plan_fits():
    """Llama 3.1 70B, batch 64 at 32k: past its 8 KV heads the cache per GPU stops shrinking, so 16 H100s do not
    hold it (117 GiB per GPU against 79 usable) although the total divided by 16 would."""
    arch = build(LLAMA_70B)
    options = speed.rank(arch, batch=64, context_tokens=32_768, counts=(8, 16))
    listed = {(o.gpu_id, o.count): o for o in options}
    assert ("h100-sxm", 16) not in listed
    whole = speed.memory_needed(arch, weight_format="bf16", batch=64, context_tokens=32_768)
    assert whole.total_bytes / 16 < speed.tensor_parallel_plan(arch, "h100-sxm", tensor_parallel=1).usable_per_gpu_bytes
    for (gpu_id, count), option in listed.items():
        plan = speed.tensor_parallel_plan(arch, gpu_id, tensor_parallel=count, batch=64, context_tokens=32_768)
        assert plan.fits and option.memory_per_gpu_bytes == pytest.approx(plan.memory_per_gpu_bytes)


def test_counts_that_do_not_divide_the_heads_are_not_offered():
    arch = build(LLAMA_70B)  # 64 attention heads, 8 key-value heads
    assert {o.count for o in speed.rank(arch, counts=(3, 4, 6))} == {4}
