"""Field records (the ``shared/field-truth`` format: ``runtime_memory`` and ``runtime_speed``) to predictions.

A record says how a llama.cpp, ik_llama.cpp or vLLM run was set up and what it printed (``measured``); the
answer holds a ``predicted`` value under each ``measured`` key the calculators model, read off the same engines
every other surface uses. A setup the engines cannot express (partial offload, experts on the CPU, several GPUs,
a cache type the format catalog lacks, a GPU with no published FLOP/s for a prefill) is refused with the record
field named, never answered with a number for another setup.
"""

import re

from calculators.catalogs import formats, gpus, models
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.core.units import GIB, MIB
from calculators.memory import InferenceSetup, estimate_inference
from calculators.memory.placement import BACKENDS, LlamaCppOptions, Placement
from calculators.memory.setup import runtime_data
from calculators.speed import llama_cpp as local_speed

#: Runtimes that allocate as llama.cpp does (ik_llama.cpp is its fork; Ollama runs it).
LLAMA_CPP_FAMILY = ("llama.cpp", "ik_llama.cpp", "ollama")
#: llama.cpp's ``type_k`` / ``type_v`` names -> the format catalog's ids.
CACHE_TYPES = {"f16": "fp16", "bf16": "bf16", "f32": "fp32", "q8_0": "q8_0", "q4_0": "q4_0", "q4_1": "q4_1",
               "q5_0": "q5_0", "q5_1": "q5_1", "iq4_nl": "iq4_nl"}
#: vLLM V0's smallest default token budget per step without chunked prefill (vllm/config.py).
V0_MIN_BATCHED_TOKENS = 2048
#: A build number in the free-text ``runtime_version`` ("build 5331 (33eff402)", "version: 3673 (4084ca73)").
BUILD_NUMBER = re.compile(r"(?:build|version)[:= ]*(\d{3,6})\b", re.IGNORECASE)


def runtime_memory(record: dict) -> dict:
    """Buffer sizes as the runtime prints them at load time."""
    _, arch = models.resolve(record.get("model"), record.get("config"))
    runtime = validate.choice("runtime", record.get("runtime") or "", (*LLAMA_CPP_FAMILY, "vllm"))
    if runtime == "vllm":
        _single_device(record)
        predicted = _vllm_memory(record, arch)
    else:
        predicted = _llama_cpp_memory(record, arch)
    return _answer(record, predicted)


def runtime_speed(record: dict) -> dict:
    """llama-bench tokens/s from llama.cpp's speed model: ``tg`` tests token by token, ``pp`` tests in micro-batches."""
    _, arch = models.resolve(record.get("model"), record.get("config"))
    validate.choice("runtime", record.get("runtime") or "", LLAMA_CPP_FAMILY)
    _single_device(record)
    _full_offload(record, arch)
    settings = _llama_cpp_settings(record)
    gpu = _gpu(record)
    weight_format = _weight_format(record)
    backend = validate.choice("backend", record.get("backend") or "", local_speed.BACKENDS)
    test = str(record.get("test") or "")
    batch = validate.integer("batch", record.get("batch") or 1, minimum=1, maximum=validate.MAX_BATCH)
    if batch != 1:
        raise InputError("batch", "llama-bench rows with several sequences are not modelled yet")
    depth = validate.integer("depth_tokens", record.get("depth_tokens") or 0, minimum=0,
                             maximum=validate.MAX_CONTEXT_TOKENS)
    kv_type = _cache_type(settings, "type_k") or "fp16"
    if test.startswith("tg"):
        generated = validate.integer("generated_tokens", record.get("generated_tokens"), minimum=1,
                                     maximum=validate.MAX_CONTEXT_TOKENS)
        run = local_speed.decode(arch, gpu, backend=backend, weight_format=weight_format, context_tokens=depth,
                                 generated_tokens=generated, kv_bytes_per_value=formats.get(kv_type).bytes_per_value)
        return _answer(record, {"tokens_per_s": run.tokens_per_s})
    if test.startswith("pp"):
        prompt = validate.integer("prompt_tokens", record.get("prompt_tokens"), minimum=1,
                                  maximum=validate.MAX_CONTEXT_TOKENS)
        run = local_speed.prefill(arch, gpu, backend=backend, weight_format=weight_format, prompt_tokens=prompt,
                                  depth_tokens=depth, n_ubatch=settings.get("n_ubatch") or
                                  runtime_data()["llama_cpp"]["n_ubatch"])
        if not run.compute_known:
            raise InputError("gpu", f"{gpu.name} publishes no FLOP/s figure for llama.cpp's {backend} matmul path, "
                                    "so a prefill (compute-bound) speed cannot be estimated")
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
    if count == 0 or record.get("backend") == "CPU":
        raise InputError("backend", "CPU-only runs are not modelled for speed yet")
    if count not in (None, 1):
        raise InputError("gpu_count", "runs across several devices are not modelled yet")


