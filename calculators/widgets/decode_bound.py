"""Widget (in-entry): memory bandwidth turned into an upper bound on one user's decoding speed."""

from calculators.core import units
from calculators.core.units import format_bytes
from calculators.speed import decode_ceiling
from calculators.widgets import fields
from calculators.widgets.spec import Output, Widget


def _compute(inputs):
    _, arch = fields.architecture(inputs)
    gpu = fields.gpu(inputs)
    bound = decode_ceiling(arch, gpu, weight_format=inputs["weights"],
                           context_tokens=fields.tokens(inputs, "context", minimum=0))
    read = format_bytes(bound.bytes_per_token, binary=False)
    kv = (f" (weights {format_bytes(bound.weight_bytes_per_token, binary=False)} + KV cache "
          f"{format_bytes(bound.kv_bytes_per_token, binary=False)})" if bound.kv_bytes_per_token else "")
    return {
        "ceiling": units.format_rate(bound.ceiling_tokens_per_s),
        "floor": units.format_duration(bound.floor_seconds),
        "read": read,
        "how": (f"Each token reads {read}{kv}; ÷ {gpu.memory_bandwidth_tb_per_s:g} TB/s = "
                f"{units.format_duration(bound.floor_seconds)} per token at best. Copy kernels reach "
                f"{bound.bandwidth_fraction:.0%} of spec bandwidth, which gives "
                f"{units.format_rate(bound.achievable_tokens_per_s)}; with kernel overheads the speed model estimates {units.format_rate(bound.modelled_tokens_per_s)}."),
    }


WIDGET = Widget(
    id="decode-bound",
    title="Decode speed ceiling from bandwidth",
    summary="One sequence cannot decode faster than memory bandwidth ÷ bytes read per token.",
    fields=(
        fields.gpu_field("h200"),
        fields.model_field(),
        fields.config_field(),
        fields.format_field("weights", "Weight format", "bf16"),
        fields.count_field("context", "Tokens already in the KV cache", 0, help="0 counts the weights only."),
    ),
    outputs=(
        Output("ceiling", "At most"),
        Output("floor", "Time per token, at least"),
        Output("read", "Bytes read per token"),
        Output("how", "How", "note"),
    ),
    compute=_compute,
    example={"gpu": "rtx-4090", "weights": "q4_k_m", "context": "8192"},
    invalid=("context", "-1"),
)
