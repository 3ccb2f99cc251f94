"""Widget (in-entry): a request's prefill (time to first token) against its decode steps."""

from calculators.charts import stacked_bar
from calculators.core import units
from calculators.speed import request
from calculators.widgets import fields
from calculators.widgets.spec import Output, Widget


def _compute(inputs):
    label, arch = fields.architecture(inputs)
    gpu = fields.gpu(inputs)
    req = request(arch, gpu, prompt_tokens=fields.tokens(inputs, "prompt"),
                  output_tokens=fields.tokens(inputs, "output"), weight_format=inputs["weights"])
    chart = stacked_bar(
        [("Prefill (time to first token)", req.ttft_seconds),
         (f"Decode ({req.output_tokens - 1:,} more tokens)", req.decode_seconds)],
        title=f"One request to {label} on {gpu.name}", value_label=units.format_duration)
    notes = [f"Prefill handles {req.prompt_tokens:,} tokens in one pass ({units.format_rate(req.prefill.tokens_per_s)}); "
             f"decode produces one token per step, {units.format_rate(req.tokens_per_s_per_user)}. "
             f"{req.prefill_share:.0%} of the request is spent before the first token."]
    if not req.prefill.compute_known:
        notes.append(f"The catalog has no tensor throughput for {gpu.name}, so prefill's arithmetic is left out "
                     "and its time is underestimated.")
    return {
        "ttft": units.format_duration(req.ttft_seconds),
        "tpot": units.format_duration(req.time_per_output_token_seconds),
        "total": units.format_duration(req.total_seconds),
        "chart": chart,
        "notes": fields.notes_text(notes),
    }


WIDGET = Widget(
    id="prefill-decode",
    title="Prefill against decode",
    summary="Time to first token for the whole prompt, then one decode step per generated token.",
    fields=(
        fields.model_field(),
        fields.config_field(),
        fields.gpu_field("rtx-4090"),
        fields.format_field("weights", "Weight format", "bf16"),
        fields.count_field("prompt", "Prompt tokens", 4000),
        fields.count_field("output", "Generated tokens", 500),
    ),
    outputs=(
        Output("ttft", "Time to first token"),
        Output("tpot", "Time per output token"),
        Output("total", "Whole request"),
        Output("chart", "Where the time goes", "svg"),
        Output("notes", "Notes", "note"),
    ),
    compute=_compute,
    example={"prompt": "32000", "output": "100", "gpu": "h100-sxm"},
    invalid=("prompt", "0"),
)
