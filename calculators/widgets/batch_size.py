"""Widget (in-entry): what a larger decode batch does to each user's speed and to total throughput."""

from calculators.core import units
from calculators.speed import decode_step
from calculators.widgets import fields
from calculators.widgets.spec import Output, Widget


def _compute(inputs):
    _, arch = fields.architecture(inputs)
    gpu = fields.gpu(inputs)
    options = {"context_tokens": fields.tokens(inputs, "context", minimum=0), "weight_format": inputs["weights"]}
    step = decode_step(arch, gpu, batch=fields.batch(inputs), **options)
    single = decode_step(arch, gpu, batch=1, **options)
    gain = step.tokens_per_s_total / single.tokens_per_s_total
    kept = step.tokens_per_s_per_user / single.tokens_per_s_per_user
    return {
        "per_user": units.format_rate(step.tokens_per_s_per_user),
        "total": units.format_rate(step.tokens_per_s_total),
        "step": units.format_duration(step.step_seconds),
        "compare": (f"Against a batch of 1 ({units.format_rate(single.tokens_per_s_total)}): {gain:.3g}× the total "
                    f"throughput, each user at {kept:.0%} of the speed."),
        "bound": fields.bound_sentence(step.memory_seconds, step.compute_seconds, step.compute_known, gpu.name),
    }


WIDGET = Widget(
    id="batch-size",
    title="Batch size: per-user against total speed",
    summary="One decode step for every sequence in the batch: the weights are read once, the KV caches once each.",
    fields=(
        fields.model_field(),
        fields.config_field(),
        fields.gpu_field("h100-sxm"),
        fields.format_field("weights", "Weight format", "bf16"),
        fields.count_field("batch", "Batch (sequences at once)", 64),
        fields.count_field("context", "Context tokens per sequence", 2000),
    ),
    outputs=(
        Output("per_user", "Tokens/s per user"),
        Output("total", "Tokens/s in total"),
        Output("step", "One decode step"),
        Output("compare", "Against batch 1", "note"),
        Output("bound", "Bound", "note"),
    ),
    compute=_compute,
    example={"batch": "512", "context": "128", "weights": "fp8"},
    invalid=("batch", "0"),
)
