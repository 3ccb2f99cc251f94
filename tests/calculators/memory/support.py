"""Shared by the memory tests: a small Llama for the mechanism rules, and inference estimates of Llama-3.1-8B."""

from calculators.architectures import build
from calculators.catalogs.models import resolve
from calculators.memory import InferenceSetup, estimate_inference

# The mechanisms found by the H100 measurements (validation/measured) are checked on this small model.
DIMS = {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 2, "num_attention_heads": 16,
        "num_key_value_heads": 4, "head_dim": 64, "vocab_size": 32000}
LLAMA = build({"model_type": "llama", **DIMS})
B, S = 2, 1024
SCORES = B * 16 * S * S

GIB = 2**30
LLAMA8 = resolve("llama-3.1-8b")[1]


def est(arch=LLAMA8, **kw):
    return estimate_inference(arch, InferenceSetup(**kw))
