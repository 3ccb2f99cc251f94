"""Inference memory: components, KV cache by attention kind and runtime, dtypes and weight formats."""

import pytest

from calculators.architectures import build
from calculators.catalogs.models import resolve
from tests.calculators.memory.support import LLAMA8, est


def test_components_add_up_to_the_peak():
    result = est(batch=8, prompt_tokens=4096)
    allocated = sum(v for k, v in result.components if k not in ("cuda_context", "allocator_overhead"))
    assert allocated == pytest.approx(result.peak_allocated_bytes)
    assert result.device_used_bytes > result.peak_allocated_bytes
    assert result.component("kv_cache") == 8 * 4096 * 128 * 1024
    assert result.component("weights") == LLAMA8.n_params * 2
    assert "weights" in result.advice and result.advice.endswith(".")


def test_kv_cache_grows_linearly_with_batch_and_context():
    a = est(batch=1, prompt_tokens=8192).component("kv_cache")
    b = est(batch=4, prompt_tokens=8192).component("kv_cache")
    c = est(batch=1, prompt_tokens=16384).component("kv_cache")
    assert b == pytest.approx(4 * a) and c == pytest.approx(2 * a)


def test_gqa_versus_mha_cache():
    mha = build({"model_type": "llama", "num_key_value_heads": 32, "num_hidden_layers": 4})
    gqa = build({"model_type": "llama", "num_key_value_heads": 4, "num_hidden_layers": 4})
    assert est(mha).component("kv_cache") == 8 * est(gqa).component("kv_cache")


def test_sliding_window_layers_cap_the_cache_after_the_first_decode_step():
    gemma = resolve("gemma-3-1b")[1]
    full_layers = sum(1 for layer in gemma.attention if layer.kind == "full")
    per_token_layer = 2 * 256 * 2
    capped = 32768 * full_layers * per_token_layer + 512 * (gemma.num_layers - full_layers) * per_token_layer
    assert gemma.kv_cache_bytes(1, 32768, 2) == capped
    assert est(gemma, runtime="vllm", prompt_tokens=32768, new_tokens=0).component("kv_cache") == capped
    # transformers: a sliding layer's cache is a view of the last window of the whole prompt's K/V,
    # so the prompt's storage stays alive until the first decode step (measured on an H100).
    peak = est(gemma, prompt_tokens=32768, new_tokens=0)
    assert peak.component("kv_cache") == 32768 * gemma.num_layers * per_token_layer
    assert "sliding_prompt_kept" in [w.code for w in peak.warnings]


def test_mla_cache_is_latent_in_vllm_and_decompressed_in_transformers():
    ds = resolve("deepseek-v3")[1]
    hf = est(ds, prompt_tokens=1000, new_tokens=0, weight_format="fp8")
    vllm = est(ds, prompt_tokens=1000, new_tokens=0, weight_format="fp8", runtime="vllm")
    assert hf.component("kv_cache") == 1000 * 61 * 128 * (192 + 128) * 2
    assert vllm.component("kv_cache") == 1008 * 61 * 576 * 2  # 16-token blocks


def test_fp32_inference_doubles_weights_and_cache():
    bf16 = est(batch=2, prompt_tokens=2048)
    fp32 = est(batch=2, prompt_tokens=2048, compute_dtype="fp32", weight_format="fp32")
    assert fp32.component("weights") == 2 * bf16.component("weights")
    assert fp32.component("kv_cache") == 2 * bf16.component("kv_cache")


def test_kv_dtype_fp8_halves_the_cache():
    assert est(prompt_tokens=8192, kv_format="fp8").component("kv_cache") == est(prompt_tokens=8192).component("kv_cache") / 2


def test_quantized_weights_shrink_the_weights_component():
    assert est(weight_format="q4_k_m").component("weights") < 0.35 * est().component("weights")
