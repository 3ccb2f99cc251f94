"""Layer kinds answer what the engines ask: cache held, keys read, query-key pairs, masks, FLOPs."""

import pytest

from calculators.architectures import Attention, ChunkedAttention, LatentAttention, SlidingWindowAttention, build
from calculators.core.errors import InputError
from calculators.catalogs.models import resolve
from calculators.memory.kv_cache import kv_cache_size
from calculators.speed import decode_step, prefill

FULL = Attention(8, 1024, 1024)


def test_full_attention_keeps_and_reads_every_token():
    assert FULL.cached_tokens(5000) == FULL.attended_tokens(5000) == 5000
    assert FULL.causal_pairs(4) == 10 and not FULL.masks_keys(10**6)
    assert FULL.cache_values(17, block_tokens=16) == 32 * 2048  # a paged cache rounds up to whole blocks


def test_sliding_window_caps_cache_reads_and_pairs():
    sliding = SlidingWindowAttention.from_full(FULL, 4)
    assert sliding.cached_tokens(10) == sliding.attended_tokens(10) == 4
    assert sliding.causal_pairs(10) == 4 * 5 / 2 + 6 * 4
    assert sliding.masks_keys(4) and not sliding.masks_keys(3)


def test_chunked_attention_holds_a_chunk_but_reads_only_the_current_one():
    chunked = ChunkedAttention.from_full(FULL, 4)
    assert chunked.cached_tokens(10) == 4          # the cache keeps the last chunk's worth
    assert chunked.attended_tokens(10) == 2        # token 11 sees tokens 9 and 10 of its chunk
    assert chunked.causal_pairs(10) == 2 * (4 * 5 / 2) + 2 * 3 / 2
    assert chunked.decode_flops(10, 32, 128) == 4.0 * 2 * 32 * 128


def test_latent_attention_caches_its_latent_where_the_runtime_does():
    mla = LatentAttention(128, 128 * 192, 128 * 128, latent_width=576)
    assert mla.values_per_token(latent=True) == 576 and mla.values_per_token() == 128 * 320


CHUNKED_CONFIG = {"model_type": "llama", "num_hidden_layers": 4, "hidden_size": 1024, "num_attention_heads": 8,
                  "num_key_value_heads": 8, "vocab_size": 1000, "intermediate_size": 2048,
                  "layer_types": ["chunked_attention", "chunked_attention", "chunked_attention", "full_attention"],
                  "attention_chunk_size": 1024}


def test_layer_types_select_chunked_layers_and_their_span():
    arch = build(CHUNKED_CONFIG)
    assert [layer.kind for layer in arch.attention] == ["chunked"] * 3 + ["full"]
    assert arch.attention[0].span == 1024
    with pytest.raises(InputError, match="attention_chunk_size"):
        build({**CHUNKED_CONFIG, "attention_chunk_size": None})


def test_engines_ask_the_layer_for_chunked_cache_and_work():
    arch = build(CHUNKED_CONFIG)
    full = build({**CHUNKED_CONFIG, "layer_types": ["full_attention"] * 4})
    per_layer = 2 * 1024 * 2  # keys and values, bf16
    # the cache: three chunked layers hold at most one chunk, the full layer every token
    assert kv_cache_size(arch, context_tokens=8192).bytes_per_sequence == (3 * 1024 + 8192) * per_layer
    # decoding at 8,192 + 100 tokens reads 100 keys in a chunked layer, every key in the full one
    step, full_step = (decode_step(a, "h100-sxm", context_tokens=8192 + 100) for a in (arch, full))
    assert step.kv_bytes_read == (3 * 100 + 8292) * per_layer and full_step.kv_bytes_read == 4 * 8292 * per_layer
    assert prefill(arch, "h100-sxm", prompt_tokens=8192).flops < prefill(full, "h100-sxm", prompt_tokens=8192).flops


def test_catalog_models_keep_their_attention_kinds():
    assert {layer.kind for layer in resolve("gemma-3-1b")[1].attention} == {"sliding", "full"}
    assert {layer.kind for layer in resolve("deepseek-v3")[1].attention} == {"mla"}
