"""Display helpers shared by the speed widgets (speed, roofline, GPU picker and the in-entry ones)."""

from calculators.catalogs import gpus
from calculators.core import validate
from calculators.widgets import fields
from calculators.widgets.spec import Field

#: The GPU counts the tensor-parallel inputs offer.
TP_DEGREES = (1, 2, 4, 8)


def catalog_model_field(default: str = "llama-3.1-8b") -> Field:
    """The model select without the pasted-config choice, for small in-entry widgets."""
    full = fields.model_field(default)
    return Field(full.name, full.label, "select", default,
                 options=tuple(o for o in full.options if o[0] != fields.CUSTOM_MODEL))


def degree_field(default: int = 1) -> Field:
    return Field("tp", "GPUs (tensor-parallel degree)", "select", str(default),
                 options=tuple((str(d), str(d)) for d in TP_DEGREES))


def degree(inputs, name: str = "tp") -> int:
    return int(validate.choice(name, inputs[name], tuple(str(d) for d in TP_DEGREES)))


def duration(seconds: float) -> str:
    """3 significant figures in µs, ms, s or min."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    if seconds < 120:
        return f"{seconds:.3g} s"
    return f"{seconds / 60:.3g} min"


def rate(tokens_per_s: float) -> str:
    if tokens_per_s >= 100:
        return f"{tokens_per_s:,.0f} tokens/s"
    return f"{tokens_per_s:.3g} tokens/s"


def number(value: float) -> str:
    """Thousands separators above 100, 3 significant figures below."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def tflops(flops_per_s: float) -> str:
    return f"{flops_per_s / 1e12:,.3g} TFLOP/s" if flops_per_s < 1e15 else f"{flops_per_s / 1e12:,.0f} TFLOP/s"


def flop(value: float) -> str:
    """An amount of arithmetic: 15.5 GFLOP, 2.2 PFLOP."""
    for size, prefix in ((1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:.3g} {prefix}FLOP"
    return f"{value:.3g} FLOP"


def bound_sentence(memory_seconds: float, compute_seconds: float, compute_known: bool, gpu_name: str) -> str:
    """Which of memory traffic and arithmetic sets the step, with both times."""
    if not compute_known:
        return (f"Memory-bound as modelled: the catalog has no tensor throughput for {gpu_name}, so only memory "
                f"time ({duration(memory_seconds)}) is counted.")
    if compute_seconds > memory_seconds:
        return (f"Compute-bound: the arithmetic ({duration(compute_seconds)}) takes longer than reading the "
                f"weights and KV cache ({duration(memory_seconds)}).")
    return (f"Memory-bound: reading the weights and KV cache ({duration(memory_seconds)}) takes longer than the "
            f"arithmetic ({duration(compute_seconds)}).")


def gpu_name(gpu_id: str) -> str:
    return gpus.get(gpu_id).name
