"""The KV cache llama.cpp (or its fork ik_llama.cpp) allocates: cells per layer, K and V widths, per device.

Which cache a build keeps for sliding-window and MLA layers is data (``runtimes.json``, ``llama_cpp.forks``),
with the evidence for each rule; a new build generation is a data entry.
"""

import dataclasses
import math

from calculators.architectures import Architecture
from calculators.architectures.layers import LatentAttention, LocalAttention
from calculators.core.caveats import Caveat
from calculators.core.errors import InputError


@dataclasses.dataclass(frozen=True)
class KvCache:
    """K and V bytes per device, and what the rules chose."""

    k_bytes: dict        # device -> bytes
    v_bytes: dict
    latent_cache: str | None   # the MLA rule applied (None for models without MLA)
    caveats: tuple[Caveat, ...] = ()

    @property
    def total_bytes(self) -> float:
        return sum(self.k_bytes.values()) + sum(self.v_bytes.values())

    def device_bytes(self, device) -> float:
        return self.k_bytes.get(device, 0.0) + self.v_bytes.get(device, 0.0)


def mla_cache_rule(fork: dict, fork_name: str, build: int | None, mla_mode: int | None) -> tuple[str, list[Caveat]]:
    """The MLA cache a build keeps: per-head K/V, the latent as K and V, or the latent alone."""
    caveats: list[Caveat] = []
    if "mla_cache_by_mode" in fork:  # ik_llama.cpp: the -mla option chooses
        mode = fork["mla_default_mode"] if mla_mode is None else mla_mode
        rule = fork["mla_cache_by_mode"].get(str(mode))
        if rule is None:
            raise InputError("mla_mode", f"{fork_name} knows -mla {', '.join(fork['mla_cache_by_mode'])}; got {mode}")
        if mla_mode is None:
            caveats.append(Caveat("mla_mode_default", f"-mla not given: {fork_name}'s -mla {mode} is assumed; "
                                                      "its default differs between builds"))
        return rule, caveats
    if mla_mode not in (None, 0, 1):
        raise InputError("mla_mode", f"-mla modes are ik_llama.cpp's; {fork_name} has none")
    rules = fork["mla_cache_by_build"]
    if build is None:
        caveats.append(Caveat("build_unknown", f"build not given: current {fork_name} is assumed, whose MLA cache "
                                               "holds the latent as K only (older builds also keep a V cache)"))
        return fork["mla_cache_newest"]["cache"], caveats
    chosen = [r for r in rules if r["from_build"] <= build][-1]
    if chosen is rules[-1]:
        caveats.append(Caveat("build_rule_uncertain", f"build {build}: the MLA cache is modelled with K and V; "
                                                      "builds from early 2026 on keep only K (half the size)"))
    return chosen["cache"], caveats


def widths(layer, rule: str | None, flash_attention: bool) -> tuple[int, int]:
    """Values per cell of the K and of the V cache for one layer."""
    if not isinstance(layer, LatentAttention) or rule in (None, "full_heads"):
        return layer.k_dim, layer.v_dim
    latent = layer.latent_width
    if rule == "latent_k" or (rule == "latent_k_and_v_without_fa" and flash_attention):
        return latent, 0
    return latent, latent - layer.rope_width


def cells(layer, context: int, n_ubatch: int, pad: int, sequences: int, own_window_cache: bool) -> int:
    """Cells one layer gets: the padded context, or a local layer's own smaller cache
    (``min(n_ctx, GGML_PAD(n_swa * n_seq_max + n_ubatch, n_pad))``)."""
    if not own_window_cache or not isinstance(layer, LocalAttention) or not layer.span:
        return context
    return min(context, math.ceil((layer.span * sequences + n_ubatch) / pad) * pad)


def kv_cache(arch: Architecture, *, fork_name: str, fork: dict, build: int | None, mla_mode: int | None,
             context: int, n_ubatch: int, pad: int, sequences: int, swa_full: bool, flash_attention: bool,
             k_bytes_per_value: float, v_bytes_per_value: float, layer_devices) -> KvCache:
    """K and V bytes per device for ``sequences`` sequences sharing a ``context``-cell cache."""
    caveats: list[Caveat] = []
    rule = None
    if any(isinstance(layer, LatentAttention) for layer in arch.attention):
        rule, caveats = mla_cache_rule(fork, fork_name, build, mla_mode)
    own_window = fork["sliding_window_cache"] == "own" and not swa_full
    k_out: dict = {}
    v_out: dict = {}
    for layer, device in zip(arch.attention, layer_devices):
        n = cells(layer, context, n_ubatch, pad, sequences, own_window)
        k, v = widths(layer, rule, flash_attention)
        k_out[device] = k_out.get(device, 0.0) + n * k * k_bytes_per_value
        v_out[device] = v_out.get(device, 0.0) + n * v * v_bytes_per_value
    return KvCache(k_bytes=k_out, v_bytes=v_out, latent_cache=rule, caveats=tuple(caveats))
