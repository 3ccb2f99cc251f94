"""Widget: what training keeps per parameter besides activations: weights, gradients, master weights and
optimizer state, for one optimizer and precision, optionally sharded with ZeRO."""

from calculators.core import validate
from calculators.core.units import format_bytes
from calculators.memory import model_states as ms
from calculators.memory import optimizers
from calculators.memory import precision as precisions
from calculators.widgets import fields
from calculators.widgets.spec import Field, Output, Widget

ZERO_CHOICES = (("0", "None"), ("1", "ZeRO-1: optimizer state and master weights"), ("2", "ZeRO-2: + gradients"),
                ("3", "ZeRO-3 / FSDP: + weights"))
#: Published option values (URL parameters) -> the engine's precision ids; "mixed" is BF16 with an FP32 master copy.
ENGINE_PRECISIONS = {"mixed": "bf16-master", "amp": "amp", "bf16": "bf16", "fp32": "fp32"}
ROWS = (("weights", "Weights"), ("gradients", "Gradients"), ("master_weights", "FP32 master weights"),
        ("optimizer_states", "Optimizer state"))


def _compute(inputs):
    label, arch, params = fields.model_or_params(inputs)
    optimizer = validate.choice("optimizer", inputs["optimizer"], tuple(optimizers.all_optimizers()))
    precision = ENGINE_PRECISIONS[validate.choice("precision", inputs["precision"], tuple(ENGINE_PRECISIONS))]
    gpus = validate.integer("gpus", inputs["gpus"], minimum=1, maximum=100_000)
    zero = int(validate.choice("zero", inputs["zero"], tuple(v for v, _ in ZERO_CHOICES)))
    states = ms.model_states(optimizer, precision, arch=arch, params=params)
    shard = states.sharded(gpus, zero) if gpus > 1 else states
    header = ["Part", "Bytes per parameter", "Total"] + ([f"Per GPU ({gpus} GPUs)"] if gpus > 1 else [])
    rows = []
    for name, title in ROWS + (("total", "Sum"),):
        row = [title, f"{states.per_param(name):.4g}", format_bytes(getattr(states, name), binary=False)]
        if gpus > 1:
            row.append(format_bytes(getattr(shard, name), binary=False))
        rows.append(row)
    opt = states.optimizer
    notes = [f"{label}, {precisions.STATE_LABELS[precision]}, {opt.label}."]
    if opt.factored:
        notes.append("Adafactor keeps row and column statistics instead of a full second moment for each matrix.")
    if gpus > 1 and zero == 0:
        notes.append("Without a ZeRO stage every data-parallel GPU holds all of it.")
    return {
        "state": format_bytes(states.optimizer_states, binary=False),
        "per_param": f"{states.per_param('total'):.4g} bytes",
        "total": format_bytes(shard.total, binary=False) + (" per GPU" if gpus > 1 else ""),
        "table": fields.html_table(header, rows),
        "notes": fields.notes_text(notes),
    }


WIDGET = Widget(
    id="optimizer-state",
    title="Optimizer state and model states",
    summary="Weights, gradients, master weights and optimizer state per trained parameter, before activations.",
    fields=(
        fields.model_or_params_field(),
        fields.config_field(),
        fields.params_field(),
        Field("optimizer", "Optimizer", "select", "adamw",
              options=tuple((o.id, o.label) for o in optimizers.all_optimizers().values())),
        Field("precision", "Precision", "select", "mixed",
              options=tuple((value, precisions.STATE_LABELS[engine]) for value, engine in ENGINE_PRECISIONS.items())),
        fields.count_field("gpus", "Data-parallel GPUs", 1),
        Field("zero", "Sharding", "select", "1", options=ZERO_CHOICES),
    ),
    outputs=(
        Output("state", "Optimizer state"),
        Output("per_param", "Model states per parameter"),
        Output("total", "Model states in all"),
        Output("table", "Breakdown", "html"),
        Output("notes", "Setup", "note"),
    ),
    compute=_compute,
    example={"model": "params", "params": "70e9", "optimizer": "adamw8bit", "gpus": "8"},
    invalid=("gpus", "0"),
)
