"""Field records (the ``shared/field-truth`` format: ``runtime_memory`` and ``runtime_speed``) to predictions.

A record says how a llama.cpp, ik_llama.cpp or vLLM run was set up and what it printed (``measured``); the
answer holds a ``predicted`` value under each ``measured`` key the calculators model, read off the same engines
every other surface uses. A setup the engines cannot express (partial offload, experts on the CPU, several GPUs,
a cache type the format catalog lacks, a GPU with no published FLOP/s for a prefill) is refused with the record
field named, never answered with a number for another setup.
"""

from calculators.catalogs import formats, gpus, models
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.core.units import GIB, MIB
from calculators.memory import InferenceSetup, estimate_inference
from calculators.memory.setup import runtime_data
from calculators.speed import decode_step, prefill

#: Runtimes that allocate as llama.cpp does (ik_llama.cpp is its fork; Ollama runs it).
LLAMA_CPP_FAMILY = ("llama.cpp", "ik_llama.cpp", "ollama")
#: llama.cpp's ``type_k`` / ``type_v`` names -> the format catalog's ids.
CACHE_TYPES = {"f16": "fp16", "bf16": "bf16", "f32": "fp32", "q8_0": "q8_0", "q4_0": "q4_0"}
#: vLLM V0's smallest default token budget per step without chunked prefill (vllm/config.py).
V0_MIN_BATCHED_TOKENS = 2048
#: ``llama_cpp`` settings that place tensors in ways the memory engine does not model yet.
NOT_MODELLED = ("n_cpu_moe", "override_tensor", "tensor_split")


def runtime_memory(record: dict) -> dict:
    """Buffer sizes as the runtime prints them at load time."""
    _, arch = models.resolve(record.get("model"), record.get("config"))
    runtime = validate.choice("runtime", record.get("runtime") or "", (*LLAMA_CPP_FAMILY, "vllm"))
    _single_device(record)
    if runtime == "vllm":
        predicted = _vllm_memory(record, arch)
    else:
        predicted = _llama_cpp_memory(record, arch)
    return _answer(record, predicted)


