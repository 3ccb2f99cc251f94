"""Model states of training: weights, gradients, FP32 master weights and optimizer state, by precision.

The per-parameter view of ``calculators.memory.training`` (which also adds activations and the
runtime): what each trainable parameter costs before the first activation exists.
"""

import dataclasses

from calculators.architectures import Architecture
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.memory import optimizers
from calculators.memory import precision as precisions


@dataclasses.dataclass(frozen=True)
class ModelStates:
    """Bytes of each model state for ``params`` trainable parameters."""

    params: int
    optimizer: optimizers.Optimizer
    precision: str
    weights: float
    gradients: float
    master_weights: float
    optimizer_states: float

    @property
    def total(self) -> float:
        return self.weights + self.gradients + self.master_weights + self.optimizer_states

    def per_param(self, part: str) -> float:
        """Bytes per parameter of one part (``weights``, ``gradients``, ... or ``total``)."""
        return getattr(self, part) / self.params if self.params else 0.0

    def sharded(self, gpus: int, zero_stage: int) -> "ModelStates":
        """One GPU's share under ZeRO: stage 1 shards optimizer state and master weights, 2 adds the
        gradients, 3 (FSDP full shard) the weights too."""
        gpus = validate.integer("gpus", gpus, minimum=1, maximum=validate.MAX_GPUS)
        stage = validate.integer("zero", zero_stage, minimum=0, maximum=3)
        split = lambda value, from_stage: value / gpus if stage >= from_stage else value  # noqa: E731
        return dataclasses.replace(self, optimizer_states=split(self.optimizer_states, 1),
                                   master_weights=split(self.master_weights, 1), gradients=split(self.gradients, 2),
                                   weights=split(self.weights, 3))


def model_states(optimizer: str, precision: str, *, arch: Architecture | None = None,
                 params: int | None = None, lora: bool = False) -> ModelStates:
    """Model states of ``params`` trainable parameters (default: every parameter of ``arch``).

    Adafactor's factored second moment depends on matrix shapes, so it needs ``arch`` for full training.
    """
    opt = optimizers.get(optimizer)
    precision = validate.choice("precision", precision, tuple(precisions.STATES))
    w, g, master, state = precisions.STATES[precision]
    if params is None:
        if arch is None:
            raise InputError("params", "give a model or a parameter count")
        params = arch.n_params
    params = validate.integer("params", params, minimum=1, maximum=validate.MAX_PARAMS)
    if opt.factored and not lora and arch is None:
        raise InputError("optimizer", "Adafactor's factored state depends on the matrix shapes: pick a model "
                                      "instead of a bare parameter count")
    if opt.factored and not lora and params != arch.n_params:
        raise InputError("params", "Adafactor's factored state is computed for the whole model only")
    states = opt.state_bytes(arch, params, state, lora=lora)
    return ModelStates(params=params, optimizer=opt, precision=precision, weights=params * w,
                       gradients=params * g, master_weights=params * master, optimizer_states=states)
