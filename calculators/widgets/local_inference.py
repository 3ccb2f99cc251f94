"""Widget: a GGUF model in llama.cpp on one GPU (or none) and system RAM: what each holds, how fast it runs, and
the largest context and the most GPU layers that fit."""


from calculators.catalogs import formats
from calculators.core import units, validate
from calculators.core.errors import InputError
from calculators.core.units import format_bytes
from calculators.memory import InferenceSetup, estimate_inference, ollama
from calculators.memory.placement import LlamaCppOptions, Placement
from calculators.speed import llama_cpp as local_speed
from calculators.widgets import fields
from calculators.widgets.spec import Field, Output, Widget

GGUF_FORMATS = ("q4_k_m", "q5_k_m", "q3_k_m", "q2_k", "q4_0", "q8_0", "fp16", "bf16")
CACHE_FORMATS = ("fp16", "q8_0", "q4_0", "q5_1", "q5_0", "q4_1", "iq4_nl", "bf16")
#: System memory presets: (value, label); the value is the theoretical bandwidth in GB/s.
HOST_MEMORY = (("51.2", "Dual-channel DDR4-3200 (51.2 GB/s)"), ("89.6", "Dual-channel DDR5-5600 (89.6 GB/s)"),
               ("204.8", "Quad-channel DDR5-6400 (204.8 GB/s)"), ("460.8", "12-channel DDR5-4800, EPYC (460.8 GB/s)"))
ALL_LAYERS = "all"
#: Context sizes the "largest context" search steps through (llama.cpp pads n_ctx to 256 cells).
CONTEXT_STEP = 256


def _checked(inputs) -> dict:
    """The inputs every computation here reads, checked once (each bad one raises InputError naming its field)."""
    return {**inputs,
            "cpu_moe": validate.integer("cpu_moe", inputs["cpu_moe"], minimum=0, maximum=10**4),
            "flash_attn": validate.choice("flash_attn", inputs["flash_attn"], ("on", "off")),
            "host_memory": validate.number("host_memory", inputs["host_memory"], minimum=1, maximum=10_000),
            "kv_type": validate.choice("kv_type", inputs["kv_type"], CACHE_FORMATS),
            "weights": validate.choice("weights", inputs["weights"], GGUF_FORMATS)}


def _setup(inputs, arch, context: int, gpu_layers, *, compute_buffers: bool = True) -> InferenceSetup:
    on_gpu = inputs["gpu"] != "none"
    placement = Placement(gpu_layers=gpu_layers, gpu_count=1 if on_gpu else 0, cpu_moe_layers=inputs["cpu_moe"])
    backend = (local_speed.backend_for(inputs["gpu"]) or "CUDA") if on_gpu else "CPU"
    return InferenceSetup(batch=1, prompt_tokens=context, new_tokens=0, weight_format=inputs["weights"],
                          kv_format=inputs["kv_type"], runtime="llama.cpp",
                          attn="sdpa" if inputs["flash_attn"] == "on" else "eager", placement=placement,
                          llama_cpp=LlamaCppOptions(backend=backend, with_compute_buffers=compute_buffers))


def _edge(inputs, arch, budget: float, low: int, high: int, setup_for) -> int | None:
    """The largest value in [low, high] whose setup fits in ``budget`` on the GPU.

    llama.cpp's compute buffers grow with the value searched (context, layers), and each needs a graph, so the
    search holds them fixed: with the buffers of a larger value every probe below it is an overestimate (what
    fits, fits), with those of a smaller value every probe above it is an underestimate (what fails, fails).
    Alternating the two closes in on the edge from both sides in a few graphs instead of one per probe; the
    answer is checked with its own graph at the end."""
    def compute_at(value):
        return sum(d.compute_bytes for d in estimate_inference(arch, setup_for(value, True)).devices if d.is_gpu)

    def gpu_bytes(value, compute):
        return _gpu_total(estimate_inference(arch, setup_for(value, compute is None))) + (compute or 0.0)

    upper = high
    at_upper = compute_at(upper)
    lower = _largest(low, upper, lambda v: gpu_bytes(v, at_upper) <= budget)
    if lower is None:
        return None
    for _ in range(4):
        if lower == upper:
            break
        at_lower = compute_at(lower)
        upper = _largest(lower, upper, lambda v: gpu_bytes(v, at_lower) <= budget) or lower
        at_upper = compute_at(upper)
        lower = _largest(lower, upper, lambda v: gpu_bytes(v, at_upper) <= budget) or lower
    if gpu_bytes(lower, None) <= budget:
        return lower
    return _largest(low, lower, lambda v: gpu_bytes(v, None) <= budget)  # buffers that shrank as the value grew


