"""How tensor parallelism divides one model's memory over its GPUs, and which degrees a model allows.

The one rule every surface uses (the tensor-parallel plan, the GPU picker, ``gpus --fits``), so a fit verdict
never depends on which page asks. Weights split evenly; the KV cache splits by key-value heads, so beyond
``num_kv_heads`` GPUs each head is replicated and the cache per GPU stops shrinking (vLLM's
``QKVParallelLinear``: ``num_kv_head_replicas = divide(tp_size, total_num_kv_heads)``); activations and the rest
split evenly."""

import dataclasses

from calculators.architectures import Architecture
from calculators.core import validate
from calculators.core.errors import InputError


@dataclasses.dataclass(frozen=True)
class SplitMemory:
    """Bytes on each of ``degree`` GPUs."""

    degree: int
    weights_per_gpu_bytes: float
    kv_cache_per_gpu_bytes: float
    other_per_gpu_bytes: float
    kv_replicas: int

    @property
    def total_per_gpu_bytes(self) -> float:
        return self.weights_per_gpu_bytes + self.kv_cache_per_gpu_bytes + self.other_per_gpu_bytes


def degree_problem(arch: Architecture, degree: int) -> str | None:
    """Why ``degree`` GPUs cannot split this model's attention, or None when they can.

    vLLM refuses a size that does not divide the attention heads ("Total number of attention heads must be
    divisible by tensor parallel size", ``ModelConfig.verify_with_parallel_config``), and its QKV projection needs
    the key-value heads to divide the size or the size to divide them."""
    heads, kv_heads = arch.num_heads, max(arch.num_kv_heads, 1)
    if degree == 1:
        return None
    if heads % degree:
        return f"{degree} GPUs do not divide the model's {heads} attention heads"
    if (degree % kv_heads) if degree >= kv_heads else (kv_heads % degree):
        return f"{degree} GPUs and the model's {kv_heads} key-value heads do not divide one another"
    return None


def check_degree(arch: Architecture, degree, *, field: str = "tensor_parallel") -> int:
    """``degree`` as a whole number this model can be split into, or an InputError naming ``field``."""
    degree = validate.integer(field, degree, minimum=1, maximum=64)
    problem = degree_problem(arch, degree)
    if problem:
        valid = ", ".join(str(d) for d in range(1, 65) if degree_problem(arch, d) is None)
        raise InputError(field, f"{problem}; sizes that work: {valid}")
    return degree


def split(arch: Architecture, degree: int, *, weights_bytes: float, kv_cache_bytes: float,
          total_bytes: float) -> SplitMemory:
    """One model's memory (whole-model bytes as the memory engine gives them) on each of ``degree`` GPUs."""
    kv_split = min(degree, max(arch.num_kv_heads, 1))
    return SplitMemory(
        degree=degree, weights_per_gpu_bytes=weights_bytes / degree, kv_cache_per_gpu_bytes=kv_cache_bytes / kv_split,
        other_per_gpu_bytes=max(total_bytes - weights_bytes - kv_cache_bytes, 0.0) / degree,
        kv_replicas=max(1, degree // kv_split))
