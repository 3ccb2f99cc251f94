"""Training memory of a Hugging Face causal LM step: model states, saved activations, loss logits.

Mechanisms (PyTorch eager, transformers' decoder code, ``labels=input_ids``):

* model states: weights, gradients (created in backward), optimizer states (created at the
  first ``step()``), and the optimizer's own temporaries during ``step()``;
* saved activations: what autograd keeps for backward, layer by layer (or only each layer's
  input with gradient checkpointing, plus one layer recomputed during backward);
* autocast weight copies: with fp32 weights, every matmul weight is cast to bf16 once per
  forward and cached until autocast exits (saved for backward when nothing is recomputed);
* loss: logits for every position, upcast to fp32, and log-softmax saved; its backward holds
  two more fp32 tensors of the same size.
"""

import dataclasses

from calculators.architectures import Architecture
from calculators.catalogs import formats
from calculators.core import validate
from calculators.core.caveats import Caveat
from calculators.core.errors import InputError
from calculators.memory import forward, optimizers, precision, saved_activations
from calculators.memory.lora import lora_params
from calculators.memory.result import Facts, MemoryEstimate, make_estimate
from calculators.memory.setup import eager_fallback, runtime_data
from calculators.memory.weights import weight_bytes

MODES = tuple(precision.TRAINING)
FP32 = 4
BF16 = 2


@dataclasses.dataclass(frozen=True)
class TrainingSetup:
    """One training configuration. ``mode``: amp (fp32 weights + bf16 autocast), bf16 (pure bf16),
    fp32, lora (bf16 frozen base + fp32 adapters), qlora (4-bit base + fp32 adapters)."""

    batch: int = 1
    context_tokens: int = 2048
    mode: str = "amp"
    optimizer: str = "adamw"
    grad_ckpt: bool = False
    lora_rank: int = 0
    lora_targets: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")
    qlora_format: str = "nf4-dq"
    zero_stage: int = 0
    num_gpus: int = 1
    attn: str = "sdpa"


def check(setup: TrainingSetup, arch: Architecture) -> TrainingSetup:
    """Validated copy; each bad value raises InputError naming its field."""
    mode = validate.choice("mode", str(setup.mode), MODES)
    rank = validate.integer("lora_rank", setup.lora_rank, minimum=0, maximum=1 << 16)
    if mode in ("lora", "qlora") and rank < 1:
        raise InputError("lora_rank", "must be at least 1 for LoRA/QLoRA")
    targets = setup.lora_targets
    if isinstance(targets, str):
        targets = tuple(t.strip() for t in targets.split(",") if t.strip())
    if not isinstance(targets, (tuple, list)) or not all(isinstance(t, str) for t in targets):
        raise InputError("lora_targets", "expected a list of module names")
    targets = tuple(targets)
    if mode in ("lora", "qlora"):
        known = {t.module for t in arch.tensors if t.is_linear and t.layer is not None}
        if "all-linear" in targets:
            targets = tuple(sorted(known))
        unknown = [t for t in targets if t not in known]
        if not targets or unknown:
            raise InputError("lora_targets", f"unknown module(s) {', '.join(unknown) or '(none)'}; "
                                             f"this model has: {', '.join(sorted(known))}")
    if not isinstance(setup.grad_ckpt, bool):
        raise InputError("grad_ckpt", "expected true or false")
    zero = validate.integer("zero_stage", setup.zero_stage, minimum=0, maximum=3)
    gpus = validate.integer("num_gpus", setup.num_gpus, minimum=1, maximum=validate.MAX_GPUS)
    qfmt = formats.get(setup.qlora_format, field="qlora_format").id
    attn = validate.choice("attn", str(setup.attn), ("sdpa", "flash_attention_2", "eager"))
    return dataclasses.replace(
        setup, batch=validate.integer("batch", setup.batch, minimum=1, maximum=validate.MAX_BATCH),
        context_tokens=validate.integer("context_tokens", setup.context_tokens, minimum=1,
                                        maximum=validate.MAX_CONTEXT_TOKENS), mode=mode,
        optimizer=optimizers.get(setup.optimizer).id, lora_rank=rank, lora_targets=targets,
        zero_stage=zero, num_gpus=gpus, qlora_format=qfmt, attn=attn)


def gathered_params(arch: Architecture) -> float:
    """Weights ZeRO-3/FSDP holds whole at its peak: the layer being computed and the next one, prefetched.

    The largest sum of two neighbouring layers, not twice the largest: in a model whose layers differ (dense
    layers before MoE ones) the giant layer's neighbour is gathered with it, not a second copy of it."""
    sizes = [layer.params for layer in arch.layers]
    if len(sizes) == 1:
        return float(sizes[0])
    return float(max(a + b for a, b in zip(sizes, sizes[1:])))


