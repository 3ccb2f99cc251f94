"""Widget: the 2N and 6ND rules: training FLOP for a run, the GPU time it takes at a given MFU, and the FLOP
per generated token."""

from calculators.core import units, validate
from calculators.speed import flops
from calculators.widgets import fields
from calculators.widgets.spec import Field, Output, Widget

DTYPE_CHOICES = (("bf16", "BF16"), ("fp8", "FP8"), ("fp16", "FP16"), ("tf32", "TF32"))


def _compute(inputs):
    if inputs.get("model") == fields.BY_PARAMS:
        label, _, active = fields.model_or_params(inputs)
        note = ""
    else:
        label, arch = fields.architecture(inputs)
        active = arch.active_params
        note = (f" {label} is a mixture of experts: N is its {active:,} active parameters per token, not all "
                f"{arch.n_params:,}." if arch.is_moe else "")
    tokens = validate.number("tokens", inputs["tokens"], minimum=1, maximum=flops.MAX_TRAINING_TOKENS)
    gpu = fields.gpu(inputs)
    dtype = validate.choice("dtype", inputs["dtype"], tuple(v for v, _ in DTYPE_CHOICES))
    train = flops.training_flops(active, tokens)
    time = flops.gpu_time(train, gpu, compute_format=dtype, mfu_percent=inputs["mfu"], gpus=inputs["gpus"])
    per_token = flops.forward_flops_per_token(active)
    return {
        "train_flops": f"{units.format_scientific(train)} FLOP",
        "gpu_days": f"{units.format_number(time.gpu_days)} GPU-days ({units.format_number(time.gpu_hours)} GPU-hours)",
        "wall": units.format_long_duration(time.wall_seconds) + (f" on {time.gpus:,} GPUs" if time.gpus > 1 else " on one GPU"),
        "per_token": f"{units.format_scientific(per_token)} FLOP",
        "explain": (f"6 × {units.format_scientific(active)} parameters × {units.format_scientific(tokens)} tokens = {units.format_scientific(train)} FLOP. {gpu.name} at "
                    f"{time.mfu:.0%} of its dense {dtype.upper()} peak of {units.format_number(time.peak_flops_per_s / 1e12)} TFLOP/s "
                    f"delivers {units.format_number(time.achieved_flops_per_s / 1e12)} TFLOP/s.{note}"),
    }


WIDGET = Widget(
    id="flop-rules",
    title="Training and inference FLOP",
    summary="6ND FLOP to train on D tokens and the GPU time at a given MFU; 2N FLOP per generated token.",
    fields=(
        fields.model_or_params_field(),
        fields.config_field(),
        fields.params_field(),
        Field("tokens", "Training tokens (D)", "number", "15e12", help="For example 15e12 for 15 trillion."),
        fields.gpu_field("h100-sxm"),
        Field("dtype", "Tensor-core format", "select", "bf16", options=DTYPE_CHOICES, engine_names=("compute_format",)),
        Field("mfu", "MFU (% of dense peak achieved)", "number", "40"),
        fields.count_field("gpus", "GPUs", 1),
    ),
    outputs=(
        Output("train_flops", "Training compute (6ND)"),
        Output("gpu_days", "GPU time"),
        Output("wall", "Wall-clock time"),
        Output("per_token", "Per generated token (2N)"),
        Output("explain", "How", "note"),
    ),
    compute=_compute,
    example={"tokens": "1e8", "gpus": "8", "mfu": "35", "model": "qwen3-30b-a3b"},
    invalid=("mfu", "150"),
)
