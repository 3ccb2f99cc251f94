"""A request: prefill, then decode steps at the mean context; time to first token and per output token."""

import pytest

from calculators.core.errors import InputError
from calculators.speed import decode_step, mean_decode_context, prefill, request


def test_request_is_prefill_then_decode_steps_at_the_mean_context(llama8b):
    r = request(llama8b, "h100-sxm", prompt_tokens=1000, output_tokens=201, batch=4)
    assert r.mean_context_tokens == mean_decode_context(1000, 201) == 1100
    assert r.ttft_seconds == prefill(llama8b, "h100-sxm", prompt_tokens=1000, batch=4).seconds
    step = decode_step(llama8b, "h100-sxm", batch=4, context_tokens=1100)
    assert r.time_per_output_token_seconds == step.step_seconds
    assert r.total_seconds == pytest.approx(r.ttft_seconds + 200 * step.step_seconds)
    assert r.tokens_per_s_total == pytest.approx(4 * r.tokens_per_s_per_user)
    assert 0 < r.prefill_share < 1


def test_request_rejects_empty_output(llama8b):
    with pytest.raises(InputError) as error:
        request(llama8b, "h100-sxm", prompt_tokens=10, output_tokens=0)
    assert error.value.field == "output_tokens"
