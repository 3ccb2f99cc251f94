"""Scenario records (the gpu-truth JSONL format) to results: one handler per ``kind``.

``HANDLERS`` maps a kind to a function ``record dict -> JSON-ready dict``; another
calculator adds its kind with one entry (``HANDLERS["linear_decode_step"] = ...``).
Measured fields in a record (``baseline``, ``after_*``, ``steps``…) are ignored.
"""

from calculators.catalogs import models
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.memory import InferenceSetup, TrainingSetup, estimate_inference, estimate_training
from calculators.scenarios import speed as speed_scenario

#: Largest record accepted, in top-level keys.
MAX_KEYS = 200


def _common(record: dict):
    label, arch = models.resolve(record.get("model"), record.get("config"))
    return label, arch


def _dtype(value) -> str:
    names = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32", "half": "fp16", "float": "fp32"}
    if not isinstance(value, str):
        raise InputError("dtype", "expected a dtype name such as bfloat16")
    return names.get(value.strip().lower(), value.strip().lower())


def inference(record: dict) -> dict:
    """Peak memory of prefill + decode (see ``calculators.memory.inference``)."""
    label, arch = _common(record)
    dtype = _dtype(record.get("dtype", "bfloat16"))
    quant = record.get("quant") or record.get("weight_format") or dtype
    setup = InferenceSetup(
        batch=record.get("batch", 1), prompt_tokens=record.get("seq", 2048), new_tokens=record.get("new_tokens", 1),
        weight_format=quant, compute_dtype=dtype if dtype in ("bf16", "fp16", "fp32") else "bf16",
        kv_dtype=record.get("kv_dtype"), attn=record.get("attn", "sdpa"),
        logits_to_keep=record.get("logits_to_keep", 1) if record.get("logits_to_keep") is not None else 1,
        runtime=record.get("runtime", "transformers"), gpu_memory_bytes=record.get("gpu_memory_bytes"),
        gpu_memory_utilization=record.get("gpu_memory_utilization"),
        max_num_batched_tokens=record.get("max_num_batched_tokens"))
    result = estimate_inference(arch, setup).as_dict()
    return {"model": label, "n_params": arch.n_params, **result}


def _targets(value):
    """A list of module names as a tuple; text ("q_proj,v_proj") and anything else go to the check as they are."""
    return tuple(value) if isinstance(value, list) else value


def training(record: dict) -> dict:
    """Peak memory of a training step (see ``calculators.memory.training``)."""
    label, arch = _common(record)
    lora = record.get("lora") or {}
    if not isinstance(lora, dict):
        raise InputError("lora", "expected an object with r and targets")
    mode = record.get("mode", "mixed")
    setup = TrainingSetup(
        batch=record.get("batch", 1), seq=record.get("seq", 2048), mode=mode,
        optimizer=record.get("optimizer", "adamw"), grad_ckpt=bool(record.get("grad_ckpt", False)),
        lora_rank=lora.get("r", 16 if mode in ("lora", "qlora") else 0),
        lora_targets=_targets(lora.get("targets", ("q_proj", "k_proj", "v_proj", "o_proj"))),
        qlora_format=record.get("qlora_format", "nf4-dq"), zero_stage=record.get("zero_stage", 0),
        num_gpus=record.get("num_gpus", 1), attn=record.get("attn", "sdpa"))
    result = estimate_training(arch, setup).as_dict()
    return {"model": label, "n_params": arch.n_params, **result}


HANDLERS = {
    "inference": inference,
    "training": training,
    "linear_decode_step": speed_scenario.estimate,
}


def run(record) -> dict:
    """Dispatch one scenario record on its ``kind``."""
    if not isinstance(record, dict):
        raise InputError("scenario", f"expected a JSON object, got {type(record).__name__}")
    if len(record) > MAX_KEYS:
        raise InputError("scenario", f"has more than {MAX_KEYS} keys")
    kind = record.get("kind")
    if not isinstance(kind, str):
        raise InputError("kind", f"is required; one of: {', '.join(HANDLERS)}")
    handler = HANDLERS.get(kind)
    if handler is None:
        validate.choice("kind", kind, tuple(HANDLERS))
    return handler(record)
