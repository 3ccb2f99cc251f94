"""Widget: a GPU's roofline on log-log axes, with a matmul or a decode step placed on it."""

import math

from calculators.catalogs import formats
from calculators.charts import Series, line_chart
from calculators.core import units, validate
from calculators.core.errors import InputError
from calculators.speed import decode_step, matmul_intensity_flop_per_byte, place, roof
from calculators.widgets import fields
from calculators.widgets.spec import Field, Output, Widget

#: Number formats with both a storage size (formats catalog) and a tensor throughput (GPU catalog).
FORMAT_CHOICES = ("bf16", "fp16", "fp8", "int8", "fp32")
WORKLOADS = (("matmul", "A matrix multiplication (M × K by K × N)"), ("decode", "A decode step of a model"))
MAX_DIM = 1_000_000


def _workload(inputs, gpu, fmt):
    """(intensity, short label, sentence) of the chosen workload."""
    kind = validate.choice("workload", inputs["workload"], tuple(value for value, _ in WORKLOADS))
    size = formats.get(fmt).bytes_per_value
    # the matmul's sizes are checked whichever workload is shown, so a bad value is flagged at once
    m, n, k = (validate.integer(name, inputs[name], minimum=1, maximum=MAX_DIM) for name in ("m", "n", "k"))
    if kind == "matmul":
        intensity = matmul_intensity_flop_per_byte(m, k, n, weight_bytes_per_value=size, activation_bytes=size)
        return intensity, f"matmul {m}×{k}×{n}", (
            f"2·M·N·K = {units.format_flop(2.0 * m * n * k)} over {size:g}-byte values of A (M × K), B (K × N) and C (M × N)")
    _, arch = fields.architecture(inputs)
    batch = fields.batch(inputs)
    step = decode_step(arch, gpu, batch=batch, context_tokens=fields.tokens(inputs, "context", minimum=0),
                       weight_format=fmt, compute_format=fmt)
    return step.arithmetic_intensity_flop_per_byte, f"decode, batch {batch}", (
        f"{units.format_flop(step.flops)} over {(step.weight_bytes_read + step.kv_bytes_read) / 1e9:.3g} GB of weights "
        f"and KV cache per step")


def _compute(inputs):
    gpu = fields.gpu(inputs)
    fmt = validate.choice("format", inputs["format"], FORMAT_CHOICES)
    if not any(gpu.peak_flops_per_s(f) for f in FORMAT_CHOICES):
        raise InputError("gpu", f"{gpu.name} publishes no tensor throughput, so it has no roofline here")
    if gpu.peak_flops_per_s(fmt) is None:
        raise InputError("format", f"{gpu.name} publishes no {formats.get(fmt).label} tensor throughput")
    intensity, label, how = _workload(inputs, gpu, fmt)
    point = place(gpu, intensity, fmt)
    ridge = point.ridge_flop_per_byte
    low = 10 ** math.floor(math.log10(min(intensity, ridge) / 4))
    high = 10 ** math.ceil(math.log10(max(intensity, ridge) * 4))
    tera = [(x, y / 1e12) for x, y in roof(gpu, fmt, low, high)]
    achievable = [(x, y / 1e12) for x, y in roof(gpu, fmt, low, high, achievable=True)]
    side = "left" if point.bound == "memory" else "right"
    chart = line_chart(
        [Series("Spec-sheet roofline", tuple(tera)), Series("Measured fractions", tuple(achievable), dashed=True)],
        title=f"Roofline of {gpu.name} in {formats.get(fmt).label}",
        desc=(f"Attainable TFLOP/s against arithmetic intensity, log-log. The bandwidth slope meets the "
              f"{point.peak_flops_per_s / 1e12:,.0f} TFLOP/s peak at a ridge of {ridge:,.0f} FLOP/byte. "
              f"The workload, {label}, sits at {intensity:,.3g} FLOP/byte, {side} of the ridge: "
              f"{point.bound}-bound at {point.attainable_flops_per_s / 1e12:,.3g} TFLOP/s."),
        x_label="Arithmetic intensity (FLOP/byte)", y_label="Attainable TFLOP/s", log_x=True, log_y=True,
        annotations=[(ridge, point.peak_flops_per_s / 1e12, f"ridge {ridge:,.0f}"),
                     (intensity, point.attainable_flops_per_s / 1e12, label)])
    share = point.attainable_flops_per_s / point.peak_flops_per_s
    share_text = f"{share:.0%}" if share >= 0.1 else f"{share * 100:.2g}%"
    return {
        "intensity": f"{units.format_number(intensity)} FLOP/byte",
        "attainable": f"{units.format_tflops(point.attainable_flops_per_s)} ({share_text} of peak)",
        "bound": f"{point.bound}-bound",
        "ridge": f"{units.format_number(ridge)} FLOP/byte",
        "chart": chart,
        "how": (f"{label}: {how}. Its intensity is {side} of the ridge "
                f"({units.format_tflops(point.peak_flops_per_s)} ÷ {gpu.memory_bandwidth_tb_per_s:g} TB/s), so "
                + ("memory bandwidth limits it; more reuse (a larger batch) or fewer bytes per value move it right."
                   if point.bound == "memory" else "the tensor cores limit it; a narrower format raises the roof.")),
    }


WIDGET = Widget(
    id="roofline",
    title="Roofline",
    summary="Where a matrix multiplication or a decode step sits against a GPU's compute and bandwidth roofs.",
    fields=(
        fields.gpu_field("h100-sxm"),
        fields.format_field("format", "Number format", "bf16", FORMAT_CHOICES),
        Field("workload", "Workload", "select", "decode", options=WORKLOADS),
        fields.count_field("m", "M (rows, e.g. tokens)", 4096, help="Matmul only."),
        fields.count_field("n", "N (output features)", 4096, help="Matmul only."),
        fields.count_field("k", "K (input features)", 4096, help="Matmul only."),
        fields.catalog_model_field(),
        fields.count_field("batch", "Batch (sequences)", 1, help="Decode only."),
        fields.count_field("context", "Context tokens", 1024, help="Decode only: tokens in each KV cache."),
    ),
    outputs=(
        Output("intensity", "Arithmetic intensity"),
        Output("attainable", "Attainable"),
        Output("bound", "Bound"),
        Output("ridge", "Ridge point"),
        Output("chart", "Roofline", "svg"),
        Output("how", "How", "note"),
    ),
    compute=_compute,
    example={"workload": "matmul", "m": "64", "format": "fp8", "gpu": "mi300x"},
    invalid=("k", "0"),
)
