"""``vram``: memory of a model for inference or training, as a readable table."""

from calculators.cli.args import add_model_arguments, model_architecture
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.core.units import format_bytes
from calculators.memory import InferenceSetup, TrainingSetup, estimate_inference, estimate_training
from calculators.memory.fit import fits
from calculators.memory.placement import Placement
from calculators.memory.precision import RECORD_MODE_NAMES

NAME = "vram"
HELP = "GPU memory for a catalog model or a config.json: inference (default) or training (--train MODE)."
#: Engine argument -> the flag a reader typed, for error messages.
FIELD_FLAGS = {"batch": "--batch", "prompt_tokens": "--seq", "context_tokens": "--seq", "new_tokens": "--new-tokens",
               "weight_format": "--quant", "compute_dtype": "--dtype", "kv_format": "--kv-dtype", "attn": "--attn",
               "runtime": "--runtime", "gpu": "--gpu", "gpu_memory_utilization": "--gpu-memory-utilization",
               "mode": "--train", "optimizer": "--optimizer", "lora_rank": "--lora-rank",
               "lora_targets": "--lora-targets", "zero_stage": "--zero", "num_gpus": "--gpus", "gpu_count": "--gpus", "gpu_layers": "--gpu-layers",
               "cpu_moe_layers": "--n-cpu-moe", "tensor_overrides": "--override-tensor",
               "tensor_split": "--tensor-split", "kv_format_v": "--kv-v-dtype", "placement": "--gpu-layers",
               "host_bandwidth": "--host-bandwidth", "backend": "--gpu"}


def add_arguments(parser) -> None:
    add_model_arguments(parser)
    parser.add_argument("--batch", default="1", help="sequences per batch (default 1)")
    parser.add_argument("--seq", default="4096", help="prompt / training sequence length in tokens (default 4096)")
    parser.add_argument("--new-tokens", default="1", help="generated tokens (inference, default 1)")
    parser.add_argument("--quant", default="bf16", help="weight format or scheme: bf16, fp8, gptq-int4, nf4, q4_k_m, …")
    parser.add_argument("--dtype", default="bf16", help="compute dtype: bf16, fp16 or fp32")
    parser.add_argument("--kv-dtype", default=None, help="KV-cache dtype (default: the compute dtype)")
    parser.add_argument("--attn", default="sdpa", help="sdpa, flash_attention_2 or eager")
    parser.add_argument("--all-logits", action="store_true", help="keep logits for every position (logits_to_keep=0)")
    parser.add_argument("--runtime", default="transformers", help="transformers, vllm or llama.cpp")
    parser.add_argument("--gpu", default=None, help="GPU for vLLM's KV capacity, e.g. h100-sxm")
    parser.add_argument("--gpu-memory-utilization", default=None, help="vLLM fraction of the GPU (default 0.9)")
    parser.add_argument("--train", default=None, metavar="MODE", help="training: amp (FP32 weights, BF16 autocast; also spelled mixed), bf16, fp32, lora or qlora")
    parser.add_argument("--optimizer", default="adamw", help="adamw, adamw8bit, sgd, adafactor or lion")
    parser.add_argument("--grad-ckpt", action="store_true", help="gradient checkpointing")
    parser.add_argument("--lora-rank", default="16", help="LoRA rank (default 16)")
    parser.add_argument("--lora-targets", default="q_proj,k_proj,v_proj,o_proj", help="comma-separated module names or all-linear")
    parser.add_argument("--zero", default="0", help="ZeRO stage 0-3 (3 = FSDP full shard)")
    parser.add_argument("--gpus", default="1", help="data-parallel GPUs sharing ZeRO/FSDP states; with llama.cpp, "
                                                    "the GPUs the layers are split over (0 = CPU only)")
    parser.add_argument("--gpu-layers", default=None, help="llama.cpp -ngl: layers on the GPU(s) (default all)")
    parser.add_argument("--n-cpu-moe", default="0", help="llama.cpp --n-cpu-moe: keep the experts of the first N "
                                                         "layers in system RAM")
    parser.add_argument("--override-tensor", "-ot", action="append", default=[], metavar="PATTERN=BUFFER",
                        help="llama.cpp -ot rule, e.g. exps=CPU (repeatable; the first match wins)")
    parser.add_argument("--tensor-split", default=None, help="llama.cpp --tensor-split shares, e.g. 3,1")
    parser.add_argument("--host-bandwidth", default=None, metavar="GB_PER_S",
                        help="llama.cpp: system RAM bandwidth for tensors kept off the GPU, e.g. 89.6 (dual DDR5-5600)")
    parser.add_argument("--kv-v-dtype", default=None, help="llama.cpp V-cache type when it differs from --kv-dtype")


