"""The layers of a decoder, as objects the engines ask instead of computing inline.

A decoder layer is a sequence mixer (the part that looks at other tokens) followed by an MLP (dense, or routed
experts). The mixer answers what the memory and speed models need to know about its state and its work:

* the state it keeps after ``n`` tokens (``cache_values``), which for attention is a key and a value per kept
  token, and how many of those tokens it keeps (``cached_tokens``);
* the key positions a query attends to while decoding (``cached_tokens``) and the query-key pairs of a causal
  prefill (``causal_pairs``), from which both engines count bytes read and FLOPs;
* whether transformers must pass an explicit mask (``masks_keys``), which changes the SDPA kernel it gets.

Attention kinds are subclasses: :class:`Attention` (every past token), the local kinds
:class:`SlidingWindowAttention` (the last ``span`` tokens) and :class:`ChunkedAttention` (fixed chunks), and
:class:`LatentAttention` (DeepSeek's MLA, whose serving runtimes cache a compressed latent). A new local kind is
one subclass here (``LOCAL_KINDS`` picks it up from a config's ``layer_types``) and its tests: see CONTRIBUTING.md.
"""

import dataclasses
import functools
import math
from typing import ClassVar

from calculators.architectures.tensors import Tensor


@dataclasses.dataclass(frozen=True)
class Attention:
    """Softmax attention over every past token (the ``full`` kind).

    ``k_dim``/``v_dim`` are the per-token widths of the key and value caches summed over KV heads, as a
    Hugging Face cache stores them.
    """

    kind: ClassVar[str] = "full"
    n_kv_heads: int
    k_dim: int
    v_dim: int

    @property
    def window(self) -> int | None:
        """Tokens a sliding window keeps (None: every token)."""
        return None

    @property
    def latent_dim(self) -> int:
        """Width of the compressed latent an MLA-aware runtime caches (0 for other kinds)."""
        return 0

    def cached_tokens(self, tokens: int) -> int:
        """Tokens this layer's cache holds after seeing ``tokens`` tokens."""
        return tokens

    def attended_tokens(self, context: int) -> int:
        """Keys a new query reads when ``context`` tokens came before it (decode reads these from the cache)."""
        return self.cached_tokens(context)

    def values_per_token(self, *, latent: bool = False) -> int:
        """Cached values per kept token (keys plus values)."""
        return self.k_dim + self.v_dim

    def cache_values(self, tokens: int, *, latent: bool = False, block_tokens: int = 1) -> int:
        """Values this layer's cache holds after ``tokens`` tokens; a paged runtime rounds the kept tokens up to
        whole blocks of ``block_tokens``."""
        kept = self.cached_tokens(tokens)
        if block_tokens > 1:
            kept = math.ceil(kept / block_tokens) * block_tokens
        return kept * self.values_per_token(latent=latent)

    def causal_pairs(self, tokens: int) -> float:
        """Query-key pairs a causal prefill over ``tokens`` tokens evaluates."""
        return tokens * (tokens + 1) / 2

    def masks_keys(self, kv_len: int) -> bool:
        """Whether transformers passes SDPA an explicit mask for ``kv_len`` keys (only when a window cuts them)."""
        return False

    def decode_flops(self, context: int, query_heads: int, head_dim: int) -> float:
        """FLOPs of one new token attending to ``context`` tokens: a multiply-add for q·k and one for p·v per
        kept key, per query head and head dimension."""
        return 4.0 * self.attended_tokens(context) * query_heads * head_dim

    def prefill_flops(self, tokens: int, query_heads: int, head_dim: int) -> float:
        """FLOPs of a causal prefill over ``tokens`` tokens: the same per query-key pair."""
        return 4.0 * query_heads * head_dim * self.causal_pairs(tokens)

    def decode_read_values(self, context: int, *, latent: bool = False) -> int:
        """Cached values one decode step reads for one sequence with ``context`` tokens before it."""
        return self.attended_tokens(context) * self.values_per_token(latent=latent)


