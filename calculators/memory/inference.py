"""Inference memory: weights, KV cache and the transient peak of prefill and decode, per runtime.

* ``transformers``: eager PyTorch, one prefill of ``batch x prompt_tokens`` then decode steps;
  what ``torch.cuda.max_memory_allocated`` reports (the reference measurements' protocol).
* ``vllm``: preallocates ``gpu_memory_utilization`` of the card; the KV pool is what is left after
  weights, the profiled activation peak, CUDA graphs and non-torch memory.
* ``llama.cpp``: weights (token embeddings stay in host RAM), a KV cache for the whole context,
  and compute buffers sized for one micro-batch (``n_ubatch``).
"""

import dataclasses
import math

from calculators import data
from calculators.catalogs import formats
from calculators.core import validate
from calculators.architectures import Architecture
from calculators.core.errors import InputError
from calculators.memory import forward
from calculators.memory.result import MemoryEstimate, make_estimate
from calculators.memory.weights import weight_bytes

RUNTIMES = ("transformers", "vllm", "llama.cpp")
ATTENTION = ("sdpa", "flash_attention_2", "eager")
COMPUTE_DTYPES = {"bf16": 2, "fp16": 2, "fp32": 4}
DTYPE_NAMES = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32", "half": "fp16", "float": "fp32"}

#: Largest batch and context accepted: far beyond any GPU, small enough to stay exact in floats.
MAX_BATCH = 1 << 20
MAX_TOKENS = 1 << 26


@dataclasses.dataclass(frozen=True)
class InferenceSetup:
    """What is run. ``logits_to_keep``: 1 = last position only, 0 = every position."""

    batch: int = 1
    prompt_tokens: int = 2048
    new_tokens: int = 1
    weight_format: str = "bf16"
    compute_dtype: str = "bf16"
    kv_dtype: str | None = None
    attn: str = "sdpa"
    logits_to_keep: int = 1
    runtime: str = "transformers"
    gpu_memory_bytes: float | None = None
    gpu_memory_utilization: float | None = None
    max_num_batched_tokens: int | None = None


def normalize_dtype(value, field: str) -> str:
    text = validate.choice(field, DTYPE_NAMES.get(str(value).strip().lower(), value) if isinstance(value, str) else value,
                           tuple(COMPUTE_DTYPES))
    return text


def check(setup: InferenceSetup) -> InferenceSetup:
    """Validated copy (each bad value raises InputError naming its field)."""
    runtime = validate.choice("runtime", {"hf": "transformers", "llamacpp": "llama.cpp", "llama-cpp": "llama.cpp"}.get(
        str(setup.runtime).lower(), setup.runtime), RUNTIMES)
    attn = validate.choice("attn", {"flash": "flash_attention_2", "fa2": "flash_attention_2"}.get(
        str(setup.attn).lower(), setup.attn), ATTENTION)
    fmt = formats.get(setup.weight_format, field="quant")
    if fmt.kind == "block":
        raise InputError("quant", f"{fmt.id} is a GGUF block type, not a whole-model scheme; use e.g. q4_k_m")
    kv = formats.get(setup.kv_dtype, field="kv_dtype").id if setup.kv_dtype is not None else None
    utilization = None
    if setup.gpu_memory_utilization is not None:
        utilization = validate.number("gpu_memory_utilization", setup.gpu_memory_utilization, minimum=0,
                                      exclusive_minimum=True, maximum=1)
    gpu_bytes = None
    if setup.gpu_memory_bytes is not None:
        gpu_bytes = validate.number("gpu_memory_bytes", setup.gpu_memory_bytes, minimum=1, maximum=1e15)
    keep = validate.integer("logits_to_keep", setup.logits_to_keep, minimum=0, maximum=MAX_TOKENS)
    return dataclasses.replace(
        setup, batch=validate.integer("batch", setup.batch, minimum=1, maximum=MAX_BATCH),
        prompt_tokens=validate.integer("seq", setup.prompt_tokens, minimum=1, maximum=MAX_TOKENS),
        new_tokens=validate.integer("new_tokens", setup.new_tokens, minimum=0, maximum=MAX_TOKENS),
        weight_format=fmt.id, compute_dtype=normalize_dtype(setup.compute_dtype, "dtype"), kv_dtype=kv,
        attn=attn, logits_to_keep=keep, runtime=runtime, gpu_memory_bytes=gpu_bytes,
        gpu_memory_utilization=utilization,
        max_num_batched_tokens=None if setup.max_num_batched_tokens is None else validate.integer(
            "max_num_batched_tokens", setup.max_num_batched_tokens, minimum=1, maximum=MAX_TOKENS))


def runtime_data() -> dict:
    return data.load("runtimes.json")


def kv_bytes_per_value(setup: InferenceSetup) -> float:
    if setup.kv_dtype is None:
        return COMPUTE_DTYPES[setup.compute_dtype]
    return formats.get(setup.kv_dtype).bytes_per_value