def run(args) -> int:
    label, arch = model_architecture(args)
    if args.train:
        mode = RECORD_MODE_NAMES.get(args.train, args.train)
        setup = TrainingSetup(batch=args.batch, context_tokens=args.seq, mode=mode, optimizer=args.optimizer,
                              grad_ckpt=args.grad_ckpt,
                              lora_rank=args.lora_rank if args.train in ("lora", "qlora") else 0,
                              lora_targets=args.lora_targets, zero_stage=args.zero, num_gpus=args.gpus,
                              attn=args.attn)
        estimate = estimate_training(arch, setup)
        what = f"training ({args.train}, {estimate.runtime})"
    else:
        gpu_bytes = None
        if args.gpu:
            from calculators.catalogs import gpus
            gpu_bytes = gpus.get(args.gpu).usable_memory_bytes
        setup = InferenceSetup(batch=args.batch, prompt_tokens=args.seq, new_tokens=args.new_tokens,
                               weight_format=args.quant, compute_dtype=args.dtype, kv_format=args.kv_dtype,
                               attn=args.attn, logits_to_keep=0 if args.all_logits else 1, runtime=args.runtime,
                               gpu_memory_bytes=gpu_bytes, gpu_memory_utilization=args.gpu_memory_utilization,
                               placement=_placement(args), kv_format_v=args.kv_v_dtype)
        estimate = estimate_inference(arch, setup)
        what = f"inference ({estimate.runtime}, weights {args.quant})"
    width = max(len(name) for name, _ in estimate.components) + 2
    speed_lines = _local_speed_lines(arch, args, setup, width) if estimate.devices and args.gpu else []
    print(f"{label}: {arch.n_params / 1e9:.2f}B parameters, {what}, batch {args.batch} x {args.seq} tokens")
    for name, value in estimate.components:
        if value:
            print(f"  {name.replace('_', ' '):<{width}} {format_bytes(value):>12}")
    if estimate.devices:
        print(f"  {'GPU buffers':<{width}} {format_bytes(estimate.peak_allocated_bytes):>12}   (model, KV and compute "
              "buffers on the GPUs, as llama.cpp prints them)")
    else:
        print(f"  {'peak allocated':<{width}} {format_bytes(estimate.peak_allocated_bytes):>12}   (torch.cuda.max_memory_allocated, phase: {estimate.peak_phase})")
    print(f"  {'device used':<{width}} {format_bytes(estimate.device_used_bytes):>12}   (nvidia-smi)")
    if estimate.kv_pool is not None:
        print(f"  {'kv capacity tokens':<{width}} {estimate.kv_pool.capacity_tokens:>12,}")
        print(f"  {'max concurrent sequences':<{width}} {estimate.kv_pool.max_concurrent_sequences:>12,}")
    for device in estimate.devices:
        where = "system RAM" if not device.is_gpu else device.device.replace("gpu", "GPU ")
        print(f"  {where + ':':<{width}} {format_bytes(device.total_bytes):>12}   (model {format_bytes(device.weights_bytes)}"
              f", KV {format_bytes(device.kv_bytes)}, compute {format_bytes(device.compute_bytes)})")
    for line in speed_lines:
        print(line)
    for warning in estimate.warnings:
        print(f"warning: {warning.text}")
    print(estimate.advice)
    fitting = fits(estimate, only_fitting=True)
    if fitting:
        shown = ", ".join(f"{f.gpu_id} ({format_bytes(f.headroom_bytes)} free)" for f in fitting[:5])
        print(f"Fits on: {shown}" + (f" and {len(fitting) - 5} larger" if len(fitting) > 5 else ""))
    else:
        print("Fits on no single GPU in the catalog; shard it (tensor parallel, ZeRO-3/FSDP) or quantize.")
    return 0


def _placement(args) -> Placement:
    """llama.cpp's placement flags; left at their defaults they change nothing for other runtimes."""
    if not (args.gpu_layers is not None or args.n_cpu_moe != "0" or args.override_tensor or args.tensor_split
            or (args.gpus != "1" and str(args.runtime).replace("-", "_") in ("llama.cpp", "ik_llama.cpp"))):
        return Placement()
    split = ()
    if args.tensor_split:
        try:
            split = tuple(float(part) for part in args.tensor_split.replace("/", ",").split(",") if part.strip())
        except ValueError:
            raise InputError("tensor_split", f"expected shares such as 3,1, got {args.tensor_split[:30]!r}") from None
    count = validate.integer("gpu_count", args.gpus, minimum=0, maximum=validate.MAX_GPUS)
    if split and args.gpus == "1":
        count = len(split)
    return Placement(gpu_layers=None if args.gpu_layers in (None, "all") else validate.integer(
                         "gpu_layers", args.gpu_layers, minimum=0, maximum=10**6),
                     gpu_count=count, tensor_split=split,
                     cpu_moe_layers=validate.integer("cpu_moe_layers", args.n_cpu_moe, minimum=0, maximum=10**6),
                     tensor_overrides=tuple(args.override_tensor))


def _local_speed_lines(arch, args, setup, width) -> list[str]:
    """llama.cpp's tg128 and pp512 tokens/s for this placement on ``--gpu``, or why they are unknown."""
    from calculators.catalogs import formats
    from calculators.core.units import format_rate
    from calculators.speed import llama_cpp as local_speed
    backend = local_speed.backend_for(args.gpu)
    if backend is None or setup.placement.gpu_count != 1:
        return [f"  {'tokens/s':<{width}} {'unknown':>12}   (llama.cpp speed is modelled on one NVIDIA, AMD or Apple "
                "GPU)"]
    kv = formats.get(setup.kv_format or "fp16").bytes_per_value
    try:
        tg = local_speed.decode(arch, args.gpu, backend=backend, weight_format=args.quant, context_tokens=0,
                                generated_tokens=128, placement=setup.placement, kv_bytes_per_value=kv,
                                host_bandwidth_gb_per_s=args.host_bandwidth)
    except InputError as error:
        raise error.renamed({"host_bandwidth_gb_per_s": "host_bandwidth"}) from None
    pp = local_speed.prefill(arch, args.gpu, backend=backend, weight_format=args.quant, prompt_tokens=512,
                             placement=setup.placement)
    return [f"  {'generation (tg128)':<{width}} {format_rate(tg.tokens_per_s):>12}   ({backend})",
            f"  {'prompt (pp512)':<{width}} {format_rate(pp.tokens_per_s) if pp.compute_known else 'unknown':>12}"
            + ("" if pp.compute_known else "   (no FLOP/s figure for this GPU in the catalog)")]
