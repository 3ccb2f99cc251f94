"""Widget: a model's KV cache per token, per sequence and per batch, and how many sequences fit on a GPU."""

from calculators.charts import Series, line_chart, stacked_bar
from calculators.core import validate
from calculators.core.units import format_bytes
from calculators.memory import InferenceSetup, estimate_inference
from calculators.memory import kv_cache as kv
from calculators.widgets import fields
from calculators.widgets.spec import Output, Widget

KV_CHOICES = ("bf16", "fp16", "fp8", "fp32")
WEIGHT_CHOICES = ("bf16", "fp8", "int8", "awq-int4", "nf4", "nvfp4", "q8_0", "q4_k_m")
#: Context lengths drawn on the curve (those up to the chosen length, and the chosen length itself).
CURVE_TOKENS = (1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576)


def _curve(arch, label, tokens, kv_dtype):
    """KV cache of one sequence from 1k tokens to the model's context (or the chosen length, if longer)."""
    longest = max(tokens, min(arch.max_position_embeddings or tokens, CURVE_TOKENS[-1]))
    points = sorted({t for t in CURVE_TOKENS if t <= longest} | {tokens})
    if len(points) < 2:
        points = [max(tokens // 2, 1), tokens] if tokens > 1 else [1, 2]
    sizes = [(t, kv.kv_cache_size(arch, context_tokens=t, kv_format=kv_dtype).bytes_per_sequence / 2**30) for t in points]
    full = kv.kv_cache_size(arch, context_tokens=1, kv_format=kv_dtype).bytes_per_token
    series = [Series(f"{label}, {kv_dtype.upper()}", tuple(sizes), markers=True)]
    if any(layer.kind == "sliding" for layer in arch.attention):
        series.append(Series("if no layer had a window", tuple((t, full * t / 2**30) for t in points), dashed=True))
    chosen = dict(sizes)[tokens]
    described = "; ".join(f"{t:,} tokens: {size:.3g} GiB" for t, size in sizes)
    return line_chart(series, title=f"KV cache of one sequence by context length ({label})",
                      desc=f"KV cache per sequence, {kv_dtype.upper()}: {described}.", x_label="Context length (tokens)",
                      y_label="GiB per sequence", log_x=True, log_y=True,
                      annotations=((tokens, chosen, f"{tokens:,} tokens: {format_bytes(chosen * 2**30)}"),))


def _compute(inputs):
    label, arch = fields.architecture(inputs)
    gpu = fields.gpu(inputs)
    kv_dtype = validate.choice("kv_dtype", inputs["kv_dtype"], KV_CHOICES)
    weight_format = validate.choice("weights", inputs["weights"], WEIGHT_CHOICES)
    tokens = fields.tokens(inputs, "context")
    batch = fields.batch(inputs)
    size = kv.kv_cache_size(arch, context_tokens=tokens, batch=batch, kv_format=kv_dtype)
    # vLLM's budget: the weights, the profiled activation peak, CUDA graphs and non-torch memory come first.
    serving = estimate_inference(arch, InferenceSetup(
        batch=batch, prompt_tokens=tokens, new_tokens=0, weight_format=weight_format, kv_format=kv_dtype,
        runtime="vllm", gpu_memory_bytes=gpu.usable_memory_bytes))
    pool = serving.kv_pool.pool_bytes
    utilization = serving.kv_pool.gpu_memory_utilization
    fit = kv.sequences_that_fit(arch, pool, tokens, size.bytes_per_value)
    weights = serving.component("weights")
    runtime = serving.component("activations") + serving.component("allocator_overhead")
    reserved = gpu.usable_memory_bytes - utilization * gpu.usable_memory_bytes
    chart = stacked_bar(
        [("Weights", weights), ("Activations, CUDA graphs, runtime", runtime), (f"KV cache, {batch} × {tokens:,} tokens",
                                                                                 size.bytes_per_batch)],
        title=f"{label} on {gpu.name}: weights, runtime and this batch's KV cache", value_label=format_bytes,
        capacity=gpu.usable_memory_bytes - reserved,
        capacity_label=f"{utilization:.0%} of {format_bytes(gpu.usable_memory_bytes)}")
    notes = [w.text for w in serving.warnings if w.code != "kv_pool_too_small"]  # the fit line says that one
    if arch.kv_sharing == "MLA":
        full = arch.kv_bytes_per_token(size.bytes_per_value)
        notes.append(f"Serving runtimes (vLLM, SGLang) cache the latent shown here; Hugging Face transformers "
                     f"caches decompressed keys and values, {format_bytes(full)} per token.")
    sequences = f"{tokens:,} token{'s' if tokens != 1 else ''}"
    if fit:
        fits_text = (f"{fit:,} sequence{'s' if fit != 1 else ''} of {sequences} in a {format_bytes(pool)} KV pool "
                     f"({'the batch fits' if fit >= batch else f'a batch of {batch:,} does not fit'})")
    else:
        fits_text = (f"none: the {format_bytes(pool)} left for the KV pool does not hold one sequence of "
                     f"{sequences}")
    return {
        "per_token": format_bytes(size.bytes_per_token),
        "per_sequence": format_bytes(size.bytes_per_sequence),
        "per_batch": format_bytes(size.bytes_per_batch),
        "attention": kv.attention_kind(arch),
        "fit": f"On {gpu.name}: {fits_text}.",
        "chart": chart,
        "curve": _curve(arch, label, tokens, kv_dtype),
        "notes": fields.notes_text(notes),
    }


WIDGET = Widget(
    id="kv-cache",
    title="KV cache size",
    summary="Keys and values per token, per sequence and per batch, and how many sequences fit beside the weights.",
    fields=(
        fields.model_field(),
        fields.config_field(),
        fields.format_field("kv_dtype", "KV-cache format", "bf16", KV_CHOICES),
        fields.count_field("context", "Context per sequence (tokens)", 8192),
        fields.count_field("batch", "Batch (sequences at once)", 1),
        fields.format_field("weights", "Weight format", "bf16", WEIGHT_CHOICES),
        fields.gpu_field("h100-sxm"),
    ),
    outputs=(
        Output("per_token", "Per token"),
        Output("per_sequence", "Per sequence"),
        Output("per_batch", "For the batch"),
        Output("attention", "Attention", "note"),
        Output("fit", "Sequences that fit (vLLM-style KV pool)", "note"),
        Output("chart", "GPU memory", "svg"),
        Output("curve", "KV cache by context length", "svg"),
        Output("notes", "Notes", "note"),
    ),
    compute=_compute,
    example={"model": "gemma-3-27b", "kv_dtype": "fp8", "context": "32768", "batch": "8", "weights": "fp8"},
    invalid=("context", "0"),
)