@dataclasses.dataclass(frozen=True)
class LocalAttention(Attention):
    """Attention restricted to a local span of ``span`` tokens. Subclasses name the ``layer_types`` word of
    transformers' configs that selects them and the config key that holds the span."""

    layer_type_word: ClassVar[str] = ""
    span_key: ClassVar[str] = ""
    label: ClassVar[str] = ""
    span: int = 0

    @classmethod
    def from_full(cls, full: Attention, span: int) -> "LocalAttention":
        return cls(full.n_kv_heads, full.k_dim, full.v_dim, span=span)

    @property
    def window(self) -> int | None:
        return self.span or None

    def cached_tokens(self, tokens: int) -> int:
        """The cache keeps the last ``span`` tokens."""
        return min(tokens, self.span) if self.span else tokens

    def masks_keys(self, kv_len: int) -> bool:
        """transformers passes an explicit mask once the local span actually cuts the keys (measured for sliding
        windows; assumed the same for chunked layers, not yet measured)."""
        return bool(self.span) and kv_len >= self.span


@dataclasses.dataclass(frozen=True)
class SlidingWindowAttention(LocalAttention):
    """Attention over the last ``span`` tokens (Mistral, Gemma 2/3 local layers, gpt-oss)."""

    kind: ClassVar[str] = "sliding"
    layer_type_word: ClassVar[str] = "sliding"
    span_key: ClassVar[str] = "sliding_window"
    label: ClassVar[str] = "sliding window"

    def causal_pairs(self, tokens: int) -> float:
        window = self.span
        if window and window < tokens:
            return window * (window + 1) / 2 + (tokens - window) * window
        return super().causal_pairs(tokens)


@dataclasses.dataclass(frozen=True)
class ChunkedAttention(LocalAttention):
    """Attention within fixed chunks of ``span`` tokens: a query sees the keys of its own chunk up to itself
    (Llama 4's local layers, ``attention_chunk_size``). transformers caches the last ``span`` tokens for these
    layers, but a query reads only those of its chunk."""

    kind: ClassVar[str] = "chunked"
    layer_type_word: ClassVar[str] = "chunked"
    span_key: ClassVar[str] = "attention_chunk_size"
    label: ClassVar[str] = "local attention chunk"

    def attended_tokens(self, context: int) -> int:
        return context % self.span if self.span else context

    def causal_pairs(self, tokens: int) -> float:
        if not self.span:
            return super().causal_pairs(tokens)
        full, rest = divmod(tokens, self.span)
        return full * self.span * (self.span + 1) / 2 + rest * (rest + 1) / 2


#: Local attention kinds by the word transformers' ``layer_types`` uses for them ("sliding_attention", …).
LOCAL_KINDS = {cls.layer_type_word: cls for cls in (SlidingWindowAttention, ChunkedAttention)}


@dataclasses.dataclass(frozen=True)
class LatentAttention(Attention):
    """DeepSeek multi-head latent attention: transformers caches full per-head keys and values, while serving
    runtimes (vLLM's MLA backends, llama.cpp with MLA GGUFs) cache one ``latent`` of
    ``kv_lora_rank + qk_rope_head_dim`` values per token."""

    kind: ClassVar[str] = "mla"
    latent_width: int = 0
    #: The part of the latent that is the shared rotary key (``qk_rope_head_dim``); the rest is ``kv_lora_rank``.
    rope_width: int = 0

    @property
    def latent_dim(self) -> int:
        return self.latent_width

    def values_per_token(self, *, latent: bool = False) -> int:
        return self.latent_width if latent else self.k_dim + self.v_dim


@dataclasses.dataclass(frozen=True)
class DecoderLayer:
    """Decoder layer ``index``: its sequence mixer and its parameter tensors (attention, MLP or experts, norms)."""

    index: int
    mixer: Attention
    tensors: tuple[Tensor, ...]

    @property
    def routed(self) -> bool:
        """True when the MLP is routed experts."""
        return any(t.role == "expert" for t in self.tensors)

    @functools.cached_property
    def linears(self) -> dict[str, Tensor]:
        """The layer's linear weights by module name (``q_proj``, ``down_proj``, ``experts.*.gate_up_proj``…)."""
        return {t.module: t for t in self.tensors if t.is_linear}

    @property
    def params(self) -> int:
        return sum(t.total_numel for t in self.tensors)
