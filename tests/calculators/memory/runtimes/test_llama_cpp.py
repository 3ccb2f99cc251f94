"""The llama.cpp runtime: token embeddings on the host, a KV cache padded to whole blocks."""

import pytest

from tests.calculators.memory.support import LLAMA8, est


def test_llama_cpp_keeps_embeddings_on_the_host():
    result = est(runtime="llama.cpp", weight_format="q4_k_m", prompt_tokens=4000)
    from calculators.memory.weights import weight_bytes
    w = weight_bytes(LLAMA8, "q4_k_m")
    assert result.component("weights") == pytest.approx(w.total_bytes - w.role_bytes("embedding"))
    assert result.component("kv_cache") == 4096 * 128 * 1024  # padded to 256 tokens
