"""The transformers runtime: the peak of prefill, the lm_head and decode as eager PyTorch allocates them."""

from calculators.catalogs.models import resolve
from tests.calculators.memory.support import GIB, LLAMA8, est


def test_the_cache_grows_with_the_generated_tokens():
    llama = resolve("llama-3.1-8b")[1]
    short = est(llama, prompt_tokens=1024, new_tokens=1)
    long = est(llama, prompt_tokens=1024, new_tokens=31_744)
    assert long.component("kv_cache") == llama.kv_cache_bytes(1, 32_768, 2)
    assert long.peak_phase == "decode" and long.peak_allocated_bytes > short.peak_allocated_bytes
    gemma = resolve("gemma-3-1b")[1]  # sliding layers: the prompt first, then the windows
    assert est(gemma, prompt_tokens=1024, new_tokens=64_000).component("kv_cache") == gemma.kv_cache_bytes(1, 65_024, 2)


def test_eager_attention_materialises_scores():
    sdpa = est(batch=1, prompt_tokens=8192)
    eager = est(batch=1, prompt_tokens=8192, attn="eager")
    scores = 32 * 8192 * 8192
    assert eager.peak_allocated_bytes - sdpa.peak_allocated_bytes > 6 * scores


def test_all_position_logits():
    last = est(batch=4, prompt_tokens=4096)
    every = est(batch=4, prompt_tokens=4096, logits_to_keep=0)
    assert every.component("logits") >= 4 * 4096 * LLAMA8.vocab_size * 2
    assert every.peak_allocated_bytes >= (every.component("weights") + every.component("kv_cache")
                                          + 4 * 4096 * LLAMA8.vocab_size * 2)
    assert every.peak_allocated_bytes > last.peak_allocated_bytes + 2 * GIB


def test_moe_prefill_counts_expert_copies():
    mixtral = resolve("mixtral-8x7b")[1]
    result = est(mixtral, prompt_tokens=4096)
    rows = 4096 * 2
    assert result.component("activations") > rows * 14336 * 2 * 4
