"""The kv-cache widget: sizes from the architecture, attention kind, sequences that fit."""

from calculators import widgets
from calculators.catalogs import gpus
from calculators.catalogs.models import resolve
from calculators.memory import InferenceSetup, estimate_inference
from calculators.memory import kv_cache as kv


def run(**inputs):
    result = widgets.run("kv-cache", inputs)
    assert result["ok"], result
    return result["outputs"]


def sequences_that_fit(model="llama-3.1-8b", gpu="h100-sxm", tokens=8192, kv_format="bf16", weights="bf16"):
    """What the engines say: vLLM's pool on the GPU, divided into paged sequences of ``tokens`` tokens."""
    arch, card = resolve(model)[1], gpus.get(gpu)
    serving = estimate_inference(arch, InferenceSetup(prompt_tokens=tokens, new_tokens=0, weight_format=weights,
                                                      kv_format=kv_format, runtime="vllm",
                                                      gpu_memory_bytes=card.usable_memory_bytes))
    per_value = kv.kv_cache_size(arch, context_tokens=tokens, kv_format=kv_format).bytes_per_value
    return kv.sequences_that_fit(arch, serving.kv_pool.pool_bytes, tokens, per_value)


def test_llama_8b_defaults():
    out = run()
    assert (out["per_token"], out["per_sequence"], out["per_batch"]) == ("128.00 KiB", "1.00 GiB", "1.00 GiB")
    assert out["attention"].startswith("GQA")
    fit = sequences_that_fit()
    assert 40 < fit < 70  # ~55 GiB of pool on an H100 after 15 GiB of weights
    assert out["fit"].startswith(f"On NVIDIA H100 SXM5 80GB: {fit:,} sequences of 8,192 tokens")
    assert "<title" in out["chart"] and "<title" in out["curve"]


def test_fp8_cache_doubles_the_sequences():
    bf16, fp8 = (sequences_that_fit(tokens=32768, kv_format=f) for f in ("bf16", "fp8"))
    assert fp8 in (2 * bf16, 2 * bf16 + 1)
    assert f": {fp8:,} sequences" in run(context="32768", kv_dtype="fp8")["fit"]
    assert f": {bf16:,} sequences" in run(context="32768")["fit"]


def test_kinds_and_when_nothing_fits():
    assert run(model="deepseek-v3")["attention"].startswith("MLA")
    assert "hybrid" in run(model="gemma-2-9b")["attention"]
    out = run(model="llama-3.1-405b", gpu="rtx-4090")
    assert out["fit"].startswith("On NVIDIA GeForce RTX 4090: none")


def test_field_errors():
    for field, value in [("kv_dtype", "q4_k"), ("weights", "q2_k_block"), ("context", "0"), ("batch", "1e9")]:
        result = widgets.run("kv-cache", {field: value})
        assert result["ok"] is False and result["field"] == field, (field, result)
