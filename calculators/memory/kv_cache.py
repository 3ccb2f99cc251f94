"""KV-cache size of one model: per token, per sequence and per batch, the kind of attention that sets it,
and how many sequences a memory pool holds."""

import dataclasses

from calculators import data
from calculators.architectures import Architecture
from calculators.architectures.layers import LOCAL_KINDS
from calculators.catalogs import formats
from calculators.core import validate


@dataclasses.dataclass(frozen=True)
class KvCacheSize:
    bytes_per_value: float
    tokens: int
    batch: int
    bytes_per_token: float      # what one more token adds while every layer still keeps it
    bytes_per_sequence: float   # one sequence of ``tokens`` tokens (sliding-window layers capped)
    latent: bool                # MLA layers store the compressed latent, as serving runtimes do

    @property
    def bytes_per_batch(self) -> float:
        return self.bytes_per_sequence * self.batch


def kv_cache_size(arch: Architecture, *, context_tokens: int, batch: int = 1, kv_format: str = "bf16",
                  latent: bool = True) -> KvCacheSize:
    """Cache of ``batch`` sequences of ``context_tokens`` tokens stored in ``kv_format``."""
    tokens = validate.integer("context_tokens", context_tokens, minimum=1, maximum=validate.MAX_SEQUENCE_TOKENS)
    batch = validate.integer("batch", batch, minimum=1, maximum=validate.MAX_BATCH)
    b = formats.get_kv_cache(kv_format).bytes_per_value
    return KvCacheSize(bytes_per_value=b, tokens=tokens, batch=batch,
                       bytes_per_token=arch.kv_bytes_per_token(b, latent=latent),
                       bytes_per_sequence=arch.kv_cache_bytes(1, tokens, b, latent=latent), latent=latent)


def paged_block_tokens() -> int:
    """Tokens per cache block in vLLM (its default ``block_size``, from ``data/runtimes.json``)."""
    return int(data.load("runtimes.json")["vllm"]["block_size"])


def paged_sequence_values(arch: Architecture, tokens: int, *, latent: bool = True,
                          block_tokens: int | None = None) -> int:
    """Values one sequence's cache holds in a paged runtime: each layer's kept tokens rounded up to whole
    blocks (MLA layers as their latent, as serving runtimes store them)."""
    block = paged_block_tokens() if block_tokens is None else block_tokens
    return sum(layer.cache_values(tokens, latent=latent, block_tokens=block) for layer in arch.attention)


def paged_sequence_bytes(arch: Architecture, tokens: int, bytes_per_value: float, *, latent: bool = True) -> float:
    """One sequence's cache in a paged runtime, in bytes (see :func:`paged_sequence_values`)."""
    return paged_sequence_values(arch, tokens, latent=latent) * bytes_per_value


def sequences_that_fit(arch: Architecture, pool_bytes: float, tokens: int, bytes_per_value: float, *,
                       latent: bool = True) -> int:
    """Whole sequences of ``tokens`` tokens a KV pool of ``pool_bytes`` holds at once."""
    per_sequence = paged_sequence_bytes(arch, tokens, bytes_per_value, latent=latent)
    return int(max(pool_bytes, 0) // per_sequence) if per_sequence else 0


def attention_kind(arch: Architecture) -> str:
    """The attention that sets the cache size, in words: MHA, GQA, MQA or MLA, and sliding/hybrid layers."""
    sharing = arch.kv_sharing
    if sharing == "MLA":
        latent = max(layer.latent_dim for layer in arch.attention)
        text = f"MLA (multi-head latent attention): one {latent}-value latent per token and layer"
    elif sharing == "MHA":
        text = f"MHA (multi-head attention): {arch.num_kv_heads} key-value heads, one per query head"
    elif sharing == "MQA":
        text = f"MQA (multi-query attention): 1 key-value head for {arch.num_heads} query heads"
    else:
        text = (f"GQA (grouped-query attention): {arch.num_kv_heads} key-value heads for {arch.num_heads} "
                f"query heads")
    for kind in LOCAL_KINDS.values():
        local = [layer for layer in arch.attention if isinstance(layer, kind)]
        if not local:
            continue
        shown = " or ".join(f"{span:,}" for span in sorted({layer.span for layer in local if layer.span}))
        if len(local) == len(arch.attention):
            text += f"; {kind.label} of {shown} tokens in every layer"
        else:
            text += (f"; hybrid: {len(local)} of {len(arch.attention)} layers use a {kind.label} of "
                     f"{shown} tokens, the others attend to the whole context")
    return text
