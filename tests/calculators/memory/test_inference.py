"""Inference memory: components, attention kinds, dtypes, logits and runtimes."""

import pytest

from calculators.architectures import build
from calculators.core.errors import InputError
from calculators.memory import InferenceSetup, estimate_inference
from calculators.catalogs.models import get

GIB = 2**30
LLAMA8 = get("llama-3.1-8b").architecture()


def est(arch=LLAMA8, **kw):
    return estimate_inference(arch, InferenceSetup(**kw))


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


def test_the_cache_grows_with_the_generated_tokens():
    llama = get("llama-3.1-8b").architecture()
    short = est(llama, prompt_tokens=1024, new_tokens=1)
    long = est(llama, prompt_tokens=1024, new_tokens=31_744)
    assert long.component("kv_cache") == llama.kv_cache_bytes(1, 32_768, 2)
    assert long.peak_phase == "decode" and long.peak_allocated_bytes > short.peak_allocated_bytes
    gemma = get("gemma-3-1b").architecture()  # sliding layers: the prompt first, then the windows
    assert est(gemma, prompt_tokens=1024, new_tokens=64_000).component("kv_cache") == gemma.kv_cache_bytes(1, 65_024, 2)


def test_sliding_window_layers_cap_the_cache_after_the_first_decode_step():
    gemma = get("gemma-3-1b").architecture()
    full_layers = sum(1 for layer in gemma.attention if layer.kind == "full")
    per_token_layer = 2 * 256 * 2
    capped = 32768 * full_layers * per_token_layer + 512 * (gemma.num_layers - full_layers) * per_token_layer
    assert gemma.kv_cache_bytes(1, 32768, 2) == capped
    assert est(gemma, runtime="vllm", prompt_tokens=32768, new_tokens=0).component("kv_cache") == capped
    # transformers: a sliding layer's cache is a view of the last window of the whole prompt's K/V,
    # so the prompt's storage stays alive until the first decode step (measured on an H100).
    peak = est(gemma, prompt_tokens=32768, new_tokens=0)
    assert peak.component("kv_cache") == 32768 * gemma.num_layers * per_token_layer
    assert any("first decode step" in w for w in peak.warnings)


def test_mla_cache_is_latent_in_vllm_and_decompressed_in_transformers():
    ds = get("deepseek-v3").architecture()
    hf = est(ds, prompt_tokens=1000, new_tokens=0, weight_format="fp8")
    vllm = est(ds, prompt_tokens=1000, new_tokens=0, weight_format="fp8", runtime="vllm")
    assert hf.component("kv_cache") == 1000 * 61 * 128 * (192 + 128) * 2
    assert vllm.component("kv_cache") == 1008 * 61 * 576 * 2  # 16-token blocks


def test_eager_attention_materialises_scores():
    sdpa = est(batch=1, prompt_tokens=8192)
    eager = est(batch=1, prompt_tokens=8192, attn="eager")
    scores = 32 * 8192 * 8192
    assert eager.peak_allocated_bytes - sdpa.peak_allocated_bytes > 6 * scores


def test_fp32_inference_doubles_weights_and_cache():
    bf16 = est(batch=2, prompt_tokens=2048)
    fp32 = est(batch=2, prompt_tokens=2048, compute_dtype="fp32", weight_format="fp32")
    assert fp32.component("weights") == 2 * bf16.component("weights")
    assert fp32.component("kv_cache") == 2 * bf16.component("kv_cache")


def test_all_position_logits():
    last = est(batch=4, prompt_tokens=4096)
    every = est(batch=4, prompt_tokens=4096, logits_to_keep=0)
    assert every.component("logits") >= 4 * 4096 * LLAMA8.vocab_size * 2
    assert every.peak_allocated_bytes >= (every.component("weights") + every.component("kv_cache")
                                          + 4 * 4096 * LLAMA8.vocab_size * 2)
    assert every.peak_allocated_bytes > last.peak_allocated_bytes + 2 * GIB


def test_kv_dtype_fp8_halves_the_cache():
    assert est(prompt_tokens=8192, kv_dtype="fp8").component("kv_cache") == est(prompt_tokens=8192).component("kv_cache") / 2


def test_quantized_weights_shrink_the_weights_component():
    assert est(weight_format="q4_k_m").component("weights") < 0.35 * est().component("weights")


def test_vllm_reports_kv_capacity():
    result = est(runtime="vllm", gpu_memory_bytes=80 * GIB, prompt_tokens=4096, new_tokens=512, batch=4)
    details = dict(result.details)
    pool = details["kv_pool_bytes"]
    assert details["kv_capacity_tokens"] == pool // (128 * 1024)
    assert details["max_concurrent_sequences"] == details["kv_capacity_tokens"] // 4608
    assert 0.9 * 80 * GIB - LLAMA8.n_params * 2 - 3 * GIB < pool < 0.9 * 80 * GIB - LLAMA8.n_params * 2
    tiny_gpu = est(runtime="vllm", gpu_memory_bytes=16 * GIB)
    assert any("fail to start" in w for w in tiny_gpu.warnings)


def test_llama_cpp_keeps_embeddings_on_the_host():
    result = est(runtime="llama.cpp", weight_format="q4_k_m", prompt_tokens=4000)
    from calculators.memory.weights import weight_bytes
    w = weight_bytes(LLAMA8, "q4_k_m")
    assert result.component("weights") == pytest.approx(w.total_bytes - w.role_bytes("embedding"))
    assert result.component("kv_cache") == 4096 * 128 * 1024  # padded to 256 tokens


def test_moe_prefill_counts_expert_copies():
    mixtral = get("mixtral-8x7b").architecture()
    result = est(mixtral, prompt_tokens=4096)
    rows = 4096 * 2
    assert result.component("activations") > rows * 14336 * 2 * 4


def test_long_context_beyond_the_model_warns():
    assert any("max_position_embeddings" in w for w in est(get("phi-3-mini-4k").architecture(), prompt_tokens=8192).warnings)


@pytest.mark.parametrize("field, kw", [
    ("batch", {"batch": 0}), ("batch", {"batch": -3}), ("batch", {"batch": 10**12}),
    ("seq", {"prompt_tokens": 0}), ("seq", {"prompt_tokens": "lots"}), ("seq", {"prompt_tokens": 1e30}),
    ("quant", {"weight_format": "q9_k"}), ("quant", {"weight_format": "q4_k"}), ("kv_dtype", {"kv_dtype": "fp7"}),
    ("attn", {"attn": "magic"}), ("runtime", {"runtime": "tgi"}), ("dtype", {"compute_dtype": "int8"}),
    ("logits_to_keep", {"logits_to_keep": -1}),
    ("gpu_memory_utilization", {"runtime": "vllm", "gpu_memory_utilization": 1.5}),
])
def test_bad_inputs_name_their_field(field, kw):
    with pytest.raises(InputError) as caught:
        est(**kw)
    assert caught.value.field == field


def test_models_without_sdpa_fall_back_to_eager_with_a_warning():
    oss = get("gpt-oss-20b").architecture()  # transformers 5.17: GptOssPreTrainedModel._supports_sdpa = False
    sdpa = est(oss, prompt_tokens=4096)
    eager = est(oss, prompt_tokens=4096, attn="eager")
    flash = est(oss, prompt_tokens=4096, attn="flash_attention_2")
    assert sdpa.peak_allocated_bytes == eager.peak_allocated_bytes > flash.peak_allocated_bytes
    assert any("no SDPA" in w for w in sdpa.warnings)
