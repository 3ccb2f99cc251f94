"""The batch-size widget agrees with the speed engine's decode step."""

from calculators.catalogs import models
from calculators.core.units import format_rate
from calculators.speed import decode_step
from tests.calculators.widgets.support import run


def test_batch_size_compares_with_batch_one():
    out = run("batch-size", model="llama-3.1-8b", gpu="h100-sxm", batch="64", context="2000")
    arch = models.resolve("llama-3.1-8b")[1]
    step = decode_step(arch, "h100-sxm", batch=64, context_tokens=2000)
    assert out["total"] == format_rate(step.tokens_per_s_total)
    assert out["per_user"] == format_rate(step.tokens_per_s_per_user)
    assert out["compare"].startswith("Against a batch of 1")
