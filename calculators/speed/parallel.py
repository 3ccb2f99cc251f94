"""Tensor parallelism for one model: memory on each GPU, step time with the all-reduces, tokens/s."""

import dataclasses

from calculators.architectures import Architecture
from calculators.catalogs import gpus
from calculators.core.errors import InputError
from calculators.speed import tensor_split
from calculators.speed.decode import DecodeStep, decode_step
from calculators.speed.ranking import memory_needed


@dataclasses.dataclass(frozen=True)
class TensorParallelPlan:
    """``tensor_parallel`` GPUs sharing every weight matrix; memory figures are per GPU."""
    gpu_id: str
    tensor_parallel: int
    weights_per_gpu_bytes: float
    kv_cache_per_gpu_bytes: float
    memory_per_gpu_bytes: float
    usable_per_gpu_bytes: float
    kv_replicas: int
    step: DecodeStep

    @property
    def fits(self) -> bool:
        return self.memory_per_gpu_bytes <= self.usable_per_gpu_bytes

    @property
    def communication_seconds(self) -> float:
        return self.step.communication_seconds

    @property
    def tokens_per_s_per_user(self) -> float:
        return self.step.tokens_per_s_per_user

    @property
    def tokens_per_s_total(self) -> float:
        return self.step.tokens_per_s_total


def tensor_parallel_plan(arch: Architecture, gpu, *, tensor_parallel: int, weight_format: str = "bf16", batch: int = 1,
                         context_tokens: int = 4096, kv_format: str = "bf16") -> TensorParallelPlan:
    """Memory per GPU as :mod:`.tensor_split` divides it (a degree the model's heads do not allow is refused); the
    step is :func:`decode_step` with the same ``tensor_parallel`` (two ring all-reduces per layer)."""
    gpu = gpus.get(gpu)
    degree = tensor_split.check_degree(arch, tensor_parallel)
    if degree > 1 and gpu.link_bytes_per_s_one_way() is None:
        raise InputError("tensor_parallel", f"{gpu.name} has no published interconnect; it is not split across GPUs")
    need = memory_needed(arch, weight_format=weight_format, batch=batch, context_tokens=context_tokens,
                         kv_format=kv_format)
    per_gpu = tensor_split.split(arch, degree, weights_bytes=need.weights_bytes, kv_cache_bytes=need.kv_cache_bytes,
                                 total_bytes=need.total_bytes)
    step = decode_step(arch, gpu, batch=batch, context_tokens=context_tokens, weight_format=weight_format,
                       kv_format=kv_format, tensor_parallel=degree)
    return TensorParallelPlan(gpu_id=gpu.id, tensor_parallel=degree, weights_per_gpu_bytes=per_gpu.weights_per_gpu_bytes,
                              kv_cache_per_gpu_bytes=per_gpu.kv_cache_per_gpu_bytes,
                              memory_per_gpu_bytes=per_gpu.total_per_gpu_bytes,
                              usable_per_gpu_bytes=gpu.usable_memory_bytes, kv_replicas=per_gpu.kv_replicas, step=step)
