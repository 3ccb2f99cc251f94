"""Prefill: compute-bound, causal attention counted, time to first token."""

import pytest

from calculators import speed


def test_prefill_is_compute_bound_and_counts_causal_attention(llama):
    pre = speed.prefill(llama, "h100-sxm", prompt_tokens=2048)
    linear_params = llama.matmul_params
    lm_head = llama.vocab_size * llama.hidden_size
    attention = 4 * 32 * 128 * (2048 * 2049 / 2) * 32
    assert pre.flops == pytest.approx(2 * (linear_params - lm_head) * 2048 + 2 * lm_head + attention, rel=1e-6)
    achieved = pre.flops / pre.seconds
    assert 0.5 * 989.5e12 < achieved < 0.81 * 989.5e12
    assert pre.ttft_seconds == pre.seconds
    longer = speed.prefill(llama, "h100-sxm", prompt_tokens=8192)
    assert longer.seconds > 4 * pre.seconds
