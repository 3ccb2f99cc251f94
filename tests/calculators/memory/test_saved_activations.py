"""Saved activations for the backward pass: norms, q/k and sandwich norms, fused projections, LoRA inputs.

These are mechanisms found by the H100 measurements (validation/measured), one rule at a time.

Each test states a rule of transformers' or PyTorch's code in bytes and checks the engine
applies it; the accuracy tests check the sum of all rules against measured peaks.
"""

import pytest

from calculators.architectures import build
from calculators.memory import saved_activations
from calculators.memory.precision import TRAINING as PRECISIONS
from tests.calculators.memory.support import DIMS, LLAMA, S


@pytest.mark.parametrize("mode, style, in_bytes, saved, out", [
    ("amp", "llama", 4, 8, 4),   # the fp32 residual itself and the normalised value
    ("bf16", "llama", 2, 6, 2),    # an fp32 copy and the bf16 cast; the residual is not kept
    ("lora", "llama", 2, 4, 2),    # frozen weight: only the fp32 copy
    ("amp", "gemma", 2, 8, 2),   # fp32 copy and fp32 normalised value, output cast back
    ("lora", "gemma", 2, 4, 2),
])
def test_rmsnorm_keeps_what_its_backward_needs(mode, style, in_bytes, saved, out):
    arch = build({"model_type": "gemma" if style == "gemma" else "llama", **DIMS})
    assert saved_activations.norm_saved(arch, PRECISIONS[mode], in_bytes) == (saved, out)


def layer_bytes(arch, mode="amp", targets=frozenset(), rank=0):
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
