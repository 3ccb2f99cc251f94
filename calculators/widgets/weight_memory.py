"""Widget: memory taken by a model's weights in one number format."""

from calculators.catalogs import formats
from calculators.core.units import format_bytes
from calculators.memory.weights import weight_memory
from calculators.widgets.spec import Field, Output, Widget

_FORMAT_CHOICES = ("fp32", "bf16", "fp16", "fp8", "int8", "int4")


def _compute(inputs):
    memory = weight_memory(inputs["params"], inputs["format"])
    return {
        "gib": format_bytes(memory.bytes, binary=True),
        "gb": format_bytes(memory.bytes, binary=False),
        "explain": (f"{memory.params:,} parameters × {memory.format.bits_per_value:g} bits "
                    f"÷ 8 = {memory.bytes:,.0f} bytes"),
    }


WIDGET = Widget(
    id="weight-memory",
    title="Weight memory",
    fields=(
        Field("params", "Parameters", "number", "8.03e9", help="Total parameter count, e.g. 8.03e9 or 70e9"),
        Field("format", "Number format", "select", "bf16", engine_names=("weight_format",),
              options=tuple((f, formats.get(f).label) for f in _FORMAT_CHOICES)),
    ),
    outputs=(
        Output("gib", "Weights (binary units)"),
        Output("gb", "Weights (decimal units)"),
        Output("explain", "How"),
    ),
    compute=_compute,
    example={"params": "70e9", "format": "int4"},
    invalid=("params", "-5"),
)
