"""LoRA adapters: which modules a target preset picks, and the trainable parameters per module."""

from calculators.architectures import Architecture
from calculators.core import validate
from calculators.core.errors import InputError

#: Target presets, as PEFT users name them: the roles (or module names) each one adapts.
PRESETS = {
    "qv": "query and value projections (the LoRA paper's choice)",
    "attention": "every attention projection",
    "mlp": "the feed-forward projections",
    "all-linear": "every linear layer in the blocks (PEFT's all-linear)",
}


def _modules(arch: Architecture) -> dict[str, str]:
    """Module name -> role for the adaptable linear layers of the blocks (routed experts excluded)."""
    found: dict[str, str] = {}
    for t in arch.tensors:
        if t.is_linear and t.layer is not None and t.role != "expert":
            found.setdefault(t.module, t.role)
    return found


def lora_params(arch: Architecture, rank: int, targets: tuple[str, ...]) -> int:
    """Trainable LoRA parameters: r x (in + out) per targeted matrix (routed experts are skipped)."""
    total = 0
    for t in arch.tensors:
        if t.is_linear and t.layer is not None and t.role != "expert" and t.module in targets:
            total += rank * (t.in_features + t.out_features) * t.count
    return total


def target_modules(arch: Architecture, preset: str, *, field: str = "targets") -> tuple[str, ...]:
    """The module names a preset adapts in this model, e.g. ``('q_proj', 'v_proj')`` for ``qv``."""
    preset = validate.choice(field, preset, tuple(PRESETS))
    modules = _modules(arch)
    if preset == "qv":
        chosen = [m for m in ("q_proj", "v_proj") if m in modules]
        if len(chosen) < 2:
            raise InputError(field, "this model has no separate query and value projections; "
                                    "pick “attention” or “all linear”")
    elif preset == "attention":
        chosen = [m for m, role in modules.items() if role == "attention"]
    elif preset == "mlp":
        chosen = [m for m, role in modules.items() if role in ("mlp", "shared_expert")]
        if not chosen:
            raise InputError(field, "this model's feed-forward layers are routed experts only, which LoRA "
                                    "leaves alone here; pick “attention” or “all linear”")
    else:
        chosen = list(modules)
    return tuple(sorted(chosen))


def params_by_module(arch: Architecture, rank: int, targets: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """(module name, trainable LoRA parameters over all layers) for each targeted module."""
    return tuple((name, lora_params(arch, rank, (name,))) for name in targets)
