"""The mechanisms found by the H100 measurements (validation/measured), one rule at a time.

Each test states a rule of transformers' or PyTorch's code in bytes and checks the engine
applies it; the accuracy tests check the sum of all rules against measured peaks.
"""

import pytest

from calculators.architectures import build
from calculators.memory import TrainingSetup, estimate_training, forward, saved_activations
from calculators.memory.saved_activations import PRECISIONS

DIMS = {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 2, "num_attention_heads": 16,
        "num_key_value_heads": 4, "head_dim": 64, "vocab_size": 32000}
LLAMA = build({"model_type": "llama", **DIMS})
B, S = 2, 1024
SCORES = B * 16 * S * S


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


@pytest.mark.parametrize("mode, style, in_bytes, saved, out", [
    ("mixed", "llama", 4, 8, 4),   # the fp32 residual itself and the normalised value
    ("bf16", "llama", 2, 6, 2),    # an fp32 copy and the bf16 cast; the residual is not kept
    ("lora", "llama", 2, 4, 2),    # frozen weight: only the fp32 copy
    ("mixed", "gemma", 2, 8, 2),   # fp32 copy and fp32 normalised value, output cast back
    ("lora", "gemma", 2, 4, 2),
])
def test_rmsnorm_keeps_what_its_backward_needs(mode, style, in_bytes, saved, out):
    arch = build({"model_type": "gemma" if style == "gemma" else "llama", **DIMS})
    assert saved_activations.norm_saved(arch, PRECISIONS[mode], in_bytes) == (saved, out)


def layer_bytes(arch, mode="mixed", targets=frozenset(), rank=0):
    return saved_activations.layer_saved(arch, 0, PRECISIONS[mode], targets, rank, "sdpa", S)


def test_qk_norms_keep_their_fp32_input_and_bf16_cast():
    qwen3 = build({"model_type": "qwen3", **DIMS})
    qwen2 = build({"model_type": "qwen2", **DIMS})  # same layer without q/k norms
    widths = 16 * 64 + 4 * 64
    assert layer_bytes(qwen3) - layer_bytes(qwen2) == (4 + 2) * widths


def test_sandwich_norms_keep_their_inputs_after_each_sub_block():
    gemma3 = build({"model_type": "gemma3_text", **DIMS, "sliding_window": 4096})
    gemma = build({"model_type": "gemma", **DIMS})  # pre-norms only, no q/k norms
    qk = 8 * (16 * 64 + 4 * 64)
    assert layer_bytes(gemma3) - layer_bytes(gemma) == 2 * 8 * 1024 + qk


def test_a_fused_qkv_projection_keeps_its_whole_output():
    phi3 = build({"model_type": "phi3", **DIMS})
    assert layer_bytes(phi3, "bf16") - layer_bytes(LLAMA, "bf16") == 2 * (16 * 64 + 4 * 64)


def test_each_adapted_projection_keeps_its_own_bf16_input():
    one = layer_bytes(LLAMA, "lora", frozenset({"q_proj"}), 8)
    three = layer_bytes(LLAMA, "lora", frozenset({"q_proj", "k_proj", "v_proj"}), 8)
    assert three - one == 2 * (2 * 1024 + 2 * 8)  # two more inputs, two more rank-8 products
    down = layer_bytes(LLAMA, "lora", frozenset({"q_proj", "down_proj"}), 8)
    assert down - one == 2 * 4096 + 2 * 8


def test_soft_capped_logits_keep_the_tanh_output():
    capped = build({"model_type": "gemma2", **DIMS})
    plain = build({"model_type": "gemma2", **DIMS, "final_logit_softcapping": None})
    setup = TrainingSetup(batch=B, seq=S)
    difference = (estimate_training(capped, setup).component("logits")
                  - estimate_training(plain, setup).component("logits"))
    assert difference == 2 * B * S * 32000
