"""The ``linear_decode_step`` scenario of ``python -m calculators estimate --json CASE.json``.

CASE: ``{"kind": "linear_decode_step", "gpu": "NVIDIA H200", "model": "llama-3.1-8b",
"config": {...config.json values...}, "dtype": "bfloat16", "batch": 64}``; the answer's
``step_seconds`` is the time to apply every nn.Linear of the model once to ``batch`` rows.
"""

import dataclasses

from calculators.catalogs import gpus, models
from calculators.core.errors import InputError
from calculators.speed.decode import linear_decode_step

KIND = "linear_decode_step"


def estimate(case: dict) -> dict:
    """JSON-ready answer for one case (fields of :class:`LinearDecodeStep` plus the inputs understood)."""
    if not isinstance(case, dict):
        raise InputError("case", "expected a JSON object")
    if "batch" not in case:
        raise InputError("batch", "is required")
    config = case.get("config")
    if config is None and not case.get("model"):
        raise InputError("config", "give the model's config.json values (or a catalog model name)")
    _, arch = models.resolve(case.get("model"), config)
    gpu = gpus.get(case.get("gpu", ""), field="gpu")
    try:
        step = linear_decode_step(arch, gpu, batch=case["batch"], weight_format=case.get("dtype", "bfloat16"))
    except InputError as error:
        raise error.renamed({"weight_format": "dtype"}) from None
    answer = {"kind": KIND, "model": case.get("model"), "gpu": gpu.id, "gpu_name": gpu.name}
    answer.update(dataclasses.asdict(step))
    return answer
