"""Widget: a model's weights in one quantization format, bits per weight with scales and the tensors kept
at higher precision, and a comparison with other common formats."""

from calculators.catalogs import formats
from calculators.core import validate
from calculators.core.units import format_bytes
from calculators.memory.weights import weight_bytes
from calculators.widgets import fields
from calculators.widgets.spec import Output, Widget

#: Whole-model formats offered (GGUF block types are parts of the k-quant mixes, not choices of their own).
FORMAT_CHOICES = tuple(f.id for f in formats.all_formats().values() if f.kind != "block")
COMPARED = ("bf16", "fp8", "q8_0", "q4_k_m", "awq-int4", "nf4-dq", "nvfp4")


def _share(fraction: float) -> str:
    return "under 0.1%" if 0 < fraction < 0.001 else f"{fraction:.1%}"


def _compute(inputs):
    label, arch = fields.architecture(inputs)
    fmt = validate.choice("format", inputs["format"], FORMAT_CHOICES)
    gpu = fields.gpu(inputs)
    result = weight_bytes(arch, fmt, field="format")
    bf16 = weight_bytes(arch, "bf16").total_bytes
    mix = sorted(result.by_format_params, key=lambda item: -item[1])
    parts = [f"{_share(n / arch.n_params)} of the parameters in {formats.get(fid).label} "
             f"({formats.get(fid).bits_per_value:g} bits)" for fid, n in mix]
    rows = []
    for fid in dict.fromkeys(COMPARED + (fmt,)):
        other = weight_bytes(arch, fid)
        name = formats.get(fid).label + (" (chosen)" if fid == fmt else "")
        rows.append((name, f"{other.bits_per_weight:.2f}", format_bytes(other.total_bytes, binary=False),
                     f"{other.total_bytes / bf16:.0%}"))
    usable = gpu.usable_memory_bytes
    room = usable - result.total_bytes
    if room >= 0:
        fit = (f"On {gpu.name} the weights leave {format_bytes(room)} of {format_bytes(usable)} usable for the "
               "KV cache, activations and the runtime.")
    else:
        fit = f"The weights alone are {format_bytes(-room)} more than the {format_bytes(usable)} usable on {gpu.name}."
    return {
        "bits": f"{result.bits_per_weight:.3f}",
        "size": f"{format_bytes(result.total_bytes, binary=False)} ({format_bytes(result.total_bytes)})",
        "ratio": f"{result.total_bytes / bf16:.1%} of BF16",
        "mix": "; ".join(parts) + ".",
        "fit": fit,
        "table": fields.html_table(("Format", "Bits per weight", "Weights", "Of BF16"), rows),
    }


WIDGET = Widget(
    id="quantization",
    title="Quantized weight size",
    summary="Bits per weight with scales and the tensors kept in higher precision, for one model.",
    fields=(
        fields.model_field("llama-3.1-70b"),
        fields.config_field(),
        fields.format_field("format", "Format", "nvfp4", FORMAT_CHOICES),
        fields.gpu_field("b200"),
    ),
    outputs=(
        Output("bits", "Bits per weight (whole model)"),
        Output("size", "Weights"),
        Output("ratio", "Size"),
        Output("mix", "What is stored how", "note"),
        Output("fit", "On the GPU", "note"),
        Output("table", "Other formats for this model", "html"),
    ),
    compute=_compute,
    example={"model": "llama-3.1-8b", "format": "q4_k_m", "gpu": "rtx-4090"},
    invalid=("config", "{}"),
)
