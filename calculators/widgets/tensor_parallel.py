"""Widget (in-entry): one model split over 1, 2, 4 or 8 GPUs by tensor parallelism."""

from calculators.core import units
from calculators.core.units import format_bytes
from calculators.speed import tensor_parallel_plan, tensor_split
from calculators.widgets import fields
from calculators.widgets.spec import Output, Widget


def _plans(arch, gpu, inputs):
    options = {"weight_format": inputs["weights"], "batch": fields.batch(inputs),
               "context_tokens": fields.tokens(inputs, "context", minimum=0)}
    chosen = fields.degree(inputs)
    degrees = [d for d in fields.TP_DEGREES if d == 1 or (gpu.link_bytes_per_s_one_way() is not None
                                                           and tensor_split.degree_problem(arch, d) is None)]
    if chosen not in degrees:
        tensor_parallel_plan(arch, gpu, tensor_parallel=chosen, **options)  # raises with the reason, on the tp field
    plans = {d: tensor_parallel_plan(arch, gpu, tensor_parallel=d, **options) for d in degrees}
    return plans[chosen], plans


def _compute(inputs):
    _, arch = fields.architecture(inputs)
    gpu = fields.gpu(inputs)
    plan, plans = _plans(arch, gpu, inputs)
    step = plan.step
    fit = "fits" if plan.fits else "does not fit"
    rows = [(f"{d}", format_bytes(p.weights_per_gpu_bytes), format_bytes(p.memory_per_gpu_bytes),
             "yes" if p.fits else "no", units.format_duration(p.step.step_seconds),
             units.format_duration(p.communication_seconds) if d > 1 else "—",
             units.format_number(p.tokens_per_s_per_user)) for d, p in plans.items()]
    notes = [f"{plan.tensor_parallel} × {gpu.name}: {format_bytes(plan.memory_per_gpu_bytes)} per GPU {fit} in "
             f"{format_bytes(plan.usable_per_gpu_bytes)} usable."]
    if plan.tensor_parallel > 1:
        notes.append(f"The {2 * arch.num_layers} all-reduces per step take {units.format_duration(plan.communication_seconds)}"
                     f", {plan.communication_seconds / step.step_seconds:.0%} of the step.")
    if plan.kv_replicas > 1:
        notes.append(f"The model has {arch.num_kv_heads} key-value heads, so each is kept on {plan.kv_replicas} GPUs: "
                     "the KV cache per GPU stops shrinking.")
    return {
        "weights": format_bytes(plan.weights_per_gpu_bytes),
        "step": units.format_duration(step.step_seconds),
        "per_user": units.format_rate(plan.tokens_per_s_per_user),
        "total": units.format_rate(plan.tokens_per_s_total),
        "notes": fields.notes_text(notes),
        "table": fields.html_table(("GPUs", "Weights per GPU", "Memory per GPU", "Fits", "Step",
                                    "All-reduces", "Tokens/s per user"), rows),
    }


WIDGET = Widget(
    id="tensor-parallel",
    title="Tensor parallelism",
    summary="Each GPU holds a slice of every weight matrix; two all-reduces per layer join the slices.",
    fields=(
        fields.model_field("llama-3.1-70b"),
        fields.config_field(),
        fields.gpu_field("h100-sxm"),
        fields.degree_field(4),
        fields.format_field("weights", "Weight format", "bf16"),
        fields.count_field("batch", "Batch (sequences at once)", 1),
        fields.count_field("context", "Context tokens per sequence", 4096),
    ),
    outputs=(
        Output("weights", "Weights per GPU"),
        Output("step", "Decode step"),
        Output("per_user", "Tokens/s per user"),
        Output("total", "Tokens/s in total"),
        Output("notes", "Memory and communication", "note"),
        Output("table", "By number of GPUs", "html"),
    ),
    compute=_compute,
    example={"tp": "8", "batch": "32", "weights": "fp8"},
    invalid=("batch", "0"),
)
