"""The decode-bound widget: memory bandwidth over the bytes one token reads, as the speed engine computes it."""

import re

from calculators.catalogs import gpus, models
from calculators.core.units import format_rate
from calculators.speed import decode_ceiling
from tests.calculators.widgets.support import run


def test_decode_bound_is_bandwidth_over_bytes():
    out = run("decode-bound", gpu="h100-sxm", model="llama-3.1-8b", weights="bf16")
    arch = models.resolve("llama-3.1-8b")[1]
    bound = decode_ceiling(arch, gpus.get("h100-sxm"))
    assert out["ceiling"] == format_rate(bound.ceiling_tokens_per_s)
    assert "3.35 TB/s" in out["how"]
    faster = run("decode-bound", gpu="h100-sxm", model="llama-3.1-8b", weights="int4")
    assert int(re.sub(r"\D", "", faster["ceiling"])) > 3 * int(re.sub(r"\D", "", out["ceiling"]))
