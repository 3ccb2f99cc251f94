"""The prefill-decode widget splits a request as the speed engine does."""

from calculators.catalogs import models
from calculators.core.units import format_duration
from calculators.speed import request
from tests.calculators.widgets.support import run


def test_prefill_decode_splits_the_request():
    out = run("prefill-decode", model="llama-3.1-8b", gpu="rtx-4090", prompt="4000", output="500")
    arch = models.resolve("llama-3.1-8b")[1]
    req = request(arch, "rtx-4090", prompt_tokens=4000, output_tokens=500)
    assert out["ttft"] == format_duration(req.ttft_seconds) and out["total"] == format_duration(req.total_seconds)
    assert "<title" in out["chart"] and "Prefill (time to first token)" in out["chart"]
