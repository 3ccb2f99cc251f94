"""Transient memory of one forward pass: SDPA kernels and masks, eager softmax copies, attention sinks.

These are mechanisms found by the H100 measurements (validation/measured), one rule at a time.

Each test states a rule of transformers' or PyTorch's code in bytes and checks the engine
applies it; the accuracy tests check the sum of all rules against measured peaks.
"""

import pytest

from calculators.architectures import build
from calculators.memory import forward
from tests.calculators.memory.support import DIMS, LLAMA, SCORES, B, S


def test_fp32_grouped_query_sdpa_falls_back_to_the_math_kernel():
    layer = LLAMA.attention[0]
    math_kernel = forward.sdpa_extra(LLAMA, layer, B * S, B, S, 4)
    assert math_kernel >= 2 * 4 * SCORES  # product and softmax, both fp32
    assert forward.sdpa_extra(LLAMA, layer, B * S, B, S, 2) == 0  # flash attention takes enable_gqa
    mha = build({"model_type": "llama", **DIMS, "num_key_value_heads": 16})
    assert forward.sdpa_extra(mha, mha.attention[0], B * S, B, S, 4) == 0  # memory-efficient kernel


def test_a_window_that_cuts_the_keys_repeats_k_and_v_and_builds_one_mask():
    mistral = build({"model_type": "mistral", **DIMS, "sliding_window": 512})
    layer = mistral.attention[0]
    repeated = 2 * B * S * (layer.k_dim + layer.v_dim) * 4  # to all 16 heads from 4
    assert forward.sdpa_extra(mistral, layer, B * S, B, S, 2) == repeated
    assert forward.sdpa_mask_bytes(mistral, S, S) == S * S
    assert forward.sdpa_mask_bytes(mistral, 256, 256) == 0  # window longer than the prompt: no mask
    assert forward.sdpa_mask_bytes(LLAMA, S, S) == 0


@pytest.mark.parametrize("dtype, e, per_score", [("bf16", 2, 10), ("fp16", 2, 8), ("fp32", 4, 8)])
def test_eager_softmax_copies_depend_on_the_dtype(dtype, e, per_score):
    layer = LLAMA.attention[0]
    extra = B * S * S * e + e * B * S * (layer.k_dim + layer.v_dim) * 4  # mask, repeated K/V
    assert forward.eager_scores(LLAMA, layer, B * S, B, S, e, dtype) == SCORES * per_score + extra


def test_attention_sinks_keep_the_softmax_in_the_input_dtype():
    oss = build({"model_type": "gpt_oss", **DIMS, "num_local_experts": 4, "num_experts_per_tok": 2,
                 "layer_types": ["sliding_attention", "full_attention"]})
    layer = oss.attention[1]
    extra = B * S * S * 2 + 2 * B * S * (layer.k_dim + layer.v_dim) * 4
    assert forward.eager_scores(oss, layer, B * S, B, S, 2, "bf16") == SCORES * 3 * 2 + extra
