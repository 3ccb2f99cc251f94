"""Ollama's defaults on top of llama.cpp: the context it asks for, its parallel slots, flash attention, the KV
cache type, and how many whole layers it offloads, per Ollama release.

The rules are data (``runtimes.json``, ``ollama``), each with the file and commit of the ollama/ollama repository it
was read from; the memory itself is llama.cpp's model (:mod:`calculators.memory.runtimes.llama_cpp`).
"""

import dataclasses
import re

from calculators.core.errors import InputError
from calculators.memory.setup import runtime_data

GIB = 2**30
_VERSION = re.compile(r"^v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?(?:[-+].*)?$")


@dataclasses.dataclass(frozen=True)
class OllamaDefaults:
    """What an Ollama release runs a model with when the reader sets nothing."""

    version: str
    num_ctx: int              # tokens per slot
    num_parallel: int         # slots
    fallback_parallel: int | None   # slots it retries with when the model does not fit with num_parallel
    flash_attention: str      # "off", "on" or "auto" (on where the GPU supports it)
    kv_cache_type: str        # llama.cpp cache type
    num_batch: int
    sources: tuple[str, ...]

    @property
    def context_cells(self) -> int:
        """The n_ctx Ollama asks llama.cpp for: every slot's context."""
        return self.num_ctx * self.num_parallel

    def with_fallback(self) -> "OllamaDefaults":
        """The same, with the slots it falls back to when the model does not fit (itself when there is none)."""
        if not self.fallback_parallel:
            return self
        return dataclasses.replace(self, num_parallel=self.fallback_parallel, fallback_parallel=None)


def parse_version(text) -> tuple[int, int, int]:
    match = _VERSION.match(str(text).strip()) if text is not None else None
    if not match:
        raise InputError("ollama_version", f"expected a release such as 0.32.15, got {str(text)[:20]!r}")
    return tuple(int(part or 0) for part in match.groups())


def _rule(rules: list[dict], version: tuple[int, int, int]) -> dict:
    return [r for r in rules if parse_version(r["from_version"]) <= version][-1]


def defaults(version: str | None, *, total_vram_bytes: float, trained_context: int | None,
             model_type: str = "") -> OllamaDefaults:
    """Ollama ``version``'s defaults (None: the newest release known here) on GPUs of ``total_vram_bytes`` in all."""
    data = runtime_data()["ollama"]
    text = version or data["latest_known_version"]
    release = parse_version(text)
    context_rule = _rule(data["context_rules"], release)
    if "num_ctx_by_total_vram_gib" in context_rule:
        num_ctx = next(ctx for gib, ctx in context_rule["num_ctx_by_total_vram_gib"] if total_vram_bytes >= gib * GIB)
    else:
        num_ctx = context_rule["num_ctx"]
    if trained_context and release >= parse_version(data["cap_at_trained_context_from_version"]):
        num_ctx = min(num_ctx, trained_context)
    parallel_rule = _rule(data["parallel_rules"], release)
    fa_rule = _rule(data["flash_attention_rules"], release)
    flash = fa_rule["default"]
    if flash == "per model":
        flash = "on" if model_type in fa_rule.get("models", ()) else "off"
    kv = data["kv_cache_type"]["default"]
    sources = (context_rule["source"], parallel_rule["source"], fa_rule["source"])
    return OllamaDefaults(version=text, num_ctx=num_ctx, num_parallel=parallel_rule["num_parallel"],
                          fallback_parallel=parallel_rule.get("fallback"),
                          flash_attention=flash, kv_cache_type=kv, num_batch=data["num_batch"], sources=sources)


def minimum_free_bytes(backend: str) -> float:
    """Memory Ollama leaves free on each GPU (``MinimumMemory``)."""
    table = runtime_data()["ollama"]["minimum_free_bytes"]
    return float(table.get(backend, table["CUDA"]))
