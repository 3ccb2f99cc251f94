"""Which GPU: the GPUs and counts that fit a model and workload, ranked by tokens/s or cost per million tokens."""

import dataclasses

from calculators.architectures import Architecture
from calculators.catalogs import formats
from calculators.catalogs import gpus as gpu_catalog
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.memory import InferenceSetup, estimate_inference
from calculators.speed import prices as price_data
from calculators.speed import tensor_split
from calculators.speed.decode import decode_step
from calculators.speed.forward import canonical_format

SORT_KEYS = ("tokens_per_s", "cost")
DEFAULT_COUNTS = (1, 2, 4, 8)


@dataclasses.dataclass(frozen=True)
class GpuOption:
    gpu_id: str
    gpu_name: str
    count: int
    #: The whole model's need and all ``count`` GPUs' usable memory.
    memory_needed_bytes: float
    memory_available_bytes: float
    #: What each GPU holds under tensor parallelism (:mod:`.tensor_split`) and what each can use: the fit test.
    memory_per_gpu_bytes: float
    usable_per_gpu_bytes: float
    step_seconds: float
    tokens_per_s_total: float
    tokens_per_s_per_user: float
    usd_per_hour: float | None
    usd_per_million_tokens: float | None
    price_source: str | None
    compute_known: bool


@dataclasses.dataclass(frozen=True)
class MemoryNeed:
    weights_bytes: float
    kv_cache_bytes: float
    total_bytes: float
    method: str


def memory_needed(arch: Architecture, *, weight_format: str, batch: int, context_tokens: int,
                  kv_format: str = "bf16") -> MemoryNeed:
    """Bytes the workload keeps allocated: the memory engine's inference peak (``calculators.memory``:
    weights tensor by tensor, KV cache, activations, logits) for a prompt of ``context_tokens``.
    The CUDA context is not included because usable memory already excludes it."""
    setup = InferenceSetup(batch=batch, prompt_tokens=max(context_tokens, 1), new_tokens=1,
                           weight_format=weight_format, kv_format=kv_format, runtime=formats.get(weight_format, field="weight_format").runtime or "transformers")
    estimate = estimate_inference(arch, setup)
    return MemoryNeed(weights_bytes=estimate.component("weights"), kv_cache_bytes=estimate.component("kv_cache"),
                      total_bytes=estimate.peak_allocated_bytes,
                      method=f"calculators.memory peak allocated ({estimate.runtime})")


def rank(arch: Architecture, *, weight_format: str = "bf16", batch: int = 1, context_tokens: int = 4096,
         counts=DEFAULT_COUNTS, gpu_ids=None, prices: dict | None = None, sort_by: str = "tokens_per_s",
         kv_format: str | None = None) -> tuple[GpuOption, ...]:
    """Every (GPU, count) whose usable memory holds the workload, best first.

    ``count`` GPUs share the model by tensor parallelism (memory per GPU as :mod:`.tensor_split` divides it, so
    the KV cache stops shrinking past the key-value heads; all-reduce cost added); counts above one need a
    published interconnect and must divide the model's heads. Cost per million tokens =
    count x hourly price / (tokens/s x 3600) x 10^6, at the given batch.
    """
    sort_by = validate.choice("sort_by", sort_by, SORT_KEYS)
    batch = validate.integer("batch", batch, minimum=1, maximum=validate.MAX_BATCH)
    context = validate.integer("context_tokens", context_tokens, minimum=0, maximum=validate.MAX_CONTEXT_TOKENS)
    wfmt = canonical_format(weight_format, field="weight_format")
    kvfmt = formats.get_kv_cache(kv_format or "bf16").id
    counts = sorted({validate.integer("counts", c, minimum=1, maximum=64) for c in counts})
    if not counts:
        raise InputError("counts", "give at least one GPU count")
    candidates = [gpu_catalog.get(g) for g in gpu_ids] if gpu_ids else list(gpu_catalog.all_gpus().values())
    table = price_data.merged(prices)
    need = memory_needed(arch, weight_format=wfmt, batch=batch, context_tokens=context, kv_format=kvfmt)
    options = []
    splits = {count: tensor_split.split(arch, count, weights_bytes=need.weights_bytes,
                                        kv_cache_bytes=need.kv_cache_bytes, total_bytes=need.total_bytes)
              for count in counts if tensor_split.degree_problem(arch, count) is None}
    for gpu in candidates:
        for count, per_gpu in splits.items():
            if count > 1 and gpu.link_bytes_per_s_one_way() is None:
                continue
            if per_gpu.total_per_gpu_bytes > gpu.usable_memory_bytes:
                continue
            step = decode_step(arch, gpu, batch=batch, context_tokens=context, weight_format=wfmt,
                               kv_format=kvfmt, tensor_parallel=count)
            price = table.get(gpu.id)
            usd_h = None if price is None else price.usd_per_hour * count
            per_million = None if usd_h is None else usd_h / (step.tokens_per_s_total * 3600) * 1e6
            options.append(GpuOption(
                gpu_id=gpu.id, gpu_name=gpu.name, count=count, memory_needed_bytes=need.total_bytes,
                memory_available_bytes=gpu.usable_memory_bytes * count,
                memory_per_gpu_bytes=per_gpu.total_per_gpu_bytes, usable_per_gpu_bytes=gpu.usable_memory_bytes,
                step_seconds=step.step_seconds,
                tokens_per_s_total=step.tokens_per_s_total, tokens_per_s_per_user=step.tokens_per_s_per_user,
                usd_per_hour=usd_h, usd_per_million_tokens=per_million,
                price_source=None if price is None else price.source, compute_known=step.compute_known))
    if sort_by == "cost":
        options.sort(key=lambda o: (o.usd_per_million_tokens is None, o.usd_per_million_tokens or 0.0,
                                    -o.tokens_per_s_total))
    else:
        options.sort(key=lambda o: (-o.tokens_per_s_total, o.count))
    return tuple(options)
