"""Memory estimates for LLM inference and training (see docs/methodology/memory.md).

Call ``estimate_inference(arch, InferenceSetup(...))`` or ``estimate_training(arch,
TrainingSetup(...))`` with an ``Architecture`` from ``calculators.architectures.build``;
both return a ``MemoryEstimate``.
"""

from calculators.memory.inference import InferenceSetup, estimate_inference
from calculators.memory.lora import lora_params
from calculators.memory.result import COMPONENTS, MemoryEstimate
from calculators.memory.training import TrainingSetup, estimate_training

__all__ = ["COMPONENTS", "InferenceSetup", "MemoryEstimate", "TrainingSetup", "estimate_inference",
           "estimate_training", "lora_params"]
