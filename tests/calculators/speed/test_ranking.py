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
