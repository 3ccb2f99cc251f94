"""What an inference scenario runs, checked once: the setup every runtime model reads, and the helpers they share."""

import dataclasses

from calculators import data
from calculators.architectures import Architecture
from calculators.catalogs import formats
from calculators.core import validate
from calculators.core.caveats import Caveat
from calculators.core.errors import InputError
from calculators.memory import placement as placement_settings
from calculators.memory.placement import LlamaCppOptions, Placement

#: Runtimes with a memory model in calculators.memory.runtimes (one module each).
RUNTIME_NAMES = ("transformers", "vllm", "llama.cpp", "ik_llama.cpp")
#: Runtimes that place tensors the way llama.cpp does (the placement settings apply to them only).
LLAMA_CPP_RUNTIMES = ("llama.cpp", "ik_llama.cpp")
#: The cache types llama.cpp accepts (common/arg.cpp ``kv_cache_types``), as the format catalog names them.
LLAMA_CPP_KV_TYPES = ("fp32", "fp16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1")
ATTENTION = ("sdpa", "flash_attention_2", "eager")
COMPUTE_DTYPES = {"bf16": 2, "fp16": 2, "fp32": 4}
DTYPE_NAMES = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32", "half": "fp16", "float": "fp32"}


@dataclasses.dataclass(frozen=True)
class InferenceSetup:
    """What is run. ``logits_to_keep``: 1 = last position only, 0 = every position."""

    batch: int = 1
    prompt_tokens: int = 2048
    new_tokens: int = 1
    weight_format: str = "bf16"
    compute_dtype: str = "bf16"
    kv_format: str | None = None
    attn: str = "sdpa"
    logits_to_keep: int = 1
    runtime: str = "transformers"
    gpu_memory_bytes: float | None = None
    gpu_memory_utilization: float | None = None
    max_num_batched_tokens: int | None = None
    #: llama.cpp's ``n_ubatch``, the tokens one graph evaluation takes (None: the runtime's default).
    micro_batch_tokens: int | None = None
    #: llama.cpp's ``--swa-full``: sliding-window layers get a cache for the whole context (ik_llama.cpp always).
    swa_full: bool = False
    #: llama.cpp's tensor placement (``-ngl``, ``--n-cpu-moe``, ``-ot``, several GPUs).
    placement: Placement = Placement()
    #: llama.cpp's ``type_v`` when it differs from ``kv_format`` (``type_k``).
    kv_format_v: str | None = None
    #: llama.cpp build number (``build: 5331``), for rules that changed between builds; None = newest known.
    runtime_build: int | None = None
    #: ik_llama.cpp's ``-mla`` mode for DeepSeek-style attention.
    mla_mode: int | None = None
    #: llama.cpp's backend and the flags that shape its compute buffers.
    llama_cpp: LlamaCppOptions = LlamaCppOptions()


def normalize_dtype(value, field: str) -> str:
    text = validate.choice(field, DTYPE_NAMES.get(str(value).strip().lower(), value) if isinstance(value, str) else value,
                           tuple(COMPUTE_DTYPES))
    return text