def _gpu(record: dict):
    if record.get("backend") == "CPU":
        raise InputError("backend", "CPU-only runs are not modelled yet")
    if not record.get("gpu"):
        matched = gpus.match_device_name(record.get("gpu_name") or "")
        if matched is None:
            raise InputError("gpu", f"the device {str(record.get('gpu_name'))[:60]!r} is not in the GPU catalog")
        return matched
    return gpus.get(record["gpu"], field="gpu")


def _weight_format(record: dict) -> str:
    weight_format = record.get("weight_format")
    if not weight_format:
        raise InputError("weight_format", "the source does not say how the weights are stored")
    return formats.get(weight_format, field="weight_format").id


def _llama_cpp_settings(record: dict) -> dict:
    settings = record.get("llama_cpp") or {}
    if not isinstance(settings, dict):
        raise InputError("llama_cpp", "expected an object of llama.cpp settings")
    return settings


def _placement(record: dict, settings: dict) -> Placement:
    """The record's devices and ``llama_cpp`` placement settings as the memory engine takes them."""
    cpu_only = record.get("backend") == "CPU" or record.get("gpu_count") == 0
    count = 0 if cpu_only else validate.integer("gpu_count", record.get("gpu_count") or 1, minimum=1,
                                                 maximum=validate.MAX_GPUS)
    layers = settings.get("n_gpu_layers")
    overrides = settings.get("override_tensor") or ()
    if isinstance(overrides, str):
        overrides = (overrides,)
    if not isinstance(overrides, (list, tuple)):
        raise InputError("llama_cpp.override_tensor", "expected a list of PATTERN=BUFFER rules")
    split = settings.get("tensor_split") or ()
    if isinstance(split, str):
        split = tuple(part for part in re.split(r"[,/]", split) if part.strip())
    if not isinstance(split, (list, tuple)):
        raise InputError("llama_cpp.tensor_split", "expected one share per GPU")
    try:
        split = tuple(float(part) for part in split)
    except (TypeError, ValueError):
        raise InputError("llama_cpp.tensor_split", "each share is a number") from None
    return Placement(gpu_layers=None if layers in (None, "all") else layers, gpu_count=count,
                     tensor_split=split, split_mode=settings.get("split_mode") or "layer",
                     cpu_moe_layers=settings.get("n_cpu_moe") or 0, tensor_overrides=tuple(overrides),
                     main_gpu=settings.get("main_gpu") or 0)


def _full_offload(record: dict, arch) -> None:
    """Refuses placements the speed model cannot express yet (it reads every weight at the GPU's bandwidth)."""
    placement = _placement(record, _llama_cpp_settings(record))
    if placement.gpu_count == 0:
        raise InputError("backend", "CPU-only runs are not modelled for speed yet")
    if placement.tensor_overrides or placement.cpu_moe_layers:
        raise InputError("llama_cpp.override_tensor" if placement.tensor_overrides else "llama_cpp.n_cpu_moe",
                         "the speed of tensors kept in system RAM is not modelled yet")
    if placement.gpu_layers is not None and placement.gpu_layers <= arch.num_layers:
        raise InputError("llama_cpp.n_gpu_layers", f"{placement.gpu_layers} of {arch.num_layers + 1} layers on the "
                                                   "GPU: the speed of partial offload is not modelled yet")