def representative_layers(arch: Architecture) -> list[int]:
    """The last layer of each kind: dense or routed MLP, full or sliding attention."""
    routed = {t.layer for t in arch.tensors if t.role == "expert"}
    last = {}
    for i in range(arch.num_layers):
        last[(i in routed, arch.attention[i].kind)] = i
    return sorted(last.values())


def estimate_inference(arch: Architecture, setup: InferenceSetup) -> MemoryEstimate:
    """Memory of one inference scenario (see the module docstring for the runtimes)."""
    setup = check(setup)
    setup = eager_fallback(arch, setup)
    if setup.runtime == "vllm":
        return _vllm(arch, setup)
    if setup.runtime == "llama.cpp":
        return _llama_cpp(arch, setup)
    return _transformers(arch, setup)


def eager_fallback(arch: Architecture, setup):
    """transformers has no SDPA path for some models (Gemma 2, gpt-oss): they run eager attention."""
    if setup.attn == "sdpa" and not arch.supports_sdpa and getattr(setup, "runtime", "transformers") == "transformers":
        return dataclasses.replace(setup, attn="eager")
    return setup


def _warnings(arch: Architecture, setup: InferenceSetup) -> list[str]:
    out = list(arch.warnings)
    if setup.attn == "eager" and not arch.supports_sdpa:
        out.append(f"transformers has no SDPA attention for {arch.model_type}: eager attention (full score "
                   "matrix) is assumed; flash_attention_2 avoids it")
    total = setup.prompt_tokens + setup.new_tokens
    if arch.max_position_embeddings and total > arch.max_position_embeddings:
        out.append(f"{total} tokens exceed the model's max_position_embeddings ({arch.max_position_embeddings})")
    return out


def _transformers(arch: Architecture, setup: InferenceSetup) -> MemoryEstimate:
    e = COMPUTE_DTYPES[setup.compute_dtype]
    weights = weight_bytes(arch, setup.weight_format)
    w = weights.total_bytes
    kv_b = kv_bytes_per_value(setup)
    b, s = setup.batch, setup.prompt_tokens
    tokens = b * s
    kept = tokens if setup.logits_to_keep == 0 else b * min(setup.logits_to_keep, s)
    # transformers' sliding-window cache layers keep a view of the last window of what they were
    # given: after prefill they still hold the whole prompt, until the first decode step replaces it.
    kv_prefill = b * s * arch.kv_bytes_per_token(kv_b)
    # Prefill: the last layer of each kind runs with (nearly) the whole cache already written.
    layer_peak = max(forward.layer_peak(arch, i, tokens, b, s, e, setup.attn, setup.compute_dtype)
                     for i in representative_layers(arch))
    if setup.attn == "sdpa":
        layer_peak += forward.sdpa_mask_bytes(arch, s, s)
    hidden, logits = forward.head_phase(arch, tokens, kept, e)
    candidates = {
        "prefill": ({"weights": w, "kv_cache": kv_prefill, "activations": layer_peak}),
        "prefill-lm-head": ({"weights": w, "kv_cache": kv_prefill, "activations": hidden, "logits": logits}),
    }
    # Decode: the cache grows by concatenation (one layer's K/V copied), prefill logits still held. The first
    # step starts from the whole prompt in every layer; the last ends with the windows applied to all tokens.
    total = s + max(setup.new_tokens, 1)
    kv_decode = max(kv_prefill, arch.kv_cache_bytes(b, total, kv_b))
    one_layer = max(layer.cached_tokens(total) * layer.values_per_token() for layer in arch.attention) * b * kv_b
    decode_act = one_layer + forward.layer_peak(arch, arch.num_layers - 1, b, b, total, e, setup.attn,
                                                setup.compute_dtype)
    candidates["decode"] = {"weights": w, "kv_cache": kv_decode, "activations": decode_act,
                            "logits": logits + b * arch.vocab_size * e}
    # Loading: transformers materialises a tied lm_head before tying it to the embeddings.
    load_extra = weights.role_bytes("embedding") if arch.tie_word_embeddings else 0.0
    candidates["load"] = {"weights": w, "activations": load_extra}
    phase, alive = max(candidates.items(), key=lambda item: sum(item[1].values()))
    rt = runtime_data()
    non_weight = sum(alive.values()) - w
    details = [("kv_bytes_per_token", arch.kv_bytes_per_token(kv_b)), ("weight_bits_per_param", weights.bits_per_weight),
               ("n_params", float(arch.n_params))]
    warnings = _warnings(arch, setup)
    if any(layer.cached_tokens(s) < s for layer in arch.attention):
        warnings.append("transformers keeps the whole prompt's keys and values in sliding-window layers until "
                        "the first decode step; the window caps the cache only after that")
    return make_estimate("inference", "transformers", alive, context_bytes=rt["cuda_context_bytes"],
                         allocator_bytes=rt["allocator_cache_fraction"] * non_weight, phase=phase,
                         warnings=warnings, details=details)


