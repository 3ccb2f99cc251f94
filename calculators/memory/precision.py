"""Training precisions, one vocabulary with distinct ids.

Two recipes are both called "mixed precision" in the wild; here each has its own id:

* ``amp``: FP32 weights and optimizer state, the forward under ``torch.autocast(bfloat16)`` (PyTorch AMP, and
  what a Hugging Face ``Trainer`` with ``bf16=True`` does to an FP32 model). The weights are their own master copy.
* ``bf16-master``: BF16 weights and gradients with an FP32 master copy and FP32 optimizer state (DeepSpeed and
  Megatron-LM's mixed precision).

Surfaces keep the spellings they published (a widget's ``mode=mixed``, the measurement records' ``"mixed"``)
and map them to these ids.
"""

import dataclasses

FP32 = 4
BF16 = 2


@dataclasses.dataclass(frozen=True)
class Precision:
    """Bytes per element of what a training mode stores and computes."""

    weight: int      # stored base weights (and norm weights)
    residual: int    # residual stream between layers
    act: int         # matmul outputs
    autocast: bool   # torch.autocast(bfloat16) around the forward
    trainable_base: bool


#: Training modes of the memory engine (``TrainingSetup.mode``): what the forward and backward store.
TRAINING = {
    "amp": Precision(FP32, FP32, BF16, True, True),
    "bf16": Precision(BF16, BF16, BF16, False, True),
    "fp32": Precision(FP32, FP32, FP32, False, True),
    "lora": Precision(BF16, BF16, BF16, True, False),
    "qlora": Precision(BF16, BF16, BF16, True, False),
}

#: Model-state precisions per trainable parameter: (weight, gradient, master-weight, optimizer-state dtype) bytes.
STATES = {
    "bf16-master": (2, 2, 4, 4),
    "amp": (4, 4, 0, 4),
    "bf16": (2, 2, 0, 2),
    "fp32": (4, 4, 0, 4),
}
STATE_LABELS = {
    "bf16-master": "BF16 mixed precision, FP32 master weights",
    "amp": "FP32 weights with BF16 autocast (PyTorch AMP)",
    "bf16": "Pure BF16",
    "fp32": "FP32",
}

#: The measurement records' and the CLI's published name for ``amp`` (training runs in shared/gpu-truth).
RECORD_MODE_NAMES = {"mixed": "amp"}
