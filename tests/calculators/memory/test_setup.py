"""The inference setup: inputs checked by field, the eager fallback and the warnings every runtime shares."""

import pytest

from calculators.catalogs.models import resolve
from calculators.core.errors import InputError
from tests.calculators.memory.support import est


def test_long_context_beyond_the_model_warns():
    assert "beyond_max_position" in [w.code for w in est(resolve("phi-3-mini-4k")[1], prompt_tokens=8192).warnings]


@pytest.mark.parametrize("field, kw", [
    ("batch", {"batch": 0}), ("batch", {"batch": -3}), ("batch", {"batch": 10**12}),
    ("prompt_tokens", {"prompt_tokens": 0}), ("prompt_tokens", {"prompt_tokens": "lots"}),
    ("prompt_tokens", {"prompt_tokens": 1e30}), ("weight_format", {"weight_format": "q9_k"}),
    ("weight_format", {"weight_format": "q4_k"}), ("kv_format", {"kv_format": "fp7"}),
    ("attn", {"attn": "magic"}), ("runtime", {"runtime": "tgi"}), ("compute_dtype", {"compute_dtype": "int8"}),
    ("logits_to_keep", {"logits_to_keep": -1}),
    ("gpu_memory_utilization", {"runtime": "vllm", "gpu_memory_utilization": 1.5}),
    ("gpu_memory_utilization", {"runtime": "transformers", "gpu_memory_utilization": 0.9}),
])
def test_bad_inputs_name_their_field(field, kw):
    with pytest.raises(InputError) as caught:
        est(**kw)
    assert caught.value.field == field


def test_models_without_sdpa_fall_back_to_eager_with_a_warning():
    oss = resolve("gpt-oss-20b")[1]  # transformers 5.17: GptOssPreTrainedModel._supports_sdpa = False
    sdpa = est(oss, prompt_tokens=4096)
    eager = est(oss, prompt_tokens=4096, attn="eager")
    flash = est(oss, prompt_tokens=4096, attn="flash_attention_2")
    assert sdpa.peak_allocated_bytes == eager.peak_allocated_bytes > flash.peak_allocated_bytes
    assert "no_sdpa" in [w.code for w in sdpa.warnings]