def _vllm(arch: Architecture, setup: InferenceSetup) -> MemoryEstimate:
    rt = runtime_data()
    cfg = rt["vllm"]
    e = COMPUTE_DTYPES[setup.compute_dtype]
    kv_b = kv_bytes_per_value(setup)
    w = weight_bytes(arch, setup.weight_format).total_bytes
    chunk = setup.max_num_batched_tokens or cfg["max_num_batched_tokens"]
    # Profiling run: one forward of `chunk` tokens, flash attention, logits for the sampled rows only.
    activation = max(forward.layer_peak(arch, i, chunk, 1, chunk, e, "sdpa") for i in representative_layers(arch))
    activation += 4 * min(chunk, 256) * arch.vocab_size  # fp32 logits of the sampler's rows
    fixed = activation + cfg["cuda_graph_bytes"] + cfg["non_torch_bytes"]
    per_seq_tokens = setup.prompt_tokens + setup.new_tokens
    block = cfg["block_size"]
    # MLA layers store the latent (vLLM's MLA backends); others store K and V.
    per_token = arch.kv_bytes_per_token(kv_b, latent=True)
    needed_kv = setup.batch * sum(
        math.ceil(layer.cached_tokens(per_seq_tokens) / block) * block * layer.values_per_token(latent=True)
        for layer in arch.attention) * kv_b
    warnings = _warnings(arch, setup)
    details = [("kv_bytes_per_token", per_token), ("profiled_activation_bytes", activation)]
    utilization = setup.gpu_memory_utilization or cfg["gpu_memory_utilization"]
    if setup.gpu_memory_bytes:
        budget = setup.gpu_memory_bytes * utilization
        pool = budget - w - fixed
        if pool <= 0:
            warnings.append(f"weights and activations ({(w + fixed) / 2**30:.1f} GiB) exceed "
                            f"{utilization:.0%} of the GPU; vLLM would fail to start")
            pool = 0.0
        capacity_tokens = int(pool // per_token) if per_token else 0
        details += [("kv_pool_bytes", pool), ("kv_capacity_tokens", float(capacity_tokens)),
                    ("max_concurrent_sequences", float(capacity_tokens // per_seq_tokens)),
                    ("gpu_memory_utilization", utilization)]
        if needed_kv > pool:
            warnings.append(f"{setup.batch} sequences of {per_seq_tokens} tokens need {needed_kv / 2**30:.1f} GiB "
                            f"of KV cache; the pool holds {pool / 2**30:.1f} GiB")
        kv_alive = pool
    else:
        kv_alive = needed_kv
    alive = {"weights": w, "kv_cache": kv_alive, "activations": activation}
    overhead = cfg["cuda_graph_bytes"] + cfg["non_torch_bytes"]
    return make_estimate("inference", "vllm", alive, context_bytes=rt["cuda_context_bytes"],
                         allocator_bytes=overhead, phase="serving", warnings=warnings, details=details)


def _llama_cpp(arch: Architecture, setup: InferenceSetup) -> MemoryEstimate:
    rt = runtime_data()
    cfg = rt["llama_cpp"]
    weights = weight_bytes(arch, setup.weight_format)
    on_gpu = weights.total_bytes - (weights.role_bytes("embedding") if not arch.tie_word_embeddings else 0.0)
    kv_b = kv_bytes_per_value(setup) if setup.kv_dtype else 2  # llama.cpp defaults to an f16 cache
    pad = cfg["kv_padding_tokens"]
    context = math.ceil((setup.prompt_tokens + setup.new_tokens) / pad) * pad
    kv = setup.batch * sum(layer.cached_tokens(context) * layer.values_per_token(latent=True)
                           for layer in arch.attention) * kv_b
    ubatch = min(cfg["n_ubatch"], setup.batch * setup.prompt_tokens)
    # Compute buffer: the largest per-layer working set of one micro-batch (f32 intermediates),
    # the attention scores of one micro-batch against the context, and the f32 output logits.
    f = max(arch.intermediate_size, arch.moe_intermediate_size * max(arch.experts_per_token, 1))
    work = 4 * ubatch * (2 * arch.hidden_size + 2 * f)
    scores = 4 * ubatch * arch.num_heads * context if setup.attn == "eager" else 4 * ubatch * arch.num_heads * 256
    logits = 4 * ubatch * arch.vocab_size
    alive = {"weights": on_gpu, "kv_cache": kv, "activations": work + scores, "logits": logits}
    details = [("kv_bytes_per_token", arch.kv_bytes_per_token(kv_b, latent=True)),
               ("weight_bits_per_param", weights.bits_per_weight),
               ("host_embedding_bytes", weights.role_bytes("embedding") if not arch.tie_word_embeddings else 0.0)]
    return make_estimate("inference", "llama.cpp", alive, context_bytes=rt["cuda_context_bytes"],
                         allocator_bytes=0.0, phase="decode", warnings=_warnings(arch, setup), details=details)