def check(setup: InferenceSetup) -> InferenceSetup:
    """Validated copy (each bad value raises InputError naming its field)."""
    runtime = validate.choice("runtime", {"hf": "transformers", "llamacpp": "llama.cpp", "llama-cpp": "llama.cpp",
                                               "ik-llama.cpp": "ik_llama.cpp"}.get(
        str(setup.runtime).lower(), setup.runtime), RUNTIME_NAMES)
    attn = validate.choice("attn", {"flash": "flash_attention_2", "fa2": "flash_attention_2"}.get(
        str(setup.attn).lower(), setup.attn), ATTENTION)
    fmt = formats.get(setup.weight_format, field="weight_format")
    if fmt.kind == "block":
        raise InputError("weight_format", f"{fmt.id} is a GGUF block type, not a whole-model scheme; use e.g. q4_k_m")
    kv = formats.get_kv_cache(setup.kv_format).id if setup.kv_format is not None else None
    utilization = None
    if setup.gpu_memory_utilization is not None:
        utilization = validate.number("gpu_memory_utilization", setup.gpu_memory_utilization, minimum=0,
                                      exclusive_minimum=True, maximum=1)
        if runtime != "vllm":
            raise InputError("gpu_memory_utilization", f"applies to vLLM's preallocated pool only; the runtime here is "
                                                       f"{runtime}")
    gpu_bytes = None
    if setup.gpu_memory_bytes is not None:
        gpu_bytes = validate.number("gpu_memory_bytes", setup.gpu_memory_bytes, minimum=1, maximum=1e15)
    placed = placement_settings.check(setup.placement)
    if not placed.is_default and runtime not in LLAMA_CPP_RUNTIMES:
        raise InputError("placement", f"GPU layers, experts on the CPU and tensor overrides are llama.cpp settings; "
                                      f"the runtime here is {runtime}")
    kv_v = formats.get_kv_cache(setup.kv_format_v).id if setup.kv_format_v is not None else None
    if runtime in LLAMA_CPP_RUNTIMES:
        for field, value in (("kv_format", kv), ("kv_format_v", kv_v)):
            if value is not None and value not in LLAMA_CPP_KV_TYPES:
                raise InputError(field, f"llama.cpp has no {value} KV cache; its --cache-type-k/-v take "
                                        f"{', '.join(LLAMA_CPP_KV_TYPES)}")
    if kv_v is not None and runtime not in LLAMA_CPP_RUNTIMES:
        raise InputError("kv_format_v", f"a separate V cache type is a llama.cpp setting; the runtime here is {runtime}")
    build = None if setup.runtime_build is None else validate.integer("runtime_build", setup.runtime_build,
                                                                         minimum=0, maximum=10**7)
    mla = None if setup.mla_mode is None else validate.integer("mla_mode", setup.mla_mode, minimum=0, maximum=3)
    keep = validate.integer("logits_to_keep", setup.logits_to_keep, minimum=0, maximum=validate.MAX_SEQUENCE_TOKENS)
    return dataclasses.replace(
        setup, batch=validate.integer("batch", setup.batch, minimum=1, maximum=validate.MAX_BATCH),
        prompt_tokens=validate.integer("prompt_tokens", setup.prompt_tokens, minimum=1, maximum=validate.MAX_SEQUENCE_TOKENS),
        new_tokens=validate.integer("new_tokens", setup.new_tokens, minimum=0, maximum=validate.MAX_SEQUENCE_TOKENS),
        weight_format=fmt.id, compute_dtype=normalize_dtype(setup.compute_dtype, "compute_dtype"), kv_format=kv,
        attn=attn, logits_to_keep=keep, runtime=runtime, gpu_memory_bytes=gpu_bytes,
        gpu_memory_utilization=utilization,
        max_num_batched_tokens=None if setup.max_num_batched_tokens is None else validate.integer(
            "max_num_batched_tokens", setup.max_num_batched_tokens, minimum=1, maximum=validate.MAX_SEQUENCE_TOKENS),
        swa_full=_flag("swa_full", setup.swa_full), placement=placed, kv_format_v=kv_v, runtime_build=build,
        mla_mode=mla, llama_cpp=placement_settings.check_options(setup.llama_cpp),
        micro_batch_tokens=None if setup.micro_batch_tokens is None else validate.integer(
            "micro_batch_tokens", setup.micro_batch_tokens, minimum=1, maximum=validate.MAX_SEQUENCE_TOKENS))


def runtime_data() -> dict:
    return data.load("runtimes.json")


def _flag(field: str, value) -> bool:
    if not isinstance(value, bool):
        raise InputError(field, "expected true or false")
    return value


def kv_bytes_per_value(setup: InferenceSetup) -> float:
    if setup.kv_format is None:
        return COMPUTE_DTYPES[setup.compute_dtype]
    return formats.get(setup.kv_format).bytes_per_value


def representative_layers(arch: Architecture) -> list[int]:
    """The last layer of each kind: dense or routed MLP, full or sliding attention."""
    last = {}
    for layer in arch.layers:
        last[(layer.routed, layer.mixer.kind)] = layer.index
    return sorted(last.values())


def eager_fallback(arch: Architecture, setup):
    """transformers has no SDPA path for some models (Gemma 2, gpt-oss): they run eager attention."""
    if setup.attn == "sdpa" and not arch.supports_sdpa and getattr(setup, "runtime", "transformers") == "transformers":
        return dataclasses.replace(setup, attn="eager")
    return setup


def common_warnings(arch: Architecture, setup: InferenceSetup) -> list[Caveat]:
    """The architecture's own caveats, and those every runtime shares."""
    out = list(arch.warnings)
    if setup.attn == "eager" and not arch.supports_sdpa:
        out.append(Caveat("no_sdpa", f"transformers has no SDPA attention for {arch.model_type}: eager attention "
                                     "(full score matrix) is assumed; flash_attention_2 avoids it"))
    total = setup.prompt_tokens + setup.new_tokens
    if arch.max_position_embeddings and total > arch.max_position_embeddings:
        out.append(Caveat("beyond_max_position", f"{total} tokens exceed the model's max_position_embeddings "
                                                 f"({arch.max_position_embeddings})"))
    return out