def runtime_speed(record: dict) -> dict:
    """llama-bench tokens/s: ``tg`` tests from decode steps, ``pp`` tests from the prefill."""
    _, arch = models.resolve(record.get("model"), record.get("config"))
    validate.choice("runtime", record.get("runtime") or "", LLAMA_CPP_FAMILY)
    _single_device(record)
    _llama_cpp_settings(record, arch)  # refuses placements the speed model cannot express
    gpu = _gpu(record)
    weight_format = _weight_format(record)
    test = str(record.get("test") or "")
    batch = validate.integer("batch", record.get("batch") or 1, minimum=1, maximum=validate.MAX_BATCH)
    depth = validate.integer("depth_tokens", record.get("depth_tokens") or 0, minimum=0,
                             maximum=validate.MAX_CONTEXT_TOKENS)
    if test.startswith("tg"):
        generated = validate.integer("generated_tokens", record.get("generated_tokens"), minimum=1,
                                     maximum=validate.MAX_CONTEXT_TOKENS)
        step = decode_step(arch, gpu, batch=batch, context_tokens=depth + generated // 2, weight_format=weight_format)
        return _answer(record, {"tokens_per_s": step.tokens_per_s_total})
    if test.startswith("pp"):
        if depth:
            raise InputError("depth_tokens", "a prefill on top of a filled cache is not modelled yet")
        prompt = validate.integer("prompt_tokens", record.get("prompt_tokens"), minimum=1,
                                  maximum=validate.MAX_CONTEXT_TOKENS)
        run = prefill(arch, gpu, prompt_tokens=prompt, batch=batch, weight_format=weight_format)
        if not run.compute_known:
            raise InputError("gpu", f"{gpu.name} publishes no FLOP/s figure in the catalog, so a prefill (compute-"
                                    "bound) speed cannot be estimated")
        return _answer(record, {"tokens_per_s": run.tokens_per_s})
    raise InputError("test", f"expected a llama-bench test such as pp512 or tg128, got {test[:20]!r}")


def _answer(record: dict, predicted: dict[str, float]) -> dict:
    """The predictions for the keys the record measured (all of them when it measured nothing)."""
    measured = record.get("measured")
    keys = set(measured) if isinstance(measured, dict) and measured else set(predicted)
    return {"id": record.get("id"), "kind": record.get("kind"), "runtime": record.get("runtime"),
            "predicted": {key: round(value, 4) for key, value in predicted.items() if key in keys}}


def _single_device(record: dict) -> None:
    count = record.get("gpu_count")
    if count not in (None, 1):
        raise InputError("gpu_count", "runs across several devices are not modelled yet")


def _gpu(record: dict):
    if record.get("backend") == "CPU":
        raise InputError("backend", "CPU-only runs are not modelled yet")
    if not record.get("gpu"):
        raise InputError("gpu", f"the device {str(record.get('gpu_name'))[:60]!r} is not in the GPU catalog")
    return gpus.get(record["gpu"], field="gpu")


def _weight_format(record: dict) -> str:
    weight_format = record.get("weight_format")
    if not weight_format:
        raise InputError("weight_format", "the source does not say how the weights are stored")
    return formats.get(weight_format, field="weight_format").id


def _llama_cpp_settings(record: dict, arch) -> dict:
    """The record's ``llama_cpp`` settings, refusing those the engines cannot express."""
    settings = record.get("llama_cpp") or {}
    if not isinstance(settings, dict):
        raise InputError("llama_cpp", "expected an object of llama.cpp settings")
    for name in NOT_MODELLED:
        if settings.get(name):
            raise InputError(f"llama_cpp.{name}", "placing tensors off the GPU this way is not modelled yet")
    layers = settings.get("n_gpu_layers")
    if layers not in (None, "all") and validate.integer("llama_cpp.n_gpu_layers", layers, minimum=0,
                                                        maximum=10**6) <= arch.num_layers:
        raise InputError("llama_cpp.n_gpu_layers", f"{layers} of {arch.num_layers + 1} layers on the GPU: "
                                                   "partial offload is not modelled yet")
    return settings


def _cache_type(settings: dict) -> str | None:
    type_k, type_v = settings.get("type_k"), settings.get("type_v")
    if type_k != type_v and type_v is not None:
        raise InputError("llama_cpp.type_v", "a V cache type different from the K cache type is not modelled yet")
    if type_k is None:
        return None
    if type_k not in CACHE_TYPES:
        raise InputError("llama_cpp.type_k", f"cache type {str(type_k)[:20]!r} is not in the format catalog; "
                                             f"known: {', '.join(CACHE_TYPES)}")
    return CACHE_TYPES[type_k]


def _llama_cpp_memory(record: dict, arch) -> dict[str, float]:
    settings = _llama_cpp_settings(record, arch)
    context = validate.integer("context_tokens", record.get("context_tokens"), minimum=1,
                               maximum=validate.MAX_SEQUENCE_TOKENS)
    setup = InferenceSetup(batch=1, prompt_tokens=context, new_tokens=0, weight_format=_weight_format(record),
                           kv_format=_cache_type(settings), runtime="llama.cpp",
                           attn="eager" if settings.get("flash_attn") is False else "sdpa",
                           micro_batch_tokens=settings.get("n_ubatch"),
                           # ik_llama.cpp has no separate sliding-window cache: every layer holds the context
                           swa_full=record.get("runtime") == "ik_llama.cpp" or settings.get("swa_full") is True)
    try:
        estimate = estimate_inference(arch, setup)
    except InputError as error:
        raise error.renamed({"micro_batch_tokens": "llama_cpp.n_ubatch", "kv_format": "llama_cpp.type_k"}) from None
    weights, host = estimate.component("weights"), estimate.facts.host_embedding_bytes or 0.0
    kv = estimate.component("kv_cache")
    predicted = {"weights_gpu_mib": weights / MIB, "weights_host_mib": host / MIB,
                 "weights_total_mib": (weights + host) / MIB, "kv_mib": kv / MIB,
                 "compute_gpu_mib": (estimate.component("activations") + estimate.component("logits")) / MIB}
    if arch.kv_sharing != "MLA":  # keys and values of equal width: half each
        predicted.update(kv_k_mib=kv / 2 / MIB, kv_v_mib=kv / 2 / MIB)
    return predicted


def _vllm_memory(record: dict, arch) -> dict[str, float]:
    settings = record.get("vllm") or {}
    if not isinstance(settings, dict):
        raise InputError("vllm", "expected an object of vLLM settings")
    for name in ("tensor_parallel", "pipeline_parallel"):
        if settings.get(name) not in (None, 1):
            raise InputError(f"vllm.{name}", "vLLM across several GPUs is not modelled yet")
    total = record.get("gpu_total_bytes")
    if total is None:
        gpu = gpus.get(record.get("gpu") or "", field="gpu")
        total = gpu.memory_reported_bytes or gpu.memory_gb * GIB
    kv_dtype = settings.get("kv_cache_dtype")
    context = validate.integer("context_tokens", record.get("context_tokens"), minimum=1,
                               maximum=validate.MAX_SEQUENCE_TOKENS)
    batched = settings.get("max_num_batched_tokens")
    if batched is None and settings.get("engine") == "V0":
        # V0 without chunked prefill schedules (and profiles) a whole prompt at once: its SchedulerConfig defaults
        # max_num_batched_tokens to max(max_model_len, 2048) (vllm/config.py, _DEFAULT_MAX_NUM_BATCHED_TOKENS)
        batched = max(context, V0_MIN_BATCHED_TOKENS)
    setup = InferenceSetup(batch=1, prompt_tokens=context, new_tokens=0, weight_format=_weight_format(record),
                           kv_format=None if kv_dtype in (None, "auto") else kv_dtype, runtime="vllm",
                           gpu_memory_bytes=total, gpu_memory_utilization=settings.get("gpu_memory_utilization"),
                           max_num_batched_tokens=batched)
    try:
        estimate = estimate_inference(arch, setup)
    except InputError as error:
        raise error.renamed({"kv_format": "vllm.kv_cache_dtype", "gpu_memory_bytes": "gpu_total_bytes",
                             "gpu_memory_utilization": "vllm.gpu_memory_utilization",
                             "max_num_batched_tokens": "vllm.max_num_batched_tokens"}) from None
    pool = estimate.kv_pool
    block = settings.get("block_size") or runtime_data()["vllm"]["block_size"]
    # non_torch_gib and cuda_graph_gib are not answered: the engine holds them as flat defaults, not a model of
    # what vLLM measures (it varies with the version, TP, NCCL and the captured sizes), so no figure is claimed.
    return {"weights_gib": estimate.component("weights") / GIB,
            "activation_gib": (estimate.facts.profiled_activation_bytes or 0.0) / GIB,
            "kv_pool_gib": pool.pool_bytes / GIB, "kv_tokens": float(pool.capacity_tokens),
            "max_concurrency": pool.capacity_tokens / context, "gpu_blocks": float(pool.capacity_tokens // block)}
