"""Ollama's defaults per release, each as the ollama/ollama source line it comes from says."""

import pytest

from calculators.core.errors import InputError
from calculators.memory import ollama

GIB = 2**30


@pytest.mark.parametrize("version, vram_gib, trained, num_ctx", [
    ("0.5.12", 24, 131072, 2048),      # api/types.go@v0.5.12: NumCtx: 2048
    ("0.6.7", 24, 131072, 4096),       # commit 44b466ee: ContextLength = Uint("OLLAMA_CONTEXT_LENGTH", 4096)
    ("0.15.5", 16, 131072, 4096),      # commit 0334ffa6: tiers at 23 and 47 GiB of total VRAM
    ("0.15.5", 24, 131072, 32768),
    ("0.32.15", 80, 131072, 131072),   # 262144 from the tier, lowered to the trained context (commit 10a8e04a)
    ("0.32.15", 80, None, 262144),
    ("0.32.15", 0, 131072, 4096),      # no GPU: a total of 0 is the lowest tier
])
def test_default_context_by_release_and_vram(version, vram_gib, trained, num_ctx):
    assert ollama.defaults(version, total_vram_bytes=vram_gib * GIB, trained_context=trained).num_ctx == num_ctx


@pytest.mark.parametrize("version, slots, fallback", [
    ("0.1.40", 1, None),   # server/sched.go@v0.1.33: var numParallel = 1
    ("0.3.0", 4, 1),       # commit 17b7186c: defaultParallel = 4, then 1
    ("0.7.0", 2, 1),       # commit fe5b9bb2: lower default num parallel to 2
    ("0.10.0", 1, None),   # commit 20c3266e: Reduce default parallelism to 1
])
def test_parallel_slots_multiply_the_context_llama_cpp_is_asked_for(version, slots, fallback):
    chosen = ollama.defaults(version, total_vram_bytes=24 * GIB, trained_context=None)
    assert (chosen.num_parallel, chosen.fallback_parallel) == (slots, fallback)
    assert chosen.context_cells == slots * chosen.num_ctx
    assert chosen.with_fallback().num_parallel == (fallback or slots)


def test_flash_attention_by_release_and_model():
    def fa(version, model_type="llama"):
        return ollama.defaults(version, total_vram_bytes=24 * GIB, trained_context=None,
                               model_type=model_type).flash_attention
    assert fa("0.5.0") == "off"
    assert (fa("0.11.8", "gpt_oss"), fa("0.11.8")) == ("on", "off")   # commit 85ccf735: gpt-oss only
    assert fa("0.13.4") == "auto"                                      # commit bd6c1d6b: auto mode


def test_an_unreadable_release_is_refused_by_name():
    with pytest.raises(InputError) as caught:
        ollama.defaults("latest!", total_vram_bytes=0, trained_context=None)
    assert caught.value.field == "ollama_version"


def test_the_newest_known_release_is_used_when_none_is_given():
    assert ollama.defaults(None, total_vram_bytes=0, trained_context=None).version == "0.32.15"
