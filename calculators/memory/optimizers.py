"""Optimizer state sizes from ``data/optimizers.json``."""

import dataclasses
import functools

from calculators import data
from calculators.architectures import Architecture
from calculators.core import validate


@dataclasses.dataclass(frozen=True)
class Optimizer:
    id: str
    label: str
    aliases: tuple[str, ...]
    state_copies: int
    state_bytes_fixed: float
    factored: bool
    step_temp: str
    source: str

    def state_bytes(self, arch: Architecture, trainable: int, param_bytes: int, *, lora: bool) -> float:
        """Bytes of optimizer state for ``trainable`` parameters stored with ``param_bytes`` each."""
        if self.factored and not lora:
            total = 0
            for t in arch.tensors:
                if len(t.shape) >= 2:
                    total += (t.shape[0] + t.shape[-1]) * t.count
                else:
                    total += t.total_numel
            return total * param_bytes
        if self.factored:  # LoRA matrices are thin: rows + columns ~ the same as one copy
            return trainable * param_bytes
        return trainable * (self.state_copies * param_bytes + self.state_bytes_fixed)

    def step_temp_bytes(self, arch: Architecture, trainable: int, param_bytes: int, *, lora: bool) -> float:
        """Transient bytes while ``step()`` runs."""
        if self.step_temp == "all":
            return trainable * param_bytes
        if self.step_temp == "largest":
            if lora:
                return 0.0
            return max(t.numel for t in arch.tensors) * param_bytes
        return 0.0


@functools.cache
def all_optimizers() -> dict[str, Optimizer]:
    records = data.load("optimizers.json")["optimizers"]
    return {r["id"]: Optimizer(id=r["id"], label=r["label"], aliases=tuple(r["aliases"]),
                               state_copies=r["state_copies"], state_bytes_fixed=r["state_bytes_fixed"],
                               factored=r["factored"], step_temp=r["step_temp"], source=r["source"])
            for r in records}


def get(name) -> Optimizer:
    """Optimizer by id or alias (case-insensitive)."""
    if isinstance(name, str):
        wanted = name.strip().lower()
        for opt in all_optimizers().values():
            if wanted == opt.id or wanted in opt.aliases:
                return opt
    validate.choice("optimizer", name if isinstance(name, str) else str(name), tuple(all_optimizers()))
    raise AssertionError("unreachable")
