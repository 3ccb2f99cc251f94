"""The sentence the speed widgets share: which of memory traffic and arithmetic sets a step."""

from calculators.core.units import format_duration as duration


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
