"""Number formats (fp32 … int4, and quantization schemes) from ``data/number_formats.json``."""

import dataclasses
import functools

from calculators import data
from calculators.core.errors import InputError


@dataclasses.dataclass(frozen=True)
class Rule:
    """Store ``tensors`` (llama.cpp names: attn_v, ffn_down, attn_output) of ``layers`` in ``format``."""
    tensors: tuple[str, ...]
    layers: str
    format: str
    min_gqa: int = 0


@dataclasses.dataclass(frozen=True)
class Layout:
    """Which format each kind of weight tensor is stored in under a quantization scheme."""
    linear: str
    embedding: str
    lm_head: str
    other: str
    rules: tuple[Rule, ...] = ()


@dataclasses.dataclass(frozen=True)
class NumberFormat:
    id: str
    label: str
    bits_per_value: float
    description: str
    source: str
    aliases: tuple[str, ...] = ()
    kind: str = "format"
    layout: Layout | None = None
    #: Tensor cores multiply it directly: a matmul in this format needs no dequantization work.
    tensor_core_native: bool = False
    #: The runtime whose files use it (``llama.cpp`` for GGUF), None for formats transformers loads.
    runtime: str | None = None
    #: Bits of one scale stored per output row of a quantized matrix, beyond ``bits_per_value``.
    row_scale_bits: int = 0
    #: A runtime can store the KV cache in it (schemes and GGUF mixes are weight formats only).
    kv_cache: bool = False
    #: Values per row a block spans (256 for k-quants); a tensor whose rows are not a multiple is stored in
    #: ``incompatible_fallback`` instead, as llama-quant.cpp does.
    row_multiple: int = 0
    incompatible_fallback: str | None = None

    @property
    def bytes_per_value(self) -> float:
        return self.bits_per_value / 8


def _layout(record) -> Layout | None:
    if not record:
        return None
    rules = tuple(Rule(tensors=tuple(r["tensors"]), layers=r["layers"], format=r["format"],
                       min_gqa=int(r.get("min_gqa", 0))) for r in record.get("rules", ()))
    return Layout(linear=record["linear"], embedding=record["embedding"], lm_head=record["lm_head"],
                  other=record["other"], rules=rules)


@functools.cache
def all_formats() -> dict[str, NumberFormat]:
    """Every known format by id, in catalog order."""
    records = data.load("number_formats.json")["formats"]
    return {r["id"]: NumberFormat(id=r["id"], label=r["label"], bits_per_value=float(r["bits_per_value"]),
                                  description=r["description"], source=r["source"],
                                  aliases=tuple(r.get("aliases", ())), kind=r.get("kind", "format"),
                                  layout=_layout(r.get("layout")),
                                  tensor_core_native=bool(r.get("tensor_core_native", False)),
                                  runtime=r.get("runtime"), row_scale_bits=int(r.get("row_scale_bits", 0)),
                                  kv_cache=bool(r.get("kv_cache", False)),
                                  row_multiple=int(r.get("row_multiple", 0)),
                                  incompatible_fallback=r.get("incompatible_fallback"))
            for r in records}


def get_kv_cache(format_id: str, *, field: str = "kv_format") -> NumberFormat:
    """A format the KV cache can be stored in (``kv_cache`` in the catalog), or an error naming ``field``."""
    fmt = get(format_id, field=field)
    if not fmt.kv_cache:
        usable = ", ".join(f.id for f in all_formats().values() if f.kv_cache)
        raise InputError(field, f"{fmt.id} is a weight format, not a KV-cache format; use one of: {usable}")
    return fmt


def get(format_id: str, *, field: str = "format") -> NumberFormat:
    """Look a format up by id or alias (case-insensitive)."""
    if not isinstance(format_id, str):
        raise InputError(field, f"expected a format name, got {type(format_id).__name__}")
    wanted = format_id.strip().lower()
    for fmt in all_formats().values():
        if wanted == fmt.id or wanted in fmt.aliases:
            return fmt
    known = ", ".join(all_formats())
    shown = format_id if len(format_id) <= 40 else format_id[:40] + "…"
    raise InputError(field, f"unknown number format {shown!r}; known: {known}")
