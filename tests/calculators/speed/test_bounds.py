"""The decode ceiling: memory bandwidth over the bytes one token reads."""

import pytest

from calculators.catalogs import gpus
from calculators.speed import decode_ceiling
from calculators.speed.efficiency import default as eff


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
