"""Memory scenario records (``kind`` ``inference`` or ``training``, the gpu-truth JSONL format) to results."""

from calculators.catalogs import models
from calculators.core.errors import InputError
from calculators.memory import InferenceSetup, TrainingSetup, estimate_inference, estimate_training
from calculators.memory.precision import RECORD_MODE_NAMES
from calculators.memory.setup import COMPUTE_DTYPES, DTYPE_NAMES


def _dtype(value) -> str:
    if not isinstance(value, str):
        raise InputError("dtype", "expected a dtype name such as bfloat16")
    return DTYPE_NAMES.get(value.strip().lower(), value.strip().lower())


#: Engine argument -> the record key it comes from, so errors name what the record says.
INFERENCE_KEYS = {"prompt_tokens": "seq", "kv_format": "kv_dtype", "compute_dtype": "dtype"}
TRAINING_KEYS = {"context_tokens": "seq", "lora_rank": "lora.r", "lora_targets": "lora.targets"}


def inference(record: dict) -> dict:
    """Peak memory of prefill + decode (see ``calculators.memory.inference``)."""
    label, arch = models.resolve(record.get("model"), record.get("config"))
    dtype = _dtype(record.get("dtype", "bfloat16"))
    quant = record.get("quant") or record.get("weight_format") or dtype
    setup = InferenceSetup(
        batch=record.get("batch", 1), prompt_tokens=record.get("seq", 2048), new_tokens=record.get("new_tokens", 1),
        weight_format=quant, compute_dtype=dtype if dtype in COMPUTE_DTYPES else "bf16",
        kv_format=record.get("kv_dtype"), attn=record.get("attn", "sdpa"),
        logits_to_keep=record.get("logits_to_keep", 1) if record.get("logits_to_keep") is not None else 1,
        runtime=record.get("runtime", "transformers"), gpu_memory_bytes=record.get("gpu_memory_bytes"),
        gpu_memory_utilization=record.get("gpu_memory_utilization"),
        max_num_batched_tokens=record.get("max_num_batched_tokens"))
    weights_key = next((key for key in ("quant", "weight_format") if record.get(key)), "dtype")
    try:
        result = estimate_inference(arch, setup).as_dict()
    except InputError as error:
        raise error.renamed({**INFERENCE_KEYS, "weight_format": weights_key}) from None
    return {"model": label, "n_params": arch.n_params, **result}


def _targets(value):
    """A list of module names as a tuple; text ("q_proj,v_proj") and anything else go to the check as they are."""
    return tuple(value) if isinstance(value, list) else value


def training(record: dict) -> dict:
    """Peak memory of a training step (see ``calculators.memory.training``)."""
    label, arch = models.resolve(record.get("model"), record.get("config"))
    lora = record.get("lora") or {}
    if not isinstance(lora, dict):
        raise InputError("lora", "expected an object with r and targets")
    mode = record.get("mode", "mixed")
    mode = RECORD_MODE_NAMES.get(mode, mode) if isinstance(mode, str) else mode
    setup = TrainingSetup(
        batch=record.get("batch", 1), context_tokens=record.get("seq", 2048), mode=mode,
        optimizer=record.get("optimizer", "adamw"), grad_ckpt=bool(record.get("grad_ckpt", False)),
        lora_rank=lora.get("r", 16 if mode in ("lora", "qlora") else 0),
        lora_targets=_targets(lora.get("targets", ("q_proj", "k_proj", "v_proj", "o_proj"))),
        qlora_format=record.get("qlora_format", "nf4-dq"), zero_stage=record.get("zero_stage", 0),
        num_gpus=record.get("num_gpus", 1), attn=record.get("attn", "sdpa"))
    try:
        result = estimate_training(arch, setup).as_dict()
    except InputError as error:
        raise error.renamed(TRAINING_KEYS) from None
    return {"model": label, "n_params": arch.n_params, **result}
