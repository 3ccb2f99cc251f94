"""Inference memory: weights, KV cache and the transient peak of prefill and decode, per runtime.

The setup is checked once (:mod:`calculators.memory.setup`), then the runtime's own model computes what it
allocates (:mod:`calculators.memory.runtimes`): transformers, vLLM or llama.cpp.
"""

from calculators.architectures import Architecture
from calculators.memory.result import MemoryEstimate
from calculators.memory.runtimes import RUNTIMES
from calculators.memory.setup import InferenceSetup, check, eager_fallback

__all__ = ["InferenceSetup", "estimate_inference"]


def estimate_inference(arch: Architecture, setup: InferenceSetup) -> MemoryEstimate:
    """Memory of one inference scenario on the runtime ``setup.runtime`` names."""
    setup = eager_fallback(arch, check(setup))
    return RUNTIMES[setup.runtime].estimate(arch, setup)