def _gpu_layers(inputs, arch):
    text = str(inputs["gpu_layers"]).strip().lower()
    if text in (ALL_LAYERS, ""):
        return None
    return validate.integer("gpu_layers", text, minimum=0, maximum=arch.num_layers + 1)


def _gpu_total(estimate) -> float:
    """What the GPU's buffers take; the catalog's usable memory already leaves out the runtime's own context."""
    return sum(d.total_bytes for d in estimate.devices if d.is_gpu)


def _largest(low: int, high: int, fits) -> int | None:
    """The largest value in [low, high] for which ``fits`` holds (it holds for every smaller one), or None."""
    if not fits(low):
        return None
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


def _compute(inputs):
    inputs = _checked(inputs)
    label, arch = fields.architecture(inputs)
    context = fields.tokens(inputs, "context")
    layers = _gpu_layers(inputs, arch)
    on_gpu = inputs["gpu"] != "none"
    gpu = fields.gpu(inputs) if on_gpu else None
    estimate = estimate_inference(arch, _setup(inputs, arch, context, layers))
    host = next((d for d in estimate.devices if not d.is_gpu), None)
    host_bytes = host.total_bytes if host else 0.0
    gpu_bytes = _gpu_total(estimate) if on_gpu else 0.0
    notes = [w.text for w in estimate.warnings]
    parts = [("Model", "weights_bytes"), ("KV cache", "kv_bytes"), ("Compute buffer", "compute_bytes")]
    from calculators.charts import stacked_bar
    if gpu is not None:
        device = next(d for d in estimate.devices if d.is_gpu)
        gpu_chart = stacked_bar([(name, getattr(device, key)) for name, key in parts],
                                title=f"GPU memory on {gpu.name}", value_label=format_bytes,
                                capacity=gpu.usable_memory_bytes,
                                capacity_label=f"{gpu.name}: {format_bytes(gpu.usable_memory_bytes)} usable")
    else:
        gpu_chart = stacked_bar([], title="No GPU: everything is in system RAM", value_label=format_bytes)
    ram_chart = stacked_bar([(name, getattr(host, key)) for name, key in parts] if host else [],
                            title="System RAM", value_label=format_bytes)
    fits_gpu = gpu is None or gpu_bytes <= gpu.usable_memory_bytes
    verdict = ("CPU only: everything is in system RAM." if gpu is None else
               f"{'Fits' if fits_gpu else 'Does not fit'} on {gpu.name}: {format_bytes(gpu_bytes)} of "
               f"{format_bytes(gpu.usable_memory_bytes)} usable.")
    largest, most_layers = "—", "—"
    if gpu is not None:
        top = max(1, min(arch.max_position_embeddings or context, validate.MAX_SEQUENCE_TOKENS) // CONTEXT_STEP)
        steps = _edge(inputs, arch, gpu.usable_memory_bytes, 1, top, lambda value, graph: _setup(
            inputs, arch, value * CONTEXT_STEP, layers, compute_buffers=graph))
        largest = ("none: the model alone does not fit" if steps is None else f"{steps * CONTEXT_STEP:,} tokens"
                   + (" (the model's maximum)" if steps == top and arch.max_position_embeddings else ""))

        n = _edge(inputs, arch, gpu.usable_memory_bytes, 0, arch.num_layers + 1, lambda value, graph: _setup(
            inputs, arch, context, value, compute_buffers=graph))
        most_layers = ("none" if n is None else "all (-ngl 999)" if n == arch.num_layers + 1
                       else f"{n} of {arch.num_layers + 1} (-ngl {n})")
    decode_text, prefill_text = _speed(inputs, arch, gpu, context, layers, notes)
    ollama_text = _ollama(inputs, arch, gpu)
    return {
        "gpu_total": format_bytes(gpu_bytes) if gpu is not None else "no GPU",
        "host_total": format_bytes(host_bytes),
        "verdict": verdict,
        "decode": decode_text,
        "prefill": prefill_text,
        "largest_context": largest,
        "ollama": ollama_text,
        "most_layers": most_layers,
        "chart": gpu_chart,
        "ram_chart": ram_chart,
        "notes": fields.notes_text(notes),
    }


def _ollama(inputs, arch, gpu) -> str:
    """What Ollama's defaults of the chosen release make of this model on this GPU."""
    total = (gpu.memory_reported_bytes or gpu.memory_gb * ollama.GIB) if gpu is not None else 0.0
    chosen = ollama.defaults(inputs["ollama"] or None, total_vram_bytes=total,
                             trained_context=arch.max_position_embeddings, model_type=arch.model_type)
    layers = None
    if gpu is not None:
        layers = _ollama_layers(inputs, arch, gpu, chosen)
        if layers != arch.num_layers + 1 and chosen.fallback_parallel:
            chosen = chosen.with_fallback()  # it retries with fewer slots when the model does not fit
            layers = _ollama_layers(inputs, arch, gpu, chosen)
    flash = {"auto": "on where the GPU supports it", "on": "on", "off": "off"}[chosen.flash_attention]
    text = (f"Ollama {chosen.version} asks llama.cpp for {chosen.context_cells:,} tokens of context "
            f"({chosen.num_parallel} × num_ctx {chosen.num_ctx:,}), KV-cache type {chosen.kv_cache_type} and flash "
            f"attention {flash}.")
    if layers is None:
        return text
    if layers == arch.num_layers + 1:
        return text + f" All {arch.num_layers + 1} layers go on the GPU."
    backend = local_speed.backend_for(gpu) or "CUDA"
    return text + (f" It puts whole layers on the GPU while {format_bytes(ollama.minimum_free_bytes(backend))} stay "
                   f"free: {layers or 0} of {arch.num_layers + 1} here, the rest in system RAM.")


def _ollama_layers(inputs, arch, gpu, chosen) -> int | None:
    """The most whole layers that fit beside the memory Ollama leaves free."""
    backend = local_speed.backend_for(gpu) or "CUDA"
    budget = gpu.usable_memory_bytes - ollama.minimum_free_bytes(backend)
    settings = {**inputs, "flash_attn": "off" if chosen.flash_attention == "off" else "on", "kv_type": "fp16",
                "cpu_moe": 0}

    return _edge(settings, arch, budget, 0, arch.num_layers + 1, lambda value, graph: _setup(
        settings, arch, chosen.context_cells, value, compute_buffers=graph))


def _speed(inputs, arch, gpu, context, layers, notes) -> tuple[str, str]:
    """Decode and prefill tokens/s, or why they are unknown."""
    if gpu is None:
        notes.append("CPU-only speed is not modelled yet (it needs the CPU's FLOP/s and memory bandwidth per core).")
        return "unknown (CPU only)", "unknown (CPU only)"
    backend = local_speed.backend_for(gpu)
    if backend is None:
        return f"unknown (no llama.cpp backend data for {gpu.vendor})", "unknown"
    placement = Placement(gpu_layers=layers, cpu_moe_layers=inputs["cpu_moe"])
    kv = formats.get(inputs["kv_type"]).bytes_per_value
    try:
        start = local_speed.decode(arch, gpu, backend=backend, weight_format=inputs["weights"], context_tokens=0,
                                   generated_tokens=128, placement=placement, kv_bytes_per_value=kv,
                                   host_bandwidth_gb_per_s=inputs["host_memory"])
        full = local_speed.decode(arch, gpu, backend=backend, weight_format=inputs["weights"],
                                  context_tokens=max(context - 128, 0), generated_tokens=128, placement=placement,
                                  kv_bytes_per_value=kv, host_bandwidth_gb_per_s=inputs["host_memory"])
    except InputError as error:
        return f"unknown ({error.message})", "unknown"
    decode = (f"{units.format_rate(start.tokens_per_s)} on an empty cache, {units.format_rate(full.tokens_per_s)} "
              f"with {context:,} tokens in it")
    if start.host_read_seconds:
        share = start.host_read_seconds / start.seconds
        notes.append(f"{share:.0%} of each generated token's time is spent reading tensors kept in system RAM.")
    run = local_speed.prefill(arch, gpu, backend=backend, weight_format=inputs["weights"], prompt_tokens=512,
                              placement=placement)
    if not run.compute_known:
        return decode, f"unknown: {gpu.name} has no FLOP/s figure for llama.cpp's {backend} matmul path"
    prefill = f"{units.format_rate(run.tokens_per_s)} (pp512)"
    if run.transfer_seconds > run.compute_seconds:
        notes.append("The prompt's speed is set by copying the weights kept in system RAM to the GPU for every "
                     "micro-batch, over the host link.")
    return decode, prefill


WIDGET = Widget(
    id="local-inference",
    title="llama.cpp: VRAM, system RAM and tokens/s",
    summary="A GGUF model split between the GPU and system RAM as llama.cpp places it: each device's buffers, the "
            "speed that placement gives, and the largest context and the most GPU layers that fit.",
    fields=(
        fields.model_field("qwen3-30b-a3b"),
        fields.config_field(),
        fields.format_field("weights", "Weight format (GGUF)", "q4_k_m", GGUF_FORMATS),
        fields.count_field("context", "Context (n_ctx, tokens)", 32768, engine_names=("prompt_tokens",)),
        Field("kv_type", "KV-cache type (-ctk / -ctv)", "select", "fp16",
              options=tuple((f, formats.get(f).label) for f in CACHE_FORMATS), engine_names=("kv_format",)),
        Field("flash_attn", "Flash attention (-fa)", "select", "on", options=(("on", "on"), ("off", "off"))),
        Field("gpu_layers", "GPU layers (-ngl)", "text", ALL_LAYERS,
              help="“all”, or how many of the last layers go to the GPU (the output layer counts as one more)."),
        fields.count_field("cpu_moe", "Expert layers kept in system RAM (--n-cpu-moe)", 0,
                           engine_names=("cpu_moe_layers",)),
        Field("gpu", "GPU", "select", "rtx-4090",
              options=(("none", "None (CPU only)"),) + fields.gpu_field().options),
        Field("host_memory", "System RAM", "select", "89.6", options=HOST_MEMORY,
              help="Bandwidth of the memory that holds the layers or experts kept off the GPU."),
        Field("ollama", "Ollama release (for its defaults)", "text", "0.32.15", engine_names=("ollama_version",),
              help="Ollama runs llama.cpp with its own defaults; they change between releases."),
    ),
    outputs=(Output("gpu_total", "GPU memory"), Output("host_total", "System RAM"),
             Output("verdict", "Verdict", "note"), Output("decode", "Generation (tg128)", "note"),
             Output("prefill", "Prompt processing", "note"), Output("largest_context", "Largest context that fits"),
             Output("ollama", "With Ollama's defaults", "note"),
             Output("most_layers", "GPU layers that fit at this context"), Output("chart", "On the GPU", "svg"),
             Output("ram_chart", "In system RAM", "svg"),
             Output("notes", "Notes", "note")),
    compute=_compute,
    example={"model": "qwen3-235b-a22b", "weights": "q4_k_m", "cpu_moe": "94", "context": "16384", "kv_type": "q8_0"},
    invalid=("context", "0"),
)
