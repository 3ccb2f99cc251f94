"""Widget: decoding speed for one model on one GPU, and the batch sweep as a latency–throughput curve."""

from calculators.charts import Series, line_chart
from calculators.core import units
from calculators.core.units import format_bytes
from calculators.speed import batch_sweep, decode_step, memory_needed, request
from calculators.speed.sweep import DEFAULT_BATCHES
from calculators.widgets import fields
from calculators.widgets.spec import Output, Widget


def _compute(inputs):
    label, arch = fields.architecture(inputs)
    gpu = fields.gpu(inputs)
    weights = inputs["weights"]
    batch = fields.batch(inputs)
    req = request(arch, gpu, prompt_tokens=fields.tokens(inputs, "prompt"),
                  output_tokens=fields.tokens(inputs, "output"), batch=batch, weight_format=weights)
    step = req.decode
    context = req.mean_context_tokens
    sweep = batch_sweep(arch, gpu, batches=DEFAULT_BATCHES, context_tokens=context, weight_format=weights)
    by_batch = {row.batch: (row.tokens_per_s_total, row.tokens_per_s_per_user) for row in sweep.rows}
    annotations = []
    notes = []
    knee = sweep.compute_bound_batch
    if knee is not None and knee <= DEFAULT_BATCHES[-1]:
        at = decode_step(arch, gpu, batch=knee, context_tokens=context, weight_format=weights)
        by_batch[knee] = (at.tokens_per_s_total, at.tokens_per_s_per_user)  # the curve passes through the knee
        annotations.append((at.tokens_per_s_total, at.tokens_per_s_per_user, f"compute-bound from batch {knee}"))
        notes.append(f"From a batch of {knee} the arithmetic takes longer than the memory traffic: beyond it, "
                     "each extra sequence slows every user down almost in proportion.")
    elif knee is not None:
        notes.append(f"Decoding stays memory-bound up to a batch of {knee - 1:,}, beyond the chart.")
    elif step.compute_known:
        notes.append(f"With {context:,} tokens of context, decoding stays memory-bound at every batch size: each "
                     "sequence's KV-cache reads grow as fast as its arithmetic.")
    annotations.append((step.tokens_per_s_total, step.tokens_per_s_per_user, f"batch {batch}"))
    points = tuple(by_batch[b] for b in sorted(by_batch))
    need = memory_needed(arch, weight_format=weights, batch=batch, context_tokens=req.prompt_tokens + req.output_tokens)
    if need.total_bytes > gpu.usable_memory_bytes:
        notes.append(f"This does not fit: batch {batch} needs {format_bytes(need.total_bytes)} "
                     f"and {gpu.name} holds {format_bytes(gpu.usable_memory_bytes)}; the GPU picker finds "
                     "GPUs and counts that do.")
    else:
        notes.append(f"Memory: {format_bytes(need.total_bytes)} of {format_bytes(gpu.usable_memory_bytes)} usable.")
    if not step.compute_known:
        notes.append(f"The catalog has no tensor throughput for {gpu.name}: compute time is left out, so the time "
                     "to first token is underestimated.")
    desc = (f"Per-user against total tokens/s for {label} on {gpu.name}, {context:,} tokens of context, batch "
            + "; ".join(f"{row.batch}: {units.format_number(row.tokens_per_s_total)} total, "
                        f"{units.format_number(row.tokens_per_s_per_user)} per user" for row in sweep.rows) + ".")
    chart = line_chart(
        [Series(f"batch {DEFAULT_BATCHES[0]} to {DEFAULT_BATCHES[-1]}", points, markers=True)],
        title=f"Latency–throughput curve: {label} on {gpu.name}", desc=desc,
        x_label="Total tokens/s (all sequences)", y_label="Tokens/s per user", log_x=True, annotations=annotations)
    return {
        "per_user": units.format_rate(req.tokens_per_s_per_user),
        "total": units.format_rate(req.tokens_per_s_total),
        "ttft": units.format_duration(req.ttft_seconds),
        "tpot": units.format_duration(req.time_per_output_token_seconds),
        "request": units.format_duration(req.total_seconds),
        "bound": fields.bound_sentence(step.memory_seconds, step.compute_seconds, step.compute_known, gpu.name),
        "chart": chart,
        "notes": fields.notes_text(notes),
    }


WIDGET = Widget(
    id="speed",
    title="Inference speed",
    summary="Tokens per second per user and in total, time to first token, and how batching trades one for the other.",
    fields=(
        fields.model_field("llama-3.1-70b"),
        fields.config_field(),
        fields.gpu_field("h200"),
        fields.format_field("weights", "Weight format", "fp8"),
        fields.count_field("batch", "Batch (sequences at once)", 16),
        fields.count_field("prompt", "Prompt tokens", 1024),
        fields.count_field("output", "Generated tokens", 256),
    ),
    outputs=(
        Output("per_user", "Tokens/s per user"),
        Output("total", "Tokens/s in total"),
        Output("ttft", "Time to first token"),
        Output("tpot", "Time per output token"),
        Output("request", "Whole request"),
        Output("bound", "Decode step", "note"),
        Output("chart", "Batch sweep", "svg"),
        Output("notes", "Notes", "note"),
    ),
    compute=_compute,
    example={"model": "llama-3.1-8b", "gpu": "h100-sxm", "weights": "bf16", "batch": "64", "prompt": "4096"},
    invalid=("output", "0"),
)
