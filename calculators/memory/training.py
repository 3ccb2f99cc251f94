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

from calculators import formats, validate
from calculators.architectures import Architecture
from calculators.errors import InputError
from calculators.memory import optimizers
from calculators.memory.inference import eager_fallback, runtime_data
from calculators.memory.result import MemoryEstimate, make_estimate
from calculators.memory.weight_bytes import weight_bytes

MODES = ("mixed", "bf16", "fp32", "lora", "qlora")
ZERO_STAGES = (0, 1, 2, 3)
FP32 = 4
BF16 = 2
MAX_TOKENS = 1 << 24


@dataclasses.dataclass(frozen=True)
class TrainingSetup:
    """One training configuration. ``mode``: mixed (fp32 weights + bf16 autocast), bf16 (pure bf16),
    fp32, lora (bf16 frozen base + fp32 adapters), qlora (4-bit base + fp32 adapters)."""

    batch: int = 1
    seq: int = 2048
    mode: str = "mixed"
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
        known = {t.name.rsplit(".", 2)[-2] for t in arch.tensors if t.is_linear and t.layer is not None}
        if "all-linear" in targets:
            targets = tuple(sorted(known))
        unknown = [t for t in targets if t not in known]
        if not targets or unknown:
            raise InputError("lora_targets", f"unknown module(s) {', '.join(unknown) or '(none)'}; "
                                             f"this model has: {', '.join(sorted(known))}")
    if not isinstance(setup.grad_ckpt, bool):
        raise InputError("grad_ckpt", "expected true or false")
    zero = validate.integer("zero_stage", setup.zero_stage, minimum=0, maximum=3)
    gpus = validate.integer("num_gpus", setup.num_gpus, minimum=1, maximum=100_000)
    qfmt = formats.get(setup.qlora_format, field="qlora_format").id
    attn = validate.choice("attn", str(setup.attn), ("sdpa", "flash_attention_2", "eager"))
    return dataclasses.replace(
        setup, batch=validate.integer("batch", setup.batch, minimum=1, maximum=1 << 20),
        seq=validate.integer("seq", setup.seq, minimum=1, maximum=MAX_TOKENS), mode=mode,
        optimizer=optimizers.get(setup.optimizer).id, lora_rank=rank, lora_targets=targets,
        zero_stage=zero, num_gpus=gpus, qlora_format=qfmt, attn=attn)


def lora_params(arch: Architecture, rank: int, targets: tuple[str, ...]) -> int:
    """Trainable LoRA parameters: r x (in + out) per targeted matrix (routed experts are skipped)."""
    total = 0
    for t in arch.tensors:
        if t.is_linear and t.layer is not None and t.role != "expert" and t.name.rsplit(".", 2)[-2] in targets:
            total += rank * (t.in_features + t.out_features) * t.count
    return total


@dataclasses.dataclass(frozen=True)
class _Precision:
    weight: int      # bytes per stored (trainable or frozen base) weight
    residual: int    # residual stream between layers
    act: int         # matmul outputs
    autocast: bool   # fp32 weights cast to bf16 per matmul
    trainable_base: bool


def _precision(mode: str) -> _Precision:
    return {
        "mixed": _Precision(FP32, FP32, BF16, True, True),
        "bf16": _Precision(BF16, BF16, BF16, False, True),
        "fp32": _Precision(FP32, FP32, FP32, False, True),
        "lora": _Precision(BF16, BF16, BF16, True, False),
        "qlora": _Precision(BF16, BF16, BF16, True, False),
    }[mode]


def _norm_saved(p: _Precision, h: int, consumers: int, lora_consumers: int) -> float:
    """Per token: what one RMSNorm (input included) and the casts of its output leave saved."""
    if p.trainable_base and p.autocast:     # fp32 input, fp32 normalised, one bf16 cast per matmul
        return p.residual * h + FP32 * h + BF16 * h * consumers
    if p.trainable_base and p.act == BF16:  # bf16 input, its fp32 copy, bf16 cast, bf16 output
        return p.residual * h + FP32 * h + 2 * BF16 * h
    if p.trainable_base:                    # fp32: input, normalised, output
        return 3 * FP32 * h
    # frozen base (LoRA): bf16 input, its fp32 copy and the bf16 output stay saved
    return p.residual * h + FP32 * h + BF16 * h


