"""The answer of every memory estimate: named components, the peak, what nvidia-smi shows, advice."""

import dataclasses

from calculators.core.units import GIB, format_bytes

#: Component names, in display order.
COMPONENTS = ("weights", "kv_cache", "activations", "logits", "gradients", "optimizer_states", "adapters",
              "cuda_context", "allocator_overhead")

#: How to shrink each component, for the one-sentence advice.
SHRINK = {
    "weights": "quantize the weights (for example int4/Q4_K_M) or shard them over more GPUs",
    "kv_cache": "use a shorter context, a smaller batch or an 8-bit KV cache",
    "activations": "use a smaller micro-batch or sequence, gradient checkpointing, or flash/sdpa attention",
    "logits": "keep only the last position's logits, or use a chunked/fused cross-entropy loss",
    "gradients": "shard gradients with ZeRO-2/FSDP or train a LoRA adapter instead",
    "optimizer_states": "use 8-bit AdamW, ZeRO/FSDP sharding, or LoRA",
    "adapters": "use a lower LoRA rank or fewer target modules",
    "cuda_context": "nothing to gain: the CUDA context is a fixed cost",
    "allocator_overhead": "set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True",
}


@dataclasses.dataclass(frozen=True)
class MemoryEstimate:
    """Memory of one scenario on one GPU.

    ``components`` (name, bytes) are what is alive at the peak, except ``cuda_context``
    and ``allocator_overhead`` which only count in ``device_used_bytes``.
    ``peak_allocated_bytes`` is what ``torch.cuda.max_memory_allocated()`` would report
    (runtime fixed costs excluded); ``device_used_bytes`` is what nvidia-smi would show.
    """

    kind: str
    runtime: str
    components: tuple[tuple[str, float], ...]
    peak_allocated_bytes: float
    device_used_bytes: float
    peak_phase: str
    warnings: tuple[str, ...] = ()
    details: tuple[tuple[str, float | str], ...] = ()

    def component(self, name: str) -> float:
        return dict(self.components).get(name, 0.0)

    @property
    def peak_allocated_gib(self) -> float:
        return self.peak_allocated_bytes / GIB

    @property
    def device_used_gib(self) -> float:
        return self.device_used_bytes / GIB

    @property
    def largest_component(self) -> str:
        return max(self.components, key=lambda item: item[1])[0]

    @property
    def advice(self) -> str:
        """One plain sentence: the largest component and how to shrink it."""
        name = self.largest_component
        size = format_bytes(self.component(name))
        share = self.component(name) / self.device_used_bytes if self.device_used_bytes else 0
        label = name.replace("_", " ")
        return f"The {label} take {size} ({share:.0%} of the GPU memory used); to shrink them, {SHRINK[name]}."

    def as_dict(self) -> dict:
        """Plain JSON-ready form."""
        return {
            "kind": self.kind, "runtime": self.runtime,
            "peak_allocated_bytes": round(self.peak_allocated_bytes),
            "device_used_bytes": round(self.device_used_bytes),
            "peak_allocated_gib": round(self.peak_allocated_gib, 3),
            "device_used_gib": round(self.device_used_gib, 3),
            "peak_phase": self.peak_phase,
            "components": {name: round(value) for name, value in self.components},
            "details": {k: (round(v, 6) if isinstance(v, float) else v) for k, v in self.details},
            "warnings": list(self.warnings),
            "advice": self.advice,
        }


def make_estimate(kind: str, runtime: str, alive: dict[str, float], *, context_bytes: float,
                  allocator_bytes: float, phase: str, warnings=(), details=(), peak: float | None = None) -> MemoryEstimate:
    """Assemble a result from the tensors alive at the peak plus the runtime's fixed costs."""
    components = [(name, float(alive.get(name, 0.0))) for name in COMPONENTS[:7]]
    components += [("cuda_context", float(context_bytes)), ("allocator_overhead", float(allocator_bytes))]
    allocated = sum(alive.values()) if peak is None else peak
    return MemoryEstimate(kind=kind, runtime=runtime, components=tuple(components),
                          peak_allocated_bytes=float(allocated),
                          device_used_bytes=float(allocated + context_bytes + allocator_bytes),
                          peak_phase=phase, warnings=tuple(warnings), details=tuple(details))
