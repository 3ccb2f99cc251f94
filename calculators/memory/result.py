"""The answer of every memory estimate: named components, the peak, what nvidia-smi shows, advice."""

import dataclasses

from calculators.core.caveats import Caveat
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
    "cuda_context": "nothing to gain: the driver context (CUDA, HIP or Metal) is a fixed cost",
    "allocator_overhead": "set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True",
}
#: Where the runtime changes how a component shrinks (its own settings, not PyTorch's).
SHRINK_BY_RUNTIME = {
    "vllm": {"allocator_overhead": "start with --enforce-eager (no CUDA graphs), at some cost in decode speed",
             "kv_cache": "lower --gpu-memory-utilization: vLLM fills its share of the card with KV-cache blocks "
                         "whatever the context",
             "activations": "lower --max-num-batched-tokens (the profiled batch)"},
    "llama.cpp": {"activations": "lower -ub (the micro-batch) or turn flash attention on (-fa)"},
    "ik_llama.cpp": {"activations": "lower -ub (the micro-batch) or turn flash attention on (-fa)"},
}
#: Each component as a sentence names it, and whether it takes a plural verb.
LABELS = {"kv_cache": ("KV cache", False), "cuda_context": ("driver context", False),
          "allocator_overhead": ("allocator and runtime overhead", False)}
#: Weights stored at this many bits or fewer are already quantized: the advice then stops suggesting it.
QUANTIZED_BITS = 5.0
ALREADY_QUANTIZED = ("they are already at {bits:.1f} bits per weight: shard them over more GPUs, keep some layers "
                     "in system RAM (llama.cpp's -ngl), or choose a smaller model")


@dataclasses.dataclass(frozen=True)
class KvPool:
    """The KV-cache pool a serving runtime preallocates on one GPU, and what it holds."""

    pool_bytes: float
    capacity_tokens: int
    max_concurrent_sequences: int      # whole sequences of the requested length at once
    gpu_memory_utilization: float      # share of the card the runtime takes
    requested_bytes: float             # what the requested batch of sequences needs (paged)

    @property
    def holds_request(self) -> bool:
        """True when every requested sequence fits in the pool at once."""
        return self.requested_bytes <= self.pool_bytes


@dataclasses.dataclass(frozen=True)
class DeviceMemory:
    """What a local runtime (llama.cpp) puts on one device: ``device`` is ``gpu0``, ``gpu1``, ... or ``host``
    (system RAM)."""

    device: str
    weights_bytes: float
    kv_bytes: float
    compute_bytes: float

    @property
    def total_bytes(self) -> float:
        return self.weights_bytes + self.kv_bytes + self.compute_bytes

    @property
    def is_gpu(self) -> bool:
        return self.device != "host"


@dataclasses.dataclass(frozen=True)
class Facts:
    """Figures an estimate computed on the way, by name (None where the scenario has no such figure)."""

    kv_bytes_per_token: float | None = None
    weight_bits_per_param: float | None = None
    profiled_activation_bytes: float | None = None
    host_embedding_bytes: float | None = None
    #: The K part of the KV cache, where a runtime sizes K and V apart (llama.cpp).
    kv_k_bytes: float | None = None
    n_params: int | None = None
    trainable_params: int | None = None
    saved_activation_bytes: float | None = None
    tokens_per_step: int | None = None


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
    warnings: tuple[Caveat, ...] = ()
    facts: Facts = Facts()
    kv_pool: KvPool | None = None
    #: Per-device buffers where the runtime spreads a model over GPUs and system RAM (llama.cpp); empty otherwise.
    devices: tuple[DeviceMemory, ...] = ()

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
        label, plural = LABELS.get(name, (name.replace("_", " "), True))
        how = SHRINK_BY_RUNTIME.get(self.runtime, {}).get(name, SHRINK[name])
        bits = self.facts.weight_bits_per_param
        start = f"The {label} {'take' if plural else 'takes'} {size} ({share:.0%} of the GPU memory used)"
        if name == "weights" and bits is not None and bits <= QUANTIZED_BITS:
            return f"{start}; {ALREADY_QUANTIZED.format(bits=bits)}."
        return f"{start}; to shrink {'them' if plural else 'it'}, {how}."

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
            "details": {k: (round(v, 6) if isinstance(v, float) else v) for k, v in self._details()},
            "warnings": [w.text for w in self.warnings],
            "warning_codes": [w.code for w in self.warnings],
            "advice": self.advice,
        }


    def _details(self) -> list[tuple[str, float]]:
        """The named figures for JSON, in a fixed order (floats, as the record format has them)."""
        f, pool = self.facts, self.kv_pool
        items = [("kv_bytes_per_token", f.kv_bytes_per_token), ("weight_bits_per_param", f.weight_bits_per_param),
                 ("profiled_activation_bytes", f.profiled_activation_bytes)]
        if pool is not None:
            items += [("kv_pool_bytes", pool.pool_bytes), ("kv_capacity_tokens", float(pool.capacity_tokens)),
                      ("max_concurrent_sequences", float(pool.max_concurrent_sequences)),
                      ("gpu_memory_utilization", pool.gpu_memory_utilization)]
        items += [("host_embedding_bytes", f.host_embedding_bytes),
                  ("n_params", None if f.n_params is None else float(f.n_params)),
                  ("trainable_params", None if f.trainable_params is None else float(f.trainable_params)),
                  ("saved_activation_bytes", f.saved_activation_bytes),
                  ("tokens_per_step", None if f.tokens_per_step is None else float(f.tokens_per_step))]
        return [(name, value) for name, value in items if value is not None]


def make_estimate(kind: str, runtime: str, alive: dict[str, float], *, context_bytes: float,
                  allocator_bytes: float, phase: str, warnings=(), facts: Facts = Facts(),
                  kv_pool: KvPool | None = None, peak: float | None = None,
                  devices: tuple[DeviceMemory, ...] = ()) -> MemoryEstimate:
    """Assemble a result from the tensors alive at the peak plus the runtime's fixed costs."""
    components = [(name, float(alive.get(name, 0.0))) for name in COMPONENTS[:7]]
    components += [("cuda_context", float(context_bytes)), ("allocator_overhead", float(allocator_bytes))]
    allocated = sum(alive.values()) if peak is None else peak
    return MemoryEstimate(kind=kind, runtime=runtime, components=tuple(components),
                          peak_allocated_bytes=float(allocated),
                          device_used_bytes=float(allocated + context_bytes + allocator_bytes),
                          peak_phase=phase, warnings=tuple(warnings), facts=facts, kv_pool=kv_pool,
                          devices=tuple(devices))
