"""Widget: GPU memory to train or fine-tune a model (full, LoRA, QLoRA), per GPU, against a chosen GPU."""

from calculators.core import validate
from calculators.core.units import format_bytes
from calculators.memory import TrainingSetup, estimate_training, optimizers
from calculators.memory import lora as lora_targets
from calculators.memory.fit import needed_bytes
from calculators.memory.training import MODES
from calculators.widgets import fields
from calculators.widgets.spec import Field, Output, Widget

LABELS = {"weights": "Weights", "activations": "Activations", "logits": "Logits and loss", "gradients": "Gradients",
          "optimizer_states": "Optimizer state", "adapters": "LoRA adapters", "cuda_context": "CUDA context",
          "allocator_overhead": "Allocator cache"}
MODE_CHOICES = (
    ("mixed", "Mixed precision (FP32 weights, BF16 autocast)"),
    ("bf16", "Pure BF16"),
    ("fp32", "Full FP32"),
    ("lora", "LoRA (BF16 base, FP32 adapters)"),
    ("qlora", "QLoRA (4-bit NF4 base, FP32 adapters)"),
)
#: Published option values (they are URL parameters) -> the engine's mode ids.
ENGINE_MODES = {"mixed": "amp", "bf16": "bf16", "fp32": "fp32", "lora": "lora", "qlora": "qlora"}
assert set(ENGINE_MODES) == {m for m, _ in MODE_CHOICES} and set(ENGINE_MODES.values()) == set(MODES)
TARGET_CHOICES = (("attention", "Attention projections"), ("all-linear", "All linear layers"),
                  ("mlp", "Feed-forward only"), ("qv", "Query and value only"))
ZERO_CHOICES = (("0", "None: every GPU holds everything"), ("1", "ZeRO-1: shard optimizer state"),
                ("2", "ZeRO-2: + gradients"), ("3", "ZeRO-3 / FSDP full shard: + weights"))
PHASES = {"forward": "at the end of the forward pass", "backward": "at the start of the backward pass",
          "backward-recompute": "while a checkpointed layer is recomputed in the backward pass",
          "optimizer-step": "during the optimizer step"}


def _setup(inputs, arch) -> TrainingSetup:
    mode = ENGINE_MODES[validate.choice("mode", inputs["mode"], tuple(ENGINE_MODES))]
    lora = mode in ("lora", "qlora")
    rank = validate.integer("rank", inputs["rank"], minimum=1, maximum=4096)
    targets = lora_targets.target_modules(arch, inputs["targets"]) if lora else ()
    optimizer = validate.choice("optimizer", inputs["optimizer"], tuple(optimizers.all_optimizers()))
    ckpt = validate.choice("grad_ckpt", inputs["grad_ckpt"], ("no", "yes")) == "yes"
    gpus = validate.integer("gpus", inputs["gpus"], minimum=1, maximum=100_000)
    zero = int(validate.choice("zero", inputs["zero"], tuple(v for v, _ in ZERO_CHOICES)))
    return TrainingSetup(batch=fields.batch(inputs), context_tokens=fields.tokens(inputs, "seq"), mode=mode,
                         optimizer=optimizer, grad_ckpt=ckpt, lora_rank=rank if lora else 0,
                         lora_targets=targets or TrainingSetup.lora_targets, zero_stage=zero, num_gpus=gpus)


def _compute(inputs):
    label, arch = fields.architecture(inputs)
    gpu = fields.gpu(inputs)
    setup = _setup(inputs, arch)
    estimate = estimate_training(arch, setup)
    per_gpu = " per GPU" if setup.num_gpus > 1 else ""
    chart = fields.breakdown_chart(estimate, LABELS, f"Training memory{per_gpu} for {label} on {gpu.name}", gpu)
    trainable, total = estimate.facts.trainable_params, estimate.facts.n_params
    need = needed_bytes(estimate)
    verdict = "fits" if need <= gpu.usable_memory_bytes else "does not fit"
    spare = gpu.usable_memory_bytes - need
    notes = [w.text for w in estimate.warnings]
    notes.append(f"The peak comes {PHASES.get(estimate.peak_phase, estimate.peak_phase)}.")
    if setup.num_gpus > 1 and setup.zero_stage == 0:
        notes.append("Plain data parallelism: every GPU holds a full copy of the model states; a ZeRO stage "
                     "shards them.")
    if setup.mode == "amp" and setup.zero_stage == 3 and setup.num_gpus > 1:
        notes.append("Mixed precision is counted as PyTorch autocast over FP32 weights, whose BF16 weight copies "
                     "stay cached through the forward pass on every GPU; FSDP's own mixed precision "
                     "(param_dtype=bf16) casts one unit at a time and needs less.")
    return {
        "total": format_bytes(estimate.device_used_bytes),
        "peak": format_bytes(estimate.peak_allocated_bytes),
        "verdict": (f"{verdict} on {gpu.name}{per_gpu} ({format_bytes(abs(spare))} "
                    f"{'to spare' if spare >= 0 else 'short'} of {format_bytes(gpu.usable_memory_bytes)} usable)"),
        "advice": estimate.advice,
        "trainable": f"{trainable:,.0f} of {total:,.0f} ({trainable / total:.2%})",
        "chart": chart,
        "fits": fields.fit_list(estimate),
        "notes": fields.notes_text(notes),
    }


WIDGET = Widget(
    id="training-memory",
    title="GPU memory for training and fine-tuning",
    summary="Weights, gradients, optimizer state, activations and the runtime at the peak of a training step, per GPU.",
    fields=(
        fields.model_field(),
        fields.config_field(),
        Field("mode", "Training mode", "select", "lora", options=MODE_CHOICES),
        Field("optimizer", "Optimizer", "select", "adamw",
              options=tuple((o.id, o.label) for o in optimizers.all_optimizers().values())),
        Field("grad_ckpt", "Gradient checkpointing", "select", "no", options=(("no", "Off"), ("yes", "On"))),
        fields.count_field("batch", "Micro-batch (sequences per GPU)", 1),
        fields.count_field("seq", "Sequence length (tokens)", 2048, engine_names=("context_tokens",)),
        fields.count_field("rank", "LoRA rank", 16, help="Used by LoRA and QLoRA."),
        Field("targets", "LoRA target modules", "select", "all-linear", options=TARGET_CHOICES,
              help="Used by LoRA and QLoRA."),
        fields.count_field("gpus", "GPUs (data parallel)", 1),
        Field("zero", "ZeRO stage / FSDP", "select", "0", options=ZERO_CHOICES),
        fields.gpu_field("h100-sxm"),
    ),
    outputs=fields.memory_outputs("GPU memory used per GPU (what nvidia-smi, rocm-smi or Activity Monitor shows)",
                                  extra=(Output("trainable", "Trainable parameters"),)),
    compute=_compute,
    example={"model": "llama-3.1-70b", "mode": "bf16", "optimizer": "adamw8bit", "grad_ckpt": "yes",
             "seq": "4096", "gpus": "8", "zero": "3"},
    invalid=("seq", "0"),
)
