"""Widget: model FLOP utilization of a training or inference run from its measured tokens per second."""

from calculators.core import units, validate
from calculators.core.errors import InputError
from calculators.speed import flops
from calculators.widgets import fields
from calculators.widgets.spec import Field, Output, Widget

PEAK_FORMAT = "bf16"
#: Largest throughput accepted, tokens per second for the whole run.
MAX_TOKENS_PER_S = 1e12
MAX_GPUS = 1_000_000


def _flops(value: float) -> str:
    return units.format_flop(value) + "/s"


def _compute(inputs):
    label, arch = fields.architecture(inputs)
    gpu = fields.gpu(inputs)
    mode = validate.choice("mode", inputs["mode"], flops.MODES)
    tokens_per_s = validate.number("tokens_per_s", inputs["tokens_per_s"], minimum=0, maximum=MAX_TOKENS_PER_S,
                                   exclusive_minimum=True)
    n = validate.integer("gpus", inputs["gpus"], minimum=1, maximum=MAX_GPUS)
    seq = fields.tokens(inputs, "seq", minimum=0)
    peak = gpu.peak_flops_per_s(PEAK_FORMAT)
    if peak is None:
        raise InputError("gpu", f"the catalog has no dense BF16 or FP16 peak for {gpu.name}")
    per_token = flops.flop_per_token(arch, mode, sequence_tokens=seq)
    result = flops.model_flop_utilization(per_token.total, tokens_per_s, gpus=n, peak_flops_per_s_per_gpu=peak)
    factor = flops.MODES[mode][1]
    terms = f"{factor} × {per_token.params / 1e9:.3g}B parameters"
    if per_token.attention:
        terms += f" + attention at {seq:,} tokens, {units.format_flop(per_token.attention)}"
    notes = []
    if arch.is_moe:
        notes.append("Mixture of experts: N counts the parameters one token passes through.")
    if result.mfu > 1:
        notes.append("Above 100%: the throughput is more than this hardware can compute; check the inputs.")
    if mode == "inference":
        notes.append("Decode is memory-bound, so inference MFU is low by nature; compare bandwidth use instead.")
    notes.append(f"Peak: dense {PEAK_FORMAT.upper()} from the catalog, without 2:4 sparsity; "
                 "recomputed forward passes are not counted (that would be HFU).")
    return {
        "mfu": f"{result.mfu:.1%}",
        "achieved": f"{_flops(result.achieved_flops_per_s)} of {_flops(result.peak_flops_per_s)} peak",
        "how": (f"{tokens_per_s:,.6g} tokens/s × {units.format_flop(per_token.total)} per token ({terms}) ÷ "
                f"({n:,} × {gpu.dense_tflops_for(PEAK_FORMAT):g} TFLOP/s, {gpu.name}) = {result.mfu:.1%}."),
        "notes": fields.notes_text(notes),
    }


WIDGET = Widget(
    id="mfu",
    title="Model FLOP utilization",
    summary="Achieved tokens per second × FLOP per token, against the GPUs' dense BF16 peak.",
    fields=(
        fields.model_field(),
        fields.config_field(),
        fields.gpu_field("h100-sxm"),
        Field("mode", "Run", "select", "training",
              options=tuple((key, label) for key, (label, _, _) in flops.MODES.items())),
        Field("tokens_per_s", "Measured tokens per second (whole run)", "number", "8000",
              help="All GPUs together: trained tokens/s for training, processed tokens/s for inference."),
        fields.count_field("gpus", "GPUs", 1),
        fields.count_field("seq", "Sequence length for the attention term", 0,
                           help="0 leaves attention out (the 6N or 2N rule alone)."),
    ),
    outputs=(
        Output("mfu", "MFU"),
        Output("achieved", "Model FLOP/s"),
        Output("how", "How", "note"),
        Output("notes", "Notes", "note"),
    ),
    compute=_compute,
    example={"model": "llama-3.1-70b", "gpus": "64", "tokens_per_s": "60000", "seq": "8192"},
    invalid=("tokens_per_s", "0"),
)
