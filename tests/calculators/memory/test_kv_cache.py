"""KV-cache sizes per token, sequence and batch; attention kinds; sequences a pool holds."""

import pytest

from calculators.catalogs import models
from calculators.memory import kv_cache as kv


def arch(model_id):
    return models.resolve(model_id)[1]


def test_llama_8b_costs_128_kib_per_token():
    size = kv.kv_cache_size(arch("llama-3.1-8b"), context_tokens=8192, batch=4)
    assert size.bytes_per_token == 2 * 32 * 8 * 128 * 2
    assert size.bytes_per_sequence == 8192 * size.bytes_per_token
    assert size.bytes_per_batch == 4 * size.bytes_per_sequence


def test_sliding_window_layers_stop_growing():
    gemma = arch("gemma-3-27b")
    short, long = (kv.kv_cache_size(gemma, context_tokens=t).bytes_per_sequence for t in (1024, 32768))
    assert long < 32 * short  # 52 of 62 layers keep only 1,024 tokens
    assert "hybrid: 52 of 62 layers" in kv.attention_kind(gemma)


@pytest.mark.parametrize("model_id, kind", [("llama-3.1-8b", "GQA"), ("olmo-2-7b", "MHA"), ("gemma-3-1b", "MQA"),
                                            ("deepseek-v3", "MLA")])
def test_attention_kind_names_the_sharing(model_id, kind):
    assert kv.attention_kind(arch(model_id)).startswith(kind)


def test_mla_stores_the_latent():
    deepseek = arch("deepseek-v3")
    assert kv.kv_cache_size(deepseek, context_tokens=1).bytes_per_token == 61 * 576 * 2
    assert kv.kv_cache_size(deepseek, context_tokens=1, latent=False).bytes_per_token > 50 * 61 * 576 * 2


def test_sequences_that_fit_round_to_blocks():
    llama = arch("llama-3.1-8b")
    per_token = 128 * 1024
    assert kv.sequences_that_fit(llama, 10 * 16 * per_token, 16, 2) == 10
    assert kv.sequences_that_fit(llama, 10 * 16 * per_token, 17, 2) == 5  # 17 tokens take two blocks
    assert kv.sequences_that_fit(llama, -5, 16, 2) == 0