def _options(record: dict, settings: dict) -> LlamaCppOptions:
    """The backend and the ik_llama.cpp flags the record gives (``-fmoe`` and ``-rtr`` are not record fields: off)."""
    backend = record.get("backend") or "CUDA"
    return LlamaCppOptions(backend=backend if backend in BACKENDS else "CUDA",
                           attention_max_batch_mib=settings.get("amb") or 0)


def _cache_type(settings: dict, key: str) -> str | None:
    value = settings.get(key)
    if value is None:
        return None
    if value not in CACHE_TYPES:
        raise InputError(f"llama_cpp.{key}", f"cache type {str(value)[:20]!r} is not in the format catalog; "
                                             f"known: {', '.join(CACHE_TYPES)}")
    return CACHE_TYPES[value]


def _build(record: dict) -> int | None:
    match = BUILD_NUMBER.search(str(record.get("runtime_version") or ""))
    return int(match.group(1)) if match else None


def _llama_cpp_memory(record: dict, arch) -> dict[str, float]:
    settings = _llama_cpp_settings(record)
    context = validate.integer("context_tokens", record.get("context_tokens"), minimum=1,
                               maximum=validate.MAX_SEQUENCE_TOKENS)
    runtime = "ik_llama.cpp" if record.get("runtime") == "ik_llama.cpp" else "llama.cpp"
    type_k = _cache_type(settings, "type_k")
    type_v = _cache_type(settings, "type_v")
    setup = InferenceSetup(batch=1, prompt_tokens=context, new_tokens=0, weight_format=_weight_format(record),
                           kv_format=type_k, kv_format_v=type_v if type_v != type_k else None, runtime=runtime,
                           attn="eager" if settings.get("flash_attn") is False else "sdpa",
                           micro_batch_tokens=settings.get("n_ubatch"), swa_full=settings.get("swa_full") is True,
                           placement=_placement(record, settings), runtime_build=_build(record),
                           mla_mode=settings.get("mla"), llama_cpp=_options(record, settings))
    try:
        estimate = estimate_inference(arch, setup)
    except InputError as error:
        raise error.renamed({"micro_batch_tokens": "llama_cpp.n_ubatch", "kv_format": "llama_cpp.type_k",
                             "kv_format_v": "llama_cpp.type_v", "gpu_layers": "llama_cpp.n_gpu_layers",
                             "cpu_moe_layers": "llama_cpp.n_cpu_moe", "tensor_overrides": "llama_cpp.override_tensor",
                             "tensor_split": "llama_cpp.tensor_split", "split_mode": "llama_cpp.split_mode",
                             "main_gpu": "llama_cpp.main_gpu", "mla_mode": "llama_cpp.mla",
                             "attention_max_batch_mib": "llama_cpp.amb"}) from None
    gpu = [d for d in estimate.devices if d.is_gpu]
    host = next((d for d in estimate.devices if not d.is_gpu), None)
    host_weights = host.weights_bytes if host else 0.0
    gpu_weights = sum(d.weights_bytes for d in gpu)
    predicted = {"weights_gpu_mib": gpu_weights / MIB, "weights_host_mib": host_weights / MIB,
                 "weights_total_mib": (gpu_weights + host_weights) / MIB,
                 "kv_mib": sum(d.kv_bytes for d in estimate.devices) / MIB}
    k_bytes = estimate.facts.kv_k_bytes or 0.0
    predicted.update(kv_k_mib=k_bytes / MIB, kv_v_mib=predicted["kv_mib"] - k_bytes / MIB)
    if gpu:
        predicted["compute_gpu_mib"] = sum(d.compute_bytes for d in gpu) / MIB
    if host is not None and not any("compute_buffer_estimated" == w.code for w in estimate.warnings):
        predicted["compute_host_mib"] = host.compute_bytes / MIB
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