def estimate_training(arch: Architecture, setup: TrainingSetup) -> MemoryEstimate:
    """Peak memory of a training step (the second step: optimizer states already exist)."""
    setup = eager_fallback(arch, check(setup, arch))
    p = precision.TRAINING[setup.mode]
    n = setup.num_gpus
    tokens = setup.batch * setup.context_tokens
    h, v = arch.hidden_size, arch.vocab_size
    warnings = list(arch.warnings)
    if setup.attn == "eager" and not arch.supports_sdpa:
        warnings.append(Caveat("no_sdpa", f"transformers has no SDPA attention for {arch.model_type}: eager attention "
                                          "is assumed"))

    # Model states.
    if setup.mode == "qlora":
        base = weight_bytes(arch, setup.qlora_format).total_bytes
    else:
        base = arch.n_params * p.weight
    lora = setup.mode in ("lora", "qlora")
    trainable = lora_params(arch, setup.lora_rank, setup.lora_targets) if lora else arch.n_params
    grad_bytes = FP32 if lora else p.weight
    weights = base
    adapters = trainable * FP32 if lora else 0.0
    opt = optimizers.get(setup.optimizer)
    state_bytes = opt.state_bytes(arch, trainable, FP32 if lora else p.weight, lora=lora)
    temp_bytes = opt.step_temp_bytes(arch, trainable, FP32 if lora else p.weight, lora=lora)
    gradients = trainable * grad_bytes
    if setup.zero_stage >= 1 and n > 1:
        state_bytes /= n
        temp_bytes /= n
    if setup.zero_stage >= 2 and n > 1:
        gradients /= n
    if setup.zero_stage >= 3 and n > 1:
        stored = base / arch.n_params  # bytes per weight as stored (the quantized base under QLoRA)
        weights = weights / n + gathered_params(arch) * stored
    if setup.zero_stage and n == 1:
        warnings.append(Caveat("nothing_sharded", "ZeRO/FSDP sharding needs more than one GPU; num_gpus is 1, "
                                                  "nothing is sharded"))

    # Activations saved for backward.
    targets = frozenset(setup.lora_targets) if lora else frozenset()
    per_layer = [saved_activations.layer_saved(arch, i, p, targets, setup.lora_rank, setup.attn, setup.context_tokens)
                 for i in range(arch.num_layers)]
    final_norm = saved_activations.final_norm_saved(arch, p)
    if setup.grad_ckpt:
        saved_layers = tokens * arch.num_layers * p.residual * h
        recompute = tokens * max(per_layer)
    else:
        saved_layers = tokens * sum(per_layer)
        recompute = 0.0
    saved_layers += tokens * final_norm
    if setup.attn == "sdpa":
        saved_layers += forward.sdpa_mask_bytes(arch, setup.context_tokens, setup.context_tokens)
    head_params = v * h
    casts_forward = BF16 * arch.matmul_params if (p.autocast and p.trainable_base) else 0.0
    casts_saved = casts_forward if not setup.grad_ckpt else (BF16 * head_params if casts_forward else 0.0)

    # Loss: logits of every position, fp32 upcast, log-softmax saved; backward adds two fp32 tensors.
    # Soft-capped logits (Gemma 2: cap * tanh(logits / cap)) also keep the tanh output.
    logit_e = FP32 if p.act == FP32 else BF16
    logits_fp32 = FP32 * tokens * v
    capped = logit_e * tokens * v if arch.logit_softcapping else 0.0
    logits_fwd = logit_e * tokens * v + (logits_fp32 if logit_e != FP32 else 0) + logits_fp32 + capped
    saved_total = saved_layers + casts_saved + logits_fp32 + capped

    states = state_bytes
    fwd = {"weights": weights, "optimizer_states": states, "adapters": adapters,
           "activations": saved_layers + casts_forward, "logits": logits_fwd}
    bwd = {"weights": weights, "optimizer_states": states, "adapters": adapters,
           "activations": saved_layers + casts_saved, "logits": 3 * logits_fp32 + capped}
    candidates = {"forward": fwd, "backward": bwd,
                  "optimizer-step": {"weights": weights, "gradients": gradients, "adapters": adapters,
                                     "optimizer_states": states + temp_bytes}}
    if setup.grad_ckpt:
        head_grad = (head_params * grad_bytes) if p.trainable_base and not arch.tie_word_embeddings else 0.0
        candidates["backward-recompute"] = {
            "weights": weights, "optimizer_states": states, "adapters": adapters, "gradients": head_grad,
            "activations": saved_layers + casts_saved + recompute + 2 * p.act * tokens * arch.intermediate_size}
    phase, alive = max(candidates.items(), key=lambda item: sum(item[1].values()))
    rt = runtime_data()
    non_weight = sum(alive.values()) - weights
    facts = Facts(n_params=arch.n_params, trainable_params=trainable, saved_activation_bytes=saved_total,
                  tokens_per_step=tokens)
    return make_estimate("training", "transformers", alive, context_bytes=rt["cuda_context_bytes"],
                         allocator_bytes=rt["allocator_cache_fraction"] * non_weight, phase=phase,
                         warnings=warnings, facts=facts)
