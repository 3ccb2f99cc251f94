"""Bytes of a model's weights: tensor by tensor under a storage format or quantization scheme, or as a bare
parameter count times bits per weight."""

import dataclasses

from calculators.architectures import Architecture, Tensor
from calculators.catalogs import formats
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.core.units import GB, GIB

#: llama.cpp tensor names for the Hugging Face projections the mix rules refer to.
LLAMA_CPP_NAMES = {
    "v_proj": "attn_v", "qkv_proj": "attn_v", "kv_b_proj": "attn_v", "o_proj": "attn_output",
    "down_proj": "ffn_down", "w2": "ffn_down",
}


@dataclasses.dataclass(frozen=True)
class WeightBytes:
    """Weight storage of one model in one scheme."""

    format: formats.NumberFormat
    total_bytes: float
    by_role_bytes: tuple[tuple[str, float], ...]
    by_format_params: tuple[tuple[str, int], ...]

    @property
    def bits_per_weight(self) -> float:
        params = sum(n for _, n in self.by_format_params)
        return 8 * self.total_bytes / params if params else 0.0

    def role_bytes(self, role: str) -> float:
        return dict(self.by_role_bytes).get(role, 0.0)


def _use_more_bits(i: int, n: int) -> bool:
    """llama.cpp's choice of layers that get more bits in the _M mixes."""
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


LAYER_RULES = {
    "all": lambda i, n: True,
    "use_more_bits": _use_more_bits,
    "first_2": lambda i, n: i < 2,
    "first_sixteenth": lambda i, n: i < n // 16,
}


def tensor_format(tensor: Tensor, fmt: formats.NumberFormat, arch: Architecture) -> str:
    """Format id one tensor is stored in under ``fmt``."""
    layout = fmt.layout
    if layout is None:
        return fmt.id
    if tensor.role == "embedding":
        # a tied embedding is also the output layer, and is stored as one (llama-quant.cpp gives token_embd the
        # output type when the model has no separate output tensor)
        return layout.lm_head if arch.tie_word_embeddings else layout.embedding
    if tensor.role == "lm_head":
        return layout.lm_head
    if not tensor.is_linear or tensor.role == "router":
        return layout.other
    chosen = layout.linear
    projection = tensor.module
    gguf_name = LLAMA_CPP_NAMES.get(projection)
    gqa = arch.num_heads // max(arch.num_kv_heads, 1)
    for rule in layout.rules:
        if gguf_name in rule.tensors and gqa >= rule.min_gqa and tensor.layer is not None \
                and LAYER_RULES[rule.layers](tensor.layer, arch.num_layers):
            chosen = rule.format
    return chosen


def tensor_sizes(arch: Architecture, weight_format: str, *, field: str = "weight_format"):
    """``(tensor, format id, bytes)`` for every parameter tensor of ``arch`` stored as ``weight_format``."""
    fmt = formats.get(weight_format, field=field)
    format_of: dict[str, formats.NumberFormat] = {}  # look-ups are by name; a model has hundreds of tensors
    for tensor in arch.tensors:
        fid = tensor_format(tensor, fmt, arch)
        stored = format_of.get(fid)
        if stored is None:
            stored = format_of[fid] = formats.get(fid)
        if stored.row_multiple and len(tensor.shape) > 1 and tensor.in_features % stored.row_multiple:
            fid = stored.incompatible_fallback  # rows that do not fill whole k-quant super-blocks
            stored = format_of.get(fid) or format_of.setdefault(fid, formats.get(fid))
        size = tensor.total_numel * stored.bits_per_value / 8
        if stored.row_scale_bits:  # one scale per output row (bitsandbytes LLM.int8(): FP32)
            size += tensor.count * tensor.out_features * stored.row_scale_bits / 8
        yield tensor, fid, size


def weight_bytes(arch: Architecture, weight_format: str, *, field: str = "weight_format") -> WeightBytes:
    """Bytes of every parameter tensor of ``arch`` stored as ``weight_format`` (a format or a scheme)."""
    fmt = formats.get(weight_format, field=field)
    by_role: dict[str, float] = {}
    by_format: dict[str, int] = {}
    total = 0.0
    for tensor, fid, size in tensor_sizes(arch, weight_format, field=field):
        total += size
        by_role[tensor.role] = by_role.get(tensor.role, 0.0) + size
        by_format[fid] = by_format.get(fid, 0) + tensor.total_numel
    return WeightBytes(format=fmt, total_bytes=total, by_role_bytes=tuple(by_role.items()),
                       by_format_params=tuple(by_format.items()))


@dataclasses.dataclass(frozen=True)
class WeightMemory:
    params: int
    format: formats.NumberFormat
    bytes: float

    @property
    def gib(self) -> float:
        return self.bytes / GIB

    @property
    def gb(self) -> float:
        return self.bytes / GB


def weight_memory(params, weight_format: str) -> WeightMemory:
    """Bytes needed to hold ``params`` weights stored in ``weight_format``."""
    count = validate.number("params", params, minimum=1, maximum=validate.MAX_PARAMS)
    if count != int(count):
        raise InputError("params", f"a parameter count is a whole number, got {count:g}")
    fmt = formats.get(weight_format, field="weight_format")
    count = int(count)
    return WeightMemory(params=count, format=fmt, bytes=count * fmt.bits_per_value / 8)