def _layer_saved(arch: Architecture, i: int, p: _Precision, targets: frozenset, rank: int, attn: str,
                 seq: int) -> float:
    """Per token: activations autograd saves for decoder layer ``i``."""
    h, e = arch.hidden_size, p.act
    tensors = [t for t in arch.tensors if t.layer == i and t.is_linear]
    proj = {t.name.rsplit(".", 2)[-2]: t for t in tensors}
    lora = {name for name in proj if name in targets and proj[name].role != "expert"} if rank else set()
    layer = arch.attention[i]
    q_w = arch.num_heads * (layer.k_dim // max(layer.n_kv_heads, 1))
    out_w = arch.num_heads * (layer.v_dim // max(layer.n_kv_heads, 1))
    attn_in = [n for n in ("q_proj", "k_proj", "v_proj", "qkv_proj", "q_a_proj", "kv_a_proj_with_mqa") if n in proj]
    mlp_in = [n for n in ("gate_proj", "up_proj", "gate_up_proj") if n in proj] or ["router", "gate"]
    saved = _norm_saved(p, h, len(attn_in), len([n for n in attn_in if n in lora]))
    saved += e * (2 * q_w + layer.k_dim + layer.v_dim) + FP32 * arch.num_heads  # q, k, v, output, logsumexp
    if attn == "eager":
        saved += (e + FP32) * arch.num_heads * seq  # probabilities (bf16) and fp32 softmax output per query
    saved += _norm_saved(p, h, len(mlp_in), len([n for n in mlp_in if n in lora]))
    routed = [t for t in tensors if t.role == "expert"]
    if routed:
        k, f = arch.experts_per_token, arch.moe_intermediate_size
        saved += k * (2 * e * h + 4 * e * f) + FP32 * arch.num_experts
        shared = [t.out_features for t in tensors if t.role == "shared_expert" and t.in_features == h
                  and t.out_features > 1]
        if shared:
            saved += 4 * e * max(shared)
    else:
        widths = [t.out_features for t in tensors if t.role == "mlp" and t.in_features == h]
        f = max(widths) // (2 if len(widths) == 1 else 1) if widths else 0
        # gate output, activation, up output, product (the product only if down_proj needs it)
        keep_product = p.trainable_base or "down_proj" in lora
        saved += e * f * (4 if keep_product else 3)
    # LoRA: lora_B keeps the rank-r product; the adapters' inputs (norm outputs, attention
    # output, MLP product) are tensors already counted above.
    saved += BF16 * rank * len(lora)
    return saved


def estimate_training(arch: Architecture, setup: TrainingSetup) -> MemoryEstimate:
    """Peak memory of a training step (the second step: optimizer states already exist)."""
    setup = eager_fallback(arch, check(setup, arch))
    p = _precision(setup.mode)
    n = setup.num_gpus
    tokens = setup.batch * setup.seq
    h, v = arch.hidden_size, arch.vocab_size
    warnings = list(arch.warnings)
    if setup.attn == "eager" and not arch.supports_sdpa:
        warnings.append(f"transformers has no SDPA attention for {arch.model_type}: eager attention is assumed")

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
        largest_layer = max(sum(t.total_numel for t in arch.tensors if t.layer == i) for i in range(arch.num_layers))
        stored = base / arch.n_params  # bytes per weight as stored (the quantized base under QLoRA)
        weights = weights / n + 2 * largest_layer * stored  # this unit and the prefetched next one
    if setup.zero_stage and n == 1:
        warnings.append("ZeRO/FSDP sharding needs more than one GPU; num_gpus is 1, nothing is sharded")

    # Activations saved for backward.
    targets = frozenset(setup.lora_targets) if lora else frozenset()
    per_layer = [_layer_saved(arch, i, p, targets, setup.lora_rank, setup.attn, setup.seq) for i in range(arch.num_layers)]
    final_norm = _norm_saved(p, h, 1, 0)
    if setup.grad_ckpt:
        saved_layers = tokens * arch.num_layers * p.residual * h
        recompute = tokens * max(per_layer)
    else:
        saved_layers = tokens * sum(per_layer)
        recompute = 0.0
    saved_layers += tokens * final_norm
    linear_params = sum(i * o * c for i, o, c in arch.linear_layers())
    head_params = v * h
    casts_forward = BF16 * linear_params if (p.autocast and p.trainable_base) else 0.0
    casts_saved = casts_forward if not setup.grad_ckpt else (BF16 * head_params if casts_forward else 0.0)

    # Loss: logits of every position, fp32 upcast, log-softmax saved; backward adds two fp32 tensors.
    logit_e = FP32 if p.act == FP32 else BF16
    logits_fp32 = FP32 * tokens * v
    logits_fwd = logit_e * tokens * v + (logits_fp32 if logit_e != FP32 else 0) + logits_fp32
    saved_total = saved_layers + casts_saved + logits_fp32

    states = state_bytes
    fwd = {"weights": weights, "optimizer_states": states, "adapters": adapters,
           "activations": saved_layers + casts_forward, "logits": logits_fwd}
    bwd = {"weights": weights, "optimizer_states": states, "adapters": adapters,
           "activations": saved_layers + casts_saved, "logits": 3 * logits_fp32}
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
    details = [("n_params", float(arch.n_params)), ("trainable_params", float(trainable)),
               ("saved_activation_bytes", saved_total), ("tokens_per_step", float(tokens))]
    return make_estimate("training", "transformers", alive, context_bytes=rt["cuda_context_bytes"],
                         allocator_bytes=rt["allocator_cache_fraction"] * non_weight, phase=phase,
                         warnings=warnings, details=details)
