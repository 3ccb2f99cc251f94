"""Widget: a LoRA adapter's trainable parameters, and its training state next to full fine-tuning."""

from calculators.core import validate
from calculators.core.units import format_bytes
from calculators.memory import lora
from calculators.memory.model_states import model_states
from calculators.memory.weights import weight_bytes
from calculators.widgets import fields
from calculators.widgets.spec import Field, Output, Widget

TARGET_CHOICES = (("all-linear", "All linear layers"), ("attention", "Attention projections"),
                  ("qv", "Query and value only"), ("mlp", "Feed-forward only"))
MAX_RANK = 4096


def _compute(inputs):
    label, arch = fields.architecture(inputs)
    rank = validate.integer("rank", inputs["rank"], minimum=1, maximum=MAX_RANK)
    targets = lora.target_modules(arch, inputs["targets"])
    by_module = lora.params_by_module(arch, rank, targets)
    trainable = sum(n for _, n in by_module)
    # Adapters train in FP32 with AdamW (PEFT's default): 4 + 4 + 8 bytes per adapter parameter.
    adapter = model_states("adamw", "fp32", params=trainable, lora=True)
    full = model_states("adamw", "bf16-master", arch=arch)
    base = weight_bytes(arch, "bf16").total_bytes
    rows = [(name, f"{n:,}", f"{n / trainable:.0%}") for name, n in by_module]
    rows.append(("Total", f"{trainable:,}", "100%"))
    return {
        "trainable": f"{trainable:,}",
        "share": f"{trainable / arch.n_params:.2%} of {arch.n_params:,}",
        "adapter_file": format_bytes(trainable * 2, binary=False),
        "lora_memory": format_bytes(adapter.total, binary=False),
        "full_memory": format_bytes(full.total, binary=False),
        "compare": (f"LoRA on {label}: {format_bytes(base, binary=False)} of frozen BF16 weights plus "
                    f"{format_bytes(adapter.total, binary=False)} for the adapters, their gradients and AdamW state, "
                    f"against {format_bytes(full.total, binary=False)} of weights, gradients, master weights and "
                    f"AdamW state for full fine-tuning ({full.total / (base + adapter.total):.1f}× more). "
                    "Activations come on top of both."),
        "modules": fields.html_table(("Module", f"Trainable parameters (r = {rank})", "Share"), rows),
    }


WIDGET = Widget(
    id="lora",
    title="LoRA adapter size",
    summary="Trainable parameters of a LoRA adapter and the memory its training state takes.",
    fields=(
        fields.model_field(),
        fields.config_field(),
        fields.count_field("rank", "Rank r", 16),
        Field("targets", "Target modules", "select", "all-linear", options=TARGET_CHOICES),
    ),
    outputs=(
        Output("trainable", "Trainable parameters"),
        Output("share", "Share of the model"),
        Output("adapter_file", "Adapter file (BF16)"),
        Output("lora_memory", "Adapter training state (FP32, AdamW)"),
        Output("full_memory", "Full fine-tuning model states"),
        Output("compare", "Compared", "note"),
        Output("modules", "By module, all layers", "html"),
    ),
    compute=_compute,
    example={"model": "qwen2.5-7b", "rank": "64", "targets": "qv"},
    invalid=("rank", "0"),
)
